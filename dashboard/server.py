"""Starting the page: check the configuration, then serve it with uvicorn."""

from __future__ import annotations

import os
import socket

from dashboard.config import ConfigError, DashboardConfig
from orchestration.home import dagster_home


def serve(config: DashboardConfig) -> None:
    import uvicorn

    from dashboard.app import create_app

    _check_free(config.host, config.port)
    # The reports a page asks for run in processes that use this Dagster home.
    dagster_home(config.settings)
    app = create_app(config)
    who = (
        f"viewer from the {config.viewer_header} header"
        if config.viewer_header
        else f"viewer {config.viewer}"
    )
    print(f"Dashboard on http://{config.host}:{config.port}/ ({who}); Ctrl+C stops it", flush=True)
    uvicorn.run(app, host=config.host, port=config.port, log_level="warning")


def _check_free(host: str, port: int) -> None:
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as error:
        raise ConfigError(
            f"cannot listen on {host}:{port} ({os.strerror(error.errno)}): "
            "choose another with --port"
        ) from None
