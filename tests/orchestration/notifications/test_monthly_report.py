"""The monthly report: requested once the month's data is complete, delivered once it is
ready, once per subscriber and month, on a zone whose arrival days cross a month's end."""

from __future__ import annotations

import csv
import os
import time
from datetime import UTC, date, datetime

import pytest

from orchestration.notifications.service import notify, store_of, subscribe
from orchestration.reports.service import registry_of
from orchestration.settings import Settings
from sample_data import SampleConfig, generate
from tests.conftest import admin_of, cli_env, run_cli
from tests.orchestration.notifications.conftest import subject

APRIL = "2024-03-31_2024-05-01"  # the report id: the days strictly between


@pytest.fixture(scope="module")
def month_end(tmp_path_factory) -> dict:
    """Arrival days 2024-04-28 to 2024-05-01, loaded and published."""
    zone = tmp_path_factory.mktemp("month-end")
    generate(SampleConfig(start=date(2024, 4, 28), days=4, environments=2, users=12,
                          events_per_day=300), zone)  # fmt: skip
    data = tmp_path_factory.mktemp("month-end-data")
    result = run_cli("run", data=data, landing=zone)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return {"zone": zone, "data": data}


@pytest.fixture
def settings(month_end, smtp, tmp_path, monkeypatch) -> Settings:
    """The month-end zone's settings, in this process and in the report's own process."""
    env = cli_env(month_end["data"], month_end["zone"])
    env |= {
        "DAM_NOTIFICATIONS_PATH": str(tmp_path / "notifications.sqlite"),
        "DAM_REPORTS_DIR": str(tmp_path / "reports"),
        "DAM_SMTP_HOST": "127.0.0.1",
        "DAM_SMTP_PORT": str(smtp[1]),
        "DAM_SMTP_SECURITY": "none",
    }
    for name in set(os.environ) - set(env):  # such as a warehouse path another test exported
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings.from_env()


def wait_until_ready(settings: Settings, report_id: str) -> None:
    deadline = time.monotonic() + 300
    while (report := registry_of(settings).get(report_id)).status != "ready":
        assert report.status in ("pending", "running"), report.error
        assert time.monotonic() < deadline, "the report never became ready"
        time.sleep(0.5)


def test_the_previous_month_is_reported_on_the_first_and_delivered_once_ready(
    settings, smtp, month_end
):
    inbox, _ = smtp
    owner = admin_of(month_end["zone"])["email"]
    subscribe(settings, "monthly-report", owner, now=datetime(2024, 4, 15, tzinfo=UTC))
    # Made after April ended, this one is owed May's report, not April's.
    late, _ = subscribe(
        settings,
        "monthly-report",
        owner,
        email="late@example.com",
        now=datetime(2024, 5, 1, 0, 5, tzinfo=UTC),
    )

    first = notify(settings, now=datetime(2024, 5, 1, 6, tzinfo=UTC))
    assert first.notes == [f"Requested the report for April 2024 ({APRIL})"]
    assert registry_of(settings).get(APRIL).requested_by == owner
    wait_until_ready(settings, APRIL)

    delivered = notify(settings, now=datetime(2024, 5, 1, 6, 5, tzinfo=UTC))
    assert delivered.made == ["monthly-report/1/2024-04"]
    (mail,) = inbox.messages
    report = registry_of(settings).get(APRIL)
    with open(report.csv_path, newline="", encoding="utf-8") as file:
        rows = sum(1 for _ in csv.reader(file)) - 1
    assert rows == report.row_count > 0
    assert subject(mail) == f"Activity report for April 2024 is ready: {rows:,} actions"
    assert str(mail["To"]) == owner
    assert f"CSV:      {report.csv_path}" in mail.get_content()
    assert f"Parquet:  {report.parquet_path}" in mail.get_content()

    # Later runs that month send nothing more; the late subscriber waits for May's report.
    again = notify(settings, now=datetime(2024, 5, 2, tzinfo=UTC))
    assert again.made == [] and len(inbox.messages) == 1
    june = notify(settings, now=datetime(2024, 6, 1, 6, tzinfo=UTC))
    assert june.notes == [
        "The report for May 2024 waits for its data: complete through 2024-05-01, needs 2024-05-31"
    ]
    assert [m.subscription_id for m in store_of(settings).messages()] == [1]
    assert late.subscription_id == 2
