"""The ways a message reaches a person: a signed webhook, e-mail over SMTP, or the log.

Delivery is at least once. A retry after a crash that followed a successful send sends again, with the same
idempotency key (the webhook's ``Idempotency-Key`` header, the e-mail's ``Message-ID``), so the receiving
side can tell a repeat from a new message.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import smtplib
import ssl
from email.header import Header
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr
from typing import Any

import httpx
import structlog
from pydantic import BaseModel, ConfigDict

from notifications.messages import Message

log = structlog.stdlib.get_logger("phancong.notifications")


class DeliveryError(Exception):
    """A send that failed; ``permanent`` when trying again cannot help (a refused address, a 4xx)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Target(BaseModel):
    """One place a notification goes: whose it is, the channel, the address, the language to write in."""

    model_config = ConfigDict(frozen=True)

    recipient: str  # role:id
    channel: str  # webhook | email | console
    address: str | None = None
    language: str = "vi"

    @property
    def label(self) -> str:
        return self.address or f"{self.channel}:{self.recipient}"


class Outgoing(BaseModel):
    """The message in one language, under the notification's idempotency key."""

    model_config = ConfigDict(frozen=True)

    notification_id: str
    idempotency_key: str
    message: Message
    payload: dict[str, Any]


def signature(secret: bytes, body: bytes) -> str:
    """The ``X-Phancong-Signature`` header: ``sha256=`` + hex HMAC-SHA256 of the exact body bytes."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


class SmtpSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    host: str
    port: int = 587
    starttls: bool = True
    username: str | None = None
    password: str | None = None
    sender: str = "phancong <phancong@localhost>"
    ca_file: str | None = None


class Channels:
    """Sends an Outgoing to one Target by its channel."""

    def __init__(self, smtp: SmtpSettings | None, webhook_secret: bytes | None, http: httpx.AsyncClient) -> None:
        self._smtp = smtp
        self._secret = webhook_secret
        self._http = http

    @property
    def email_configured(self) -> bool:
        return self._smtp is not None

    async def send(self, target: Target, outgoing: Outgoing) -> None:
        if target.channel == "webhook":
            await self._webhook(target.address or "", outgoing)
        elif target.channel == "email":
            await asyncio.to_thread(self._email, target.address or "", outgoing)
        else:
            log.info(
                "notification",
                recipient=target.recipient,
                notification_id=outgoing.notification_id,
                subject=outgoing.message.subject,
                body=outgoing.message.body,
            )

    async def _webhook(self, url: str, outgoing: Outgoing) -> None:
        body = json.dumps(outgoing.payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": outgoing.idempotency_key,
            "User-Agent": "phancong",
        }
        if self._secret is not None:
            headers["X-Phancong-Signature"] = signature(self._secret, body)
        try:
            response = await self._http.post(url, content=body, headers=headers, timeout=30)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"webhook {url}: {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 300:
            permanent = 400 <= response.status_code < 500 and response.status_code not in (408, 409, 425, 429)
            raise DeliveryError(f"webhook {url}: HTTP {response.status_code}", permanent=permanent)

    def _email(self, address: str, outgoing: Outgoing) -> None:
        smtp = self._smtp
        if smtp is None:
            raise DeliveryError("no SMTP server is configured (PHANCONG_SMTP_HOST)", permanent=True)
        # The legacy MIME classes: EmailMessage's folding drops the space between encoded words of a long
        # Vietnamese subject ("Văn Một" arrives as "VănMột"); Header encodes each space inside a word.
        message = MIMEText(outgoing.message.body, "plain", "utf-8")
        name, sender = parseaddr(smtp.sender)
        message["From"] = formataddr((name, sender), "utf-8")
        message["To"] = address
        message["Subject"] = Header(outgoing.message.subject, "utf-8")  # type: ignore[assignment]  # Message takes a Header
        message["Message-ID"] = f"<{outgoing.idempotency_key}@phancong>"
        message["Date"] = formatdate(localtime=False)
        message["X-Phancong-Idempotency-Key"] = outgoing.idempotency_key
        message["Content-Language"] = outgoing.message.language
        try:
            with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as client:
                client.ehlo()
                if smtp.starttls:
                    client.starttls(context=ssl.create_default_context(cafile=smtp.ca_file))
                    client.ehlo()
                if smtp.username:
                    client.login(smtp.username, smtp.password or "")
                client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            said = "; ".join(f"{code} {_text(why)}" for code, why in exc.recipients.values())
            raise DeliveryError(f"smtp {address}: refused: {said}", permanent=all(c >= 500 for c in codes)) from exc
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(
                f"smtp {address}: {exc.smtp_code} {_text(exc.smtp_error)}", permanent=500 <= exc.smtp_code < 600
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"smtp {address}: {type(exc).__name__}: {exc}") from exc


def _text(said: bytes | str) -> str:
    return said.decode("utf-8", "replace") if isinstance(said, bytes) else said
