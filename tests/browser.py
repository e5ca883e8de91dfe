"""What the browser tests share: Debian's Chromium (no browser download), the flags a
closed CI network needs, and servers started on a free port."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.drills.conftest import wait_for

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The closed network of CI machines: no background calls home, no sandbox as root.
BROWSER_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


VIEWPORT = {"width": 1400, "height": 900}


def require_chromium() -> None:
    """Skip the module on a machine without Chromium, unless CI requires the browser."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("DAM_REQUIRE_BROWSER"):
            raise RuntimeError(f"DAM_REQUIRE_BROWSER is set but there is no Chromium at {CHROMIUM}")
        pytest.skip(
            "no Chromium on this machine (apt-get install chromium)", allow_module_level=True
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def responds(url: str, headers: dict[str, str] | None = None) -> bool:
    """Whether the server answers at all (any HTTP status)."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


@contextmanager
def server(
    command: list[str], env: dict[str, str], log: Path, ready_url: str, what: str
) -> Iterator[subprocess.Popen]:
    """A server process in its own session, stopped with everything it started."""
    with open(log, "w") as output:
        process = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            wait_for(lambda: responds(ready_url) or process.poll() is not None, 180, what)
            assert process.poll() is None, log.read_text()[-3000:]
            yield process
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@contextmanager
def chromium(**context_options) -> Iterator:
    """A headless Chromium browser context."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            context = browser.new_context(viewport=VIEWPORT, **context_options)
            context.set_default_timeout(60_000)
            yield context
        finally:
            browser.close()
