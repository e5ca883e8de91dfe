"""deploy/dagster.yaml: the daily job and a report request with Dagster's runs, events
and schedules in a real PostgreSQL server, and nothing in SQLite."""

from __future__ import annotations

import time

import psycopg2

from orchestration.cli import landing_days
from orchestration.reports.requests import ReportRange
from orchestration.settings import PROJECT_ROOT
from tests.conftest import admin_of, final_report_status, ready, run_cli
from tests.drills.conftest import tables

DEPLOY_CONFIG = str(PROJECT_ROOT / "deploy" / "dagster.yaml")


def query(postgres: dict[str, str], sql: str) -> list[tuple]:
    with (
        psycopg2.connect(
            host=postgres["DAGSTER_PG_HOST"],
            port=postgres["DAGSTER_PG_PORT"],
            dbname=postgres["DAGSTER_PG_DB"],
            user=postgres["DAGSTER_PG_USER"],
        ) as connection,
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
        return cursor.fetchall()


def finished_runs(postgres: dict[str, str], seconds: float = 60) -> list[tuple]:
    """(job, status) of every run, oldest first, once none is still going (or time is up)."""
    deadline = time.monotonic() + seconds
    while True:
        runs = query(postgres, "select pipeline_name, status from runs order by create_timestamp")
        going = [status for _, status in runs if status in ("QUEUED", "STARTING", "STARTED")]
        if not going or time.monotonic() > deadline:
            return runs
        time.sleep(0.5)


def test_the_daily_job_and_a_report_run_on_a_postgres_instance(
    postgres, built, small_zone, tmp_path
):
    data = tmp_path / "data"
    env = {"DAM_DAGSTER_CONFIG": DEPLOY_CONFIG, **postgres}
    days = [day.isoformat() for day in landing_days(small_zone)]

    history = run_cli("run", "--end", days[-2], data=data, landing=small_zone, **env)
    assert history.returncode == 0, history.stdout[-2000:] + history.stderr[-2000:]
    daily = run_cli("run", "--start", days[-1], "--end", days[-1], data=data,
                    landing=small_zone, **env)  # fmt: skip
    assert daily.returncode == 0, daily.stdout[-2000:] + daily.stderr[-2000:]

    report = ReportRange.parse(days[0], days[4])
    admin = admin_of(small_zone)
    asked = run_cli(
        "report", "request", "--start", days[0], "--end", days[4],
        "--requested-by", admin["email"], data=data, landing=small_zone, **env,
    )  # fmt: skip
    assert asked.returncode == 0, asked.stderr

    assert final_report_status(report.key, data, small_zone, **env) == ready(report.key)

    # The runs, their asset events and the check results are in PostgreSQL. The report is
    # ready as soon as its file is; its run's end is recorded a moment later.
    runs = finished_runs(postgres)
    assert [status for _, status in runs] == ["SUCCESS"] * 3
    assert [name for name, _ in runs][:2] == ["load_warehouse", "load_warehouse"]
    partitions = query(
        postgres,
        'select distinct partition from event_logs where asset_key = \'["raw", "dam_events"]\' '
        "and dagster_event_type = 'ASSET_MATERIALIZATION'",
    )
    assert {row[0] for row in partitions} == set(days)
    (checks,) = query(postgres, "select count(*) from asset_check_executions")
    assert checks[0] > 0
    # ... and none in SQLite files of the Dagster home.
    assert not list((data / "dagster_home").rglob("*.db"))
    # The warehouse is what the default instance builds.
    assert tables(data / "serving" / "marts.duckdb") == tables(built["serving"])
