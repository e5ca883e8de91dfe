"""The Dagster UI checked as a person would: the webserver and daemon on a free port with a
fresh Dagster home, driven by headless Chromium (Debian's package, no browser download).
Screenshots go to test-artifacts/ui/."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from orchestration.cli import landing_days
from orchestration.settings import PROJECT_ROOT
from tests.browser import chromium, free_port, require_chromium, server
from tests.conftest import admin_of, cli_env, run_cli
from tests.drills.conftest import wait_for

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "ui"
LOCATION = "orchestration.definitions"

require_chromium()


@pytest.fixture(scope="module")
def ui(small_zone, tmp_path_factory):
    """`dam-usage ui` on a free port with a fresh Dagster home; yields its base URL."""
    data = tmp_path_factory.mktemp("ui")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(Path(sys.executable).parent / "dam-usage"), "ui", "--port", str(port)]
    log = data / "ui.log"
    # The landing sensor stays off: the runs here are the ones the test launches.
    env = cli_env(data, small_zone, DAM_WATCH_LANDING="off")
    with server(command, env, log, f"{base}/server_info", "the webserver"):
        yield {"base": base, "data": data, "log": log}


@pytest.fixture(scope="module")
def page(ui):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with chromium() as context:
        yield context.new_page()


def visit(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    skip = page.get_by_role("button", name="Skip")  # the first-visit newsletter prompt
    if skip.count() and skip.first.is_visible():
        skip.first.click()


def test_the_asset_graph_shows_every_layer(ui, page):
    visit(page, f"{ui['base']}/asset-groups")
    for group in ("raw", "reference", "staging", "core", "marts", "serving", "reports"):
        page.get_by_text(group, exact=True).first.wait_for()
    page.screenshot(path=ARTIFACTS / "asset-graph.png")


def test_one_daily_partition_materialized_from_the_ui_succeeds(ui, page, small_zone):
    day = landing_days(small_zone)[2].isoformat()
    visit(page, f"{ui['base']}/locations/{LOCATION}/jobs/load_warehouse")
    page.get_by_role("button", name="Materialize all").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Show all partitions").click()
    selection = dialog.locator("input").first  # the partition selection, as text
    selection.fill(day)
    selection.press("Enter")
    dialog.get_by_text("1 partition", exact=True).wait_for()
    page.screenshot(path=ARTIFACTS / "launch-one-partition.png")
    dialog.get_by_role("button", name="Launch 1 run").click()
    dialog.wait_for(state="hidden", timeout=120_000)  # launched

    visit(page, f"{ui['base']}/runs")
    page.get_by_text("load_warehouse").first.wait_for()

    def finished() -> bool:
        page.reload()
        page.wait_for_load_state("networkidle")
        text = page.inner_text("body")
        assert "Failure" not in text, ui["log"].read_text()[-3000:]
        return "Success" in text

    wait_for(finished, 600, "the run launched from the UI to succeed")
    page.get_by_text(day).first.wait_for()  # the run's partition
    page.screenshot(path=ARTIFACTS / "run-succeeded.png")
    assert (ui["data"] / "serving" / "marts.duckdb").exists()


def test_report_partitions_and_the_retention_sensor(ui, page, small_zone):
    days = [day.isoformat() for day in landing_days(small_zone)]
    if not (ui["data"] / "serving" / "marts.duckdb").exists():
        built = run_cli("run", data=ui["data"], landing=small_zone)
        assert built.returncode == 0, built.stderr[-2000:]
    admin = admin_of(small_zone)
    key = f"{days[1]}_{days[4]}"
    asked = run_cli(
        "report", "request", "--start", days[1], "--end", days[4],
        "--requested-by", admin["email"], data=ui["data"], landing=small_zone,
    )  # fmt: skip
    assert asked.returncode == 0, asked.stderr

    def ready() -> bool:
        status = run_cli("report", "status", key, data=ui["data"], landing=small_zone).stdout
        assert "failed" not in status, status
        return "ready" in status

    wait_for(ready, 300, "the report")
    visit(page, f"{ui['base']}/assets/reports/activity_report?view=partitions")
    page.get_by_text(key).filter(visible=True).first.wait_for()
    page.get_by_text("Materialized (1)").first.wait_for()
    page.screenshot(path=ARTIFACTS / "report-partitions.png")

    visit(page, f"{ui['base']}/automation")
    for name in (
        "report_retention", "report_requests", "daily_warehouse", "landing_files", "notifications",
    ):  # fmt: skip
        page.get_by_text(name, exact=True).first.wait_for()
    page.screenshot(path=ARTIFACTS / "automation.png")


def test_the_published_marts_show_their_freshness(ui, page, small_zone):
    if not (ui["data"] / "serving" / "marts.duckdb").exists():
        built = run_cli("run", data=ui["data"], landing=small_zone)
        assert built.returncode == 0, built.stderr[-2000:]

    def judged() -> bool:  # by the freshness daemon, every 30 s
        visit(page, f"{ui['base']}/assets/serving/published_marts")
        text = page.inner_text("body")
        return "Freshness policy" in text and "Passing" in text

    wait_for(judged, 180, "the freshness daemon to judge the published marts")
    page.screenshot(path=ARTIFACTS / "freshness.png")
