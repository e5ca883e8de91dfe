"""Where the page listens and whom it trusts, from the command line and the environment."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass

from orchestration.settings import Settings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


class ConfigError(ValueError):
    """A setting that cannot work; the message says what to set instead."""


@dataclass(frozen=True)
class DashboardConfig:
    settings: Settings
    host: str
    port: int
    viewer_header: str | None  # the header an authenticating proxy puts the e-mail in
    viewer: str | None  # the one viewer of a local session (--viewer)

    @classmethod
    def from_env(
        cls,
        settings: Settings,
        host: str | None = None,
        port: int | None = None,
        viewer: str | None = None,
    ) -> DashboardConfig:
        host = host or os.environ.get("DAM_DASHBOARD_HOST", DEFAULT_HOST)
        raw_port = port if port is not None else os.environ.get("DAM_DASHBOARD_PORT", DEFAULT_PORT)
        try:
            port = int(raw_port)
        except ValueError:
            raise ConfigError(
                f"DAM_DASHBOARD_PORT must be a port number, got {raw_port!r}"
            ) from None
        if not 0 < port < 65536:
            raise ConfigError(f"the port must be between 1 and 65535, got {port}")
        header = os.environ.get("DAM_DASHBOARD_VIEWER_HEADER", "").strip() or None
        config = cls(settings, host, port, header, viewer)
        config.check()
        return config

    def check(self) -> None:
        if self.viewer and self.viewer_header:
            raise ConfigError(
                "--viewer and DAM_DASHBOARD_VIEWER_HEADER exclude each other: a local session "
                "names its viewer, a proxied one takes it from the proxy's header"
            )
        if not self.viewer and not self.viewer_header:
            raise ConfigError(
                "name who looks at the page: --viewer EMAIL for local use, or set "
                "DAM_DASHBOARD_VIEWER_HEADER to the header your authenticating proxy sets"
            )
        if not is_loopback(self.host) and not self.viewer_header:
            raise ConfigError(
                f"refusing to listen on {self.host} without an authenticating proxy: set "
                "DAM_DASHBOARD_VIEWER_HEADER, or listen on 127.0.0.1"
            )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
