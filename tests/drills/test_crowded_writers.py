"""Drill: the daily run, a backfill and a report request launched at the same moment, while
a run that holds the one-writer slot is killed. The pool serialises the writers, nobody
waits for the dead run beyond DAM_SLOT_RECLAIM_SECONDS, everything succeeds, and the
warehouse equals an uninterrupted load."""

from __future__ import annotations

import csv
import time
from collections import Counter
from datetime import date

import dagster as dg
import duckdb

from orchestration.cli import landing_days
from orchestration.reports.generate import write_report
from orchestration.reports.requests import ReportRange
from tests.conftest import admin_of, final_report_status, run_cli, small_days
from tests.drills.conftest import kill_session, start, tables, wait_for

RECLAIM = {"DAM_SLOT_RECLAIM_SECONDS": "2"}
WAREHOUSE_SCHEMAS = ("raw", "intermediate", "core", "marts")


def report_rows(path) -> Counter:
    with open(path, newline="", encoding="utf-8") as handle:
        return Counter((r["Time (UTC)"], r["Action"], r["Target"]) for r in csv.DictReader(handle))


def slot_holders(home) -> set[str]:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        return instance.event_log_storage.get_concurrency_info("duckdb").active_run_ids


def test_crowded_writers_are_serialised_and_a_dead_holder_blocks_nobody(
    built, small_zone, tmp_path
):
    data, home = tmp_path / "data", tmp_path / "data" / "dagster_home"
    days = [day.isoformat() for day in landing_days(small_zone)]
    history = run_cli("run", "--end", days[2], data=data, landing=small_zone)
    assert history.returncode == 0, history.stdout[-2000:] + history.stderr[-2000:]
    report = ReportRange.parse(days[0], days[4])
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        before = report_rows(write_report(con, report, tmp_path / "before").csv)

    doomed = start("run", "--start", days[0], "--end", days[2], data=data, landing=small_zone)
    wait_for(lambda: slot_holders(home), 120, "the doomed run to hold the DuckDB slot")
    logs = {name: tmp_path / f"{name}.log" for name in ("daily", "backfill")}
    crowd = {
        "daily": start("run", "--start", days[-1], "--end", days[-1], data=data,
                       landing=small_zone, log=logs["daily"], **RECLAIM),
        "backfill": start("run", "--start", days[2], "--end", days[-2], data=data,
                          landing=small_zone, log=logs["backfill"], **RECLAIM),
    }  # fmt: skip
    admin = admin_of(small_zone)
    asked = run_cli(
        "report", "request", "--start", days[0], "--end", days[4],
        "--requested-by", admin["email"], data=data, landing=small_zone, **RECLAIM,
    )  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    time.sleep(1)
    kill_session(doomed)

    for name, process in crowd.items():
        assert process.wait(timeout=600) == 0, logs[name].read_text()[-3000:]

    # The report ran between two of the crowd's loads: its data is complete through
    # whichever day the loads had reached, and it says which.
    status = final_report_status(report.key, data, small_zone)
    assert status.startswith(f"{report.key} ready (data through "), status
    assert date.fromisoformat(status[-11:-1]) in small_days(), status
    # Whichever of the crowd found the dead run first reclaimed it, and said so in its log.
    report_log = data / "reports" / "logs" / f"{report.key}.log"
    assert any("had been killed" in log.read_text() for log in [*logs.values(), report_log])

    assert tables(data / "serving" / "marts.duckdb") == tables(built["serving"])
    assert tables(data / "warehouse.duckdb", WAREHOUSE_SCHEMAS) == tables(
        built["warehouse"], WAREHOUSE_SCHEMAS
    )
    # The report saw the warehouse between two whole runs: no less than before the crowd,
    # no more than after it.
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        after = report_rows(write_report(con, report, tmp_path / "after").csv)
    found = report_rows(data / "reports" / report.key / f"activity_report_{report.key}.csv")
    assert before <= found <= after
