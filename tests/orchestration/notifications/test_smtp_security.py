"""E-mail through an SMTP server that asks for STARTTLS and a login, as a real relay does:
the server's certificate is checked, and one not trusted is a recorded failure."""

from __future__ import annotations

import dataclasses
import ssl
import subprocess

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from orchestration.notifications.service import notify, store_of, subscribe
from tests.browser import free_port
from tests.conftest import admin_of
from tests.orchestration.notifications.conftest import Inbox

USER, PASSWORD = "alerts", "s3cret"


def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    given = [
        v.decode() if isinstance(v, bytes) else v for v in (auth_data.login, auth_data.password)
    ]
    return AuthResult(success=given == [USER, PASSWORD])


@pytest.fixture
def relay(tmp_path, monkeypatch):
    """A STARTTLS relay with a self-signed certificate; (inbox, port, certificate)."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=free_port(), tls_context=context,
        require_starttls=True, auth_required=True, authenticator=authenticate,
    )  # fmt: skip
    controller.start()
    try:
        yield inbox, controller.port, cert
    finally:
        controller.stop()


def test_starttls_and_a_login_deliver_to_a_trusted_server_only(
    notifying, relay, small_zone, monkeypatch
):
    inbox, port, cert = relay
    subscribe(notifying, "usage", admin_of(small_zone)["email"], alert_thresholds="1")
    secured = dataclasses.replace(
        notifying, smtp_port=port, smtp_security="starttls", smtp_user=USER, smtp_password=PASSWORD
    )
    untrusted = notify(secured)
    assert untrusted.delivered.sent == [] and untrusted.delivered.failed
    assert all("CERTIFICATE_VERIFY_FAILED" in error for _, error in untrusted.delivered.failed)

    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the relay's certificate is trusted now
    store_of(notifying).path.unlink()  # and the messages are made again
    subscribe(notifying, "usage", admin_of(small_zone)["email"], alert_thresholds="1")
    delivered = notify(secured)
    assert delivered.delivered.failed == []
    assert len(inbox.messages) == len(delivered.delivered.sent) > 0
