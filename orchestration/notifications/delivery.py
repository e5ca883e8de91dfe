"""Sending messages by SMTP and by webhook. Every attempt is recorded; a failed one is tried
again later (store.backoff), and nothing here raises for a delivery that fails."""

from __future__ import annotations

import hashlib
import smtplib
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from orchestration.notifications.store import Message, NotificationStore
from orchestration.settings import Settings

TIMEOUT_SECONDS = 10


class NotConfigured(RuntimeError):
    """A channel that has no settings to send with."""


@dataclass(frozen=True)
class Smtp:
    host: str | None
    port: int
    security: str  # 'starttls', 'ssl' or 'none'
    user: str | None
    password: str | None
    sender: str

    @classmethod
    def from_settings(cls, settings: Settings) -> Smtp:
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_security,
            settings.smtp_user,
            settings.smtp_password,
            settings.smtp_sender,
        )

    def send(self, message: Message) -> None:
        if not self.host:
            raise NotConfigured("DAM_SMTP_HOST is not set: no e-mail can be sent")
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.address
        email["Subject"] = message.subject
        # One Message-ID per message key: a mail system can tell a retry from a new message.
        digest = hashlib.sha256(message.message_key.encode()).hexdigest()[:32]
        email["Message-ID"] = f"<{digest}@{self.sender.rpartition('@')[2] or 'localhost'}>"
        email.set_content(message.body)
        context = ssl.create_default_context()
        if self.security == "ssl":
            server = smtplib.SMTP_SSL(
                self.host, self.port, timeout=TIMEOUT_SECONDS, context=context
            )
        else:
            server = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS)
        with server:
            if self.security == "starttls":
                server.starttls(context=context)
            if self.user:
                server.login(self.user, self.password or "")
            server.send_message(email)


def post_webhook(message: Message) -> None:
    request = urllib.request.Request(
        message.address,
        data=message.payload.encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        response.read()


@dataclass(frozen=True)
class Delivered:
    sent: list[str]
    failed: list[tuple[str, str]]  # (message key, error)


def deliver_due(store: NotificationStore, smtp: Smtp, now: datetime) -> Delivered:
    """Send every message that is due; record each success and each failure."""
    sent, failed = [], []
    for message in store.claim_due(now):
        try:
            if message.channel == "email":
                smtp.send(message)
            else:
                post_webhook(message)
        except (OSError, smtplib.SMTPException, urllib.error.URLError, NotConfigured) as error:
            reason = f"{type(error).__name__}: {error}"
            store.failed(message, reason, now)
            failed.append((message.message_key, reason))
        else:
            store.sent(message.message_key, now)
            sent.append(message.message_key)
    return Delivered(sent, failed)
