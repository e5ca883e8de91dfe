"""A real SMTP server (aiosmtpd) and a local HTTP receiver for webhooks, each recording
what it was sent, and settings that point the notifications at them."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import json
import shutil
import threading
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from orchestration.settings import Settings
from tests.browser import free_port


class Inbox:
    """What the SMTP server accepted, as parsed e-mails."""

    def __init__(self):
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


class Receiver(ThreadingHTTPServer):
    """Records each JSON body posted; answers 500 to the first `failures` posts."""

    def __init__(self):
        self.posts: list[dict] = []
        self.failures = 0
        super().__init__(("127.0.0.1", 0), Handler)


class Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.server.failures > 0:
            self.server.failures -= 1
            self.send_response(500)
        else:
            self.server.posts.append(body)
            self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    receiver = Receiver()
    thread = threading.Thread(target=receiver.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver, f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    finally:
        receiver.shutdown()
        receiver.server_close()


@pytest.fixture
def notifying(built, smtp, tmp_path) -> Settings:
    """Settings on a copy of the small zone's serving file, sending to the test servers."""
    serving = tmp_path / "serving" / "marts.duckdb"
    serving.parent.mkdir()
    shutil.copyfile(built["serving"], serving)
    return dataclasses.replace(
        Settings.from_env(),
        serving_path=serving,
        notifications_path=tmp_path / "notifications.sqlite",
        reports_dir=tmp_path / "reports",
        smtp_host="127.0.0.1",
        smtp_port=smtp[1],
        smtp_security="none",
        dashboard_url="http://dashboard.example:8000",
    )


def subject(mail: EmailMessage) -> str:
    """The subject as a mail client shows it (a long one is folded onto a line of its own)."""
    return " ".join(str(mail["Subject"]).split())


def subjects(inbox: Inbox) -> list[str]:
    return sorted(subject(m) for m in inbox.messages)


def usage_files(zone: Path, day) -> dict[str, dict]:
    """Each product environment's usage report of a day, as landed."""
    return {
        path.parent.name: json.loads(path.read_text())
        for path in sorted((zone / "usage").glob(f"*/{day}.json"))
    }
