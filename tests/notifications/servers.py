"""Real receiving ends for delivery tests: an SMTP server (STARTTLS, login required) and an HTTP server.

Both run in threads of the test process and record exactly what reached them.
"""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.cli import free_port

SMTP_LOGIN = "phancong"
SMTP_PASSWORD = "mat-khau-thu"


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    message: EmailMessage
    login: str | None
    encrypted: bool

    @property
    def body(self) -> str:
        part = self.message.get_body(("plain",))
        assert part is not None
        content: str = part.get_content()
        return content


@dataclass
class SmtpServer:
    host: str
    port: int
    ca_file: Path
    mails: list[Mail] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # addresses answered with 550

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        content = envelope.original_content or b""
        message = message_from_bytes(content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        self.mails.append(
            Mail(str(envelope.mail_from), list(envelope.rcpt_tos), message, login, session.ssl is not None)
        )
        return "250 Message accepted for delivery"


def _authenticate(server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        SMTP_LOGIN.encode(),
        SMTP_PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False, auth_data=data)


@contextmanager
def smtp_server(directory: Path) -> Iterator[SmtpServer]:
    """An SMTP server on a free port that requires STARTTLS (its certificate from a CA of its own) and login."""
    ca = trustme.CA()
    certificate = ca.issue_cert("localhost", "127.0.0.1")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    ca_file = directory / "smtp-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    server = SmtpServer("127.0.0.1", free_port(), ca_file)
    controller = Controller(
        server,
        hostname=server.host,
        port=server.port,
        tls_context=context,
        require_starttls=True,
        authenticator=_authenticate,
        auth_required=True,
    )
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookServer:
    """Answers each POST to a path with the next status planned for that path (``always`` once the plan runs
    out), and records it."""

    url: str
    requests: list[Request] = field(default_factory=list)
    plan: dict[str, list[int]] = field(default_factory=dict)  # path -> statuses, in order
    always: int = 200
    on_request: Callable[[Request], None] | None = None  # runs before the answer is sent

    def answer(self, request: Request) -> int:
        self.requests.append(request)
        if self.on_request is not None:
            self.on_request(request)
        planned = self.plan.get(request.path)
        return planned.pop(0) if planned else self.always


@contextmanager
def webhook_server() -> Iterator[WebhookServer]:
    port = free_port()
    receiver = WebhookServer(f"http://127.0.0.1:{port}/phancong")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            request = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length))
            status = receiver.answer(request)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        httpd.shutdown()
        httpd.server_close()
