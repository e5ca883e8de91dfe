"""The dashboard page as its users meet it: `dam-usage serve` behind a sign-in proxy's
header, on the small zone's published marts, driven by headless Chromium. Each check
reads the numbers out of the page and computes them again in Python from the served rows.
"""

from __future__ import annotations

import http.client
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import PROJECT_ROOT
from tests.browser import chromium, free_port, require_chromium, server
from tests.conftest import cli_env

require_chromium()

HEADER = "X-Forwarded-Email"
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "dashboard"


@contextmanager
def serve(data: Path, zone: Path, own: Path, **env: str) -> Iterator[str]:
    """`dam-usage serve` trusting HEADER, with its own reports and Dagster home; yields its
    base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(Path(sys.executable).parent / "dam-usage"), "serve", "--port", str(port)]
    environment = cli_env(
        data,
        zone,
        DAM_DASHBOARD_VIEWER_HEADER=HEADER,
        DAM_REPORTS_DIR=str(own / "reports"),
        DAGSTER_HOME=str(own / "dagster_home"),
        **env,
    )
    with server(command, environment, own / "serve.log", f"{base}/static/dashboard.css", "page"):
        yield base


@pytest.fixture(scope="module")
def dashboard(built, small_zone, tmp_path_factory) -> Iterator[dict]:
    own = tmp_path_factory.mktemp("dashboard")
    with serve(built["data"], small_zone, own) as base:
        yield {"base": base, "serving": built["serving"], "own": own}


@pytest.fixture(scope="module")
def served(built) -> dict[str, list[dict]]:
    """Every row of the served tables the page reads, as Python dicts."""
    with duckdb.connect(str(built["serving"]), read_only=True) as con:
        return {table: as_dicts(con.execute(f"select * from {table}")) for table in (
            "serving_build", "dim_users", "dim_product_environments", "mart_assets_daily",
            "mart_users_daily", "mart_collections_daily", "mart_portals_daily",
            "mart_uploads_daily", "mart_collection_views_daily", "mart_collection_publications",
            "mart_active_users_daily", "mart_account_usage_daily",
        )}  # fmt: skip


def as_dicts(relation) -> list[dict]:
    names = [column[0] for column in relation.description]
    return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]


def master_admin(served) -> str:
    return next(u["email"] for u in served["dim_users"] if u["can_view_dashboard"])


@pytest.fixture(scope="module")
def browser(dashboard, served) -> Iterator:
    """A browser signed in (through the proxy's header) as a master admin. The hosts every
    page loads from are recorded in `browser.hosts`."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with chromium(extra_http_headers={HEADER: master_admin(served)}) as context:
        context.hosts = set()
        context.on("request", lambda request: context.hosts.add(request.url.split("/")[2]))
        yield context


@pytest.fixture
def page(browser):
    page = browser.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    page.close()


def visit(page, url: str) -> None:
    """Open a page and wait until every chart is drawn."""
    response = page.goto(url)
    assert response.status == 200, page.inner_text("body")
    page.wait_for_selector("body[data-charts-ready]")


def traces(page, chart_id: str) -> dict[str, dict]:
    """What a chart draws: each trace's x and y, by name, as plotly holds them."""
    return page.evaluate(
        "id => Object.fromEntries(document.getElementById(id).data"
        ".map(t => [t.name, {x: t.x, y: t.y}]))",
        chart_id,
    )


def table(page, selector: str) -> list[list[str]]:
    return page.eval_on_selector_all(
        f"{selector} tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))"
    )


def copy_serving(source: Path, target: Path, sql: str = "") -> Path:
    """A copy of a serving file, changed by `sql`, renamed into `target` in one step as
    publishing does."""
    target.parent.mkdir(parents=True, exist_ok=True)
    aside = target.with_name(f".{target.name}.new")
    shutil.copyfile(source, aside)
    if sql:
        with duckdb.connect(str(aside)) as con:
            con.execute(sql)
    aside.replace(target)
    return target


def get(base: str, path: str, email: str | None, method: str = "GET", **headers: str):
    """The status and body of a request, the e-mail sent as the proxy does: UTF-8 bytes."""
    connection = http.client.HTTPConnection(base.split("/")[2], timeout=30)
    connection.putrequest(method, path)
    if email is not None:
        connection.putheader(HEADER, email.encode("utf-8"))
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read().decode("utf-8")
    connection.close()
    return response.status, body
