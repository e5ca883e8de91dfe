"""Where the page listens and whom it trusts: refused in one line when it could not be safe."""

from __future__ import annotations

import pytest

from dashboard.config import ConfigError, DashboardConfig, is_loopback
from orchestration.settings import Settings
from tests.conftest import run_cli


@pytest.fixture
def settings(monkeypatch, tmp_path):
    for name in ("DAM_DASHBOARD_HOST", "DAM_DASHBOARD_PORT", "DAM_DASHBOARD_VIEWER_HEADER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DAM_DATA_DIR", str(tmp_path))
    return Settings.from_env()


def test_a_local_session_listens_on_the_loopback_address_port_8000(settings):
    config = DashboardConfig.from_env(settings, viewer="someone@example.com")
    assert (config.host, config.port, config.viewer_header) == ("127.0.0.1", 8000, None)


def test_the_header_and_the_address_come_from_the_environment(settings, monkeypatch):
    monkeypatch.setenv("DAM_DASHBOARD_VIEWER_HEADER", "X-Auth-Request-Email")
    monkeypatch.setenv("DAM_DASHBOARD_HOST", "0.0.0.0")
    monkeypatch.setenv("DAM_DASHBOARD_PORT", "8080")
    config = DashboardConfig.from_env(settings)
    assert (config.host, config.port, config.viewer_header) == (
        "0.0.0.0",
        8080,
        "X-Auth-Request-Email",
    )


@pytest.mark.parametrize(
    ("host", "viewer", "header", "message"),
    [
        ("0.0.0.0", "someone@example.com", None, "refusing to listen on 0.0.0.0"),
        ("192.168.1.20", "someone@example.com", None, "without an authenticating proxy"),
        ("127.0.0.1", None, None, "--viewer EMAIL for local use"),
        ("127.0.0.1", "someone@example.com", "X-Email", "exclude each other"),
    ],
)
def test_an_unsafe_or_incomplete_setting_is_refused(
    settings, monkeypatch, host, viewer, header, message
):
    if header:
        monkeypatch.setenv("DAM_DASHBOARD_VIEWER_HEADER", header)
    with pytest.raises(ConfigError, match=message):
        DashboardConfig.from_env(settings, host=host, viewer=viewer)


def test_loopback_addresses():
    assert all(map(is_loopback, ("127.0.0.1", "127.8.0.1", "::1", "localhost")))
    assert not any(map(is_loopback, ("0.0.0.0", "::", "10.0.0.1", "example.com")))


def test_the_command_says_what_to_set_in_one_line(tmp_path, small_zone):
    result = run_cli("serve", "--host", "0.0.0.0", "--viewer", "a@example.com",
                     data=tmp_path, landing=small_zone)  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "refusing to listen on 0.0.0.0" in result.stderr
    assert "DAM_DASHBOARD_VIEWER_HEADER" in result.stderr
