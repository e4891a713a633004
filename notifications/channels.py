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
from collections.abc import Sequence
from email.header import Header
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr
from typing import Protocol

import httpx
import structlog
from pydantic import BaseModel, ConfigDict

from directory.model import Contact
from notifications.models import Outgoing, Target

log = structlog.stdlib.get_logger("phancong.notifications")


class DeliveryError(Exception):
    """A send that failed; ``permanent`` when trying again cannot help (a refused address, a 4xx)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


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


class Channel(Protocol):
    """One way a message reaches a person. A new channel is one class of this shape and its setting in
    ``worker.channels_of`` (the order there is the order of preference)."""

    name: str

    def address(self, contact: Contact) -> str | None:
        """Where this channel reaches ``contact`` (None: it does not)."""
        ...

    async def send(self, address: str | None, outgoing: Outgoing) -> None:
        """Send, or raise DeliveryError (``permanent`` when trying again cannot help)."""
        ...


class WebhookChannel:
    """A signed POST of the notice as JSON (``X-Phancong-Signature``, ``Idempotency-Key``)."""

    name = "webhook"

    def __init__(self, http: httpx.AsyncClient, secret: bytes | None) -> None:
        self._http = http
        self._secret = secret

    def address(self, contact: Contact) -> str | None:
        return contact.webhook

    async def send(self, address: str | None, outgoing: Outgoing) -> None:
        await self._webhook(address or "", outgoing)

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


class EmailChannel:
    """E-mail over SMTP with STARTTLS and login (``Message-ID`` from the idempotency key)."""

    name = "email"

    def __init__(self, smtp: SmtpSettings) -> None:
        self._smtp = smtp

    def address(self, contact: Contact) -> str | None:
        return str(contact.email) if contact.email else None

    async def send(self, address: str | None, outgoing: Outgoing) -> None:
        await asyncio.to_thread(self._email, address or "", outgoing)

    def _email(self, address: str, outgoing: Outgoing) -> None:
        smtp = self._smtp
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


class LogChannel:
    """The worker's log: where a notice goes when its recipient has no channel that reaches them."""

    name = "console"

    def address(self, contact: Contact) -> str | None:
        return None

    async def send(self, address: str | None, outgoing: Outgoing) -> None:
        recipient = outgoing.payload.get("recipient") or {}
        log.info(
            "notification",
            recipient=":".join(str(part) for part in (recipient.get("role"), recipient.get("id")) if part),
            notification_id=outgoing.notification_id,
            subject=outgoing.message.subject,
            body=outgoing.message.body,
        )


class Channels:
    """The channels in order of preference; the log last, for whoever none of them reaches."""

    def __init__(self, channels: Sequence[Channel]) -> None:
        self._by_name: dict[str, Channel] = {c.name: c for c in channels}
        self._preferred = [c for c in channels if c.name != LogChannel.name]
        self._by_name.setdefault(LogChannel.name, LogChannel())

    def targets(self, recipient: str, contacts: Sequence[tuple[str, Contact]]) -> list[Target]:
        """Where a notice to ``recipient`` goes: each contact by the first channel that reaches it, else the log."""
        found = []
        for who, contact in contacts:
            reached = next(((c, a) for c in self._preferred if (a := c.address(contact))), None)
            if reached is not None:
                found.append(Target(recipient=who, channel=reached[0].name, address=reached[1],
                                    language=contact.language.value))  # fmt: skip
        language = contacts[0][1].language.value if contacts else "vi"
        return found or [Target(recipient=recipient, channel=LogChannel.name, language=language)]

    async def send(self, target: Target, outgoing: Outgoing) -> None:
        channel = self._by_name.get(target.channel)
        if channel is None:
            raise DeliveryError(f"no channel {target.channel!r} is configured", permanent=True)
        await channel.send(target.address, outgoing)


def _text(said: bytes | str) -> str:
    return said.decode("utf-8", "replace") if isinstance(said, bytes) else said
