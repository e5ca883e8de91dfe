"""An activity report asked for on the page starts at once, shows its progress, and is
downloaded from the page when ready."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from orchestration.reports.registry import Registry
from tests.dashboard.conftest import ARTIFACTS, master_admin, table


def test_a_report_is_requested_made_and_downloaded_on_the_page(dashboard, page, served, tmp_path):
    last = served["serving_build"][0]["complete_through"]
    first = last - timedelta(days=2)
    page.goto(dashboard["base"] + "/reports")
    page.fill("#request-report input[name=first]", first.isoformat())
    page.fill("#request-report input[name=last]", last.isoformat())
    page.click("#request-report button[type=submit]")
    key = f"{first - timedelta(days=1)}_{last + timedelta(days=1)}"
    row = page.locator(f"tr[data-report='{key}']")
    row.wait_for()
    assert table(page, "#reports")[0][1] == master_admin(served)
    page.locator(f"tr[data-report='{key}'][data-status=ready]").wait_for(timeout=300_000)
    page.screenshot(path=ARTIFACTS / "report-ready.png", full_page=True)

    report = Registry(dashboard["own"] / "reports" / "registry.sqlite").get(key)
    assert report.status == "ready", report.error
    assert report.requested_by == master_admin(served)
    cells = table(page, "#reports")[0]
    assert cells[0] == f"{first} to {last}"
    assert cells[3] == f"{report.row_count:,}" and report.row_count > 0
    assert cells[4] == str(last)  # the data it was made from is complete through that day
    for kind, made in (("CSV", report.csv_path), ("Parquet", report.parquet_path)):
        with page.expect_download() as download:
            row.get_by_role("link", name=kind).click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        assert saved.read_bytes() == Path(made).read_bytes()
