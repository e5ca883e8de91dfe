"""Reports from the warehouse of the small generated account: exact bounds, content equal
to an independent filter of the landing files, and the request cycle from the CLI."""

from __future__ import annotations

import csv
import json
import shutil
import time
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.reports.assets import ACTIVITY_REPORT
from orchestration.reports.generate import write_report
from orchestration.reports.requests import ReportRange
from tests.conftest import admin_of, final_report_status, ready, run_cli
from tests.reference import Reference

HEADER = [
    "Time (UTC)", "Product environment", "User e-mail or API key", "Action", "Category",
    "Target type", "Target", "Asset type", "Details",
]  # fmt: skip


@pytest.fixture(scope="module")
def warehouse(built):
    with duckdb.connect(str(built["warehouse"]), read_only=True) as con:
        yield con


def expected_rows(reference: Reference, zone, report: ReportRange) -> list[tuple]:
    latest = json.loads(sorted((zone / "account").glob("*.json"))[-1].read_text())
    tracked = {e["cloud_name"] for e in latest["product_environments"] if e["tracking_enabled"]}
    return sorted(
        (a.at.strftime("%Y-%m-%d %H:%M:%S"), a.action, a.target or "")
        for a in reference.actions
        if report.start < a.day < report.end and (a.scope == "(account)" or a.scope in tracked)
    )


def read_csv(path) -> tuple[list[str], list[dict]]:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return reader.fieldnames, list(reader)


def test_rows_are_the_days_strictly_between_on_tracked_environments(
    warehouse, reference, small_zone, tmp_path
):
    days = reference.days
    report = ReportRange(days[0], days[3])
    files = write_report(warehouse, report, tmp_path)
    header, rows = read_csv(files.csv)
    assert header == HEADER
    found = sorted((r["Time (UTC)"], r["Action"], r["Target"]) for r in rows)
    assert found == expected_rows(reference, small_zone, report)
    seen_days = {r["Time (UTC)"][:10] for r in rows}
    assert seen_days == {str(days[1]), str(days[2])}  # start and end days themselves excluded
    assert files.rows == len(rows)
    untracked = {"acme-staging"}  # odd-numbered environments do not track
    assert not {r["Product environment"] for r in rows} & untracked
    assert "(account)" in {r["Product environment"] for r in rows}


def test_csv_and_parquet_hold_the_same_rows_in_time_order(warehouse, reference, tmp_path):
    files = write_report(warehouse, ReportRange(reference.days[0], reference.days[-1]), tmp_path)
    header, rows = read_csv(files.csv)
    parquet = duckdb.sql(f"select * from read_parquet('{files.parquet}')")
    # Tools get snake_case names and typed values; people get headers and text.
    assert parquet.columns == [
        "occurred_at", "product_environment", "actor", "action", "category", "target_type",
        "target_id", "asset_type", "details",
    ]  # fmt: skip
    assert parquet.types[0] == "TIMESTAMP"
    assert header == HEADER
    as_text = [
        [value.strftime("%Y-%m-%d %H:%M:%S"), *("" if v is None else str(v) for v in rest)]
        for value, *rest in parquet.fetchall()
    ]
    assert [list(row.values()) for row in rows] == as_text
    times = [row["Time (UTC)"] for row in rows]
    assert len(set(times)) > 1 and times == sorted(times)


def test_one_day_apart_gives_an_empty_but_valid_report(warehouse, reference, tmp_path):
    day = reference.days[2]
    files = write_report(warehouse, ReportRange(day, day + timedelta(days=1)), tmp_path)
    header, rows = read_csv(files.csv)
    assert (header, rows, files.rows) == (HEADER, [], 0)
    assert duckdb.sql(f"select count(*) from read_parquet('{files.parquet}')").fetchall() == [(0,)]


def test_a_report_is_ready_before_its_run_lets_go_of_the_warehouse(
    built, reference, small_zone, tmp_path, monkeypatch
):
    """Closing a large warehouse takes a moment; the requester waits for the files only."""
    from orchestration.reports.assets import REPORT_PARTITIONS, ReportStore, activity_report
    from orchestration.resources import Warehouse

    # A copy: this module's `warehouse` fixture holds the built file open with other settings.
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built["warehouse"], copy)
    store = ReportStore(reports_dir=str(tmp_path / "reports"), serving_path=str(built["serving"]))
    report = ReportRange(reference.days[0], reference.days[-1])
    store.registry.request(
        report.key, str(report.start), str(report.end), admin_of(small_zone)["email"], store.now()
    )
    at_close = []
    opened = Warehouse.connect

    @contextmanager
    def connect(self, **options):
        with opened(self, **options) as con:
            yield con
            at_close.append(store.registry.get(report.key))

    monkeypatch.setattr(Warehouse, "connect", connect)
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(REPORT_PARTITIONS.name, [report.key])
        result = dg.materialize(
            [activity_report],
            partition_key=report.key,
            instance=instance,
            resources={"warehouse": Warehouse(path=str(copy)), "reports": store},
        )
    assert result.success
    (seen,) = at_close
    assert seen.status == "ready"
    assert Path(seen.csv_path).is_file() and Path(seen.parquet_path).is_file()


def test_request_follow_and_download_from_the_cli(built, small_zone, reference, tmp_path):
    data = built["data"]
    admin = admin_of(small_zone)
    assert admin["role"] == "master_admin"
    start, end = str(reference.days[0]), str(reference.days[-1])
    asked = run_cli(
        "report", "request", "--start", start, "--end", end, "--requested-by", admin["email"],
        data=data, landing=small_zone,
    )  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    report_id = f"{start}_{end}"
    assert asked.stdout.strip() == f"{report_id} requested"
    assert final_report_status(report_id, data, small_zone) == ready(report_id)
    # The report's run is in the Dagster instance, as a materialization of its partition.
    with dg.DagsterInstance.from_config(str(data / "dagster_home")) as instance:
        assert report_id in instance.get_materialized_partitions(ACTIVITY_REPORT)
    out = tmp_path / "report.csv"
    download = run_cli(
        "report", "download", report_id, "--out", str(out), data=data, landing=small_zone
    )
    assert download.returncode == 0
    header, rows = read_csv(out)
    assert header == HEADER
    assert len(rows) == len(expected_rows(reference, small_zone, ReportRange.from_key(report_id)))
    again = run_cli(
        "report", "request", "--start", start, "--end", end, "--requested-by", admin["email"],
        data=data, landing=small_zone,
    )  # fmt: skip
    assert again.stdout.strip() == f"{report_id} ready"  # the existing report, no new run


def test_refusals_are_one_line_and_create_nothing(built, small_zone):
    data = built["data"]
    cases = [
        (["--start", "2024-05-03", "--end", "2024-05-03", "--requested-by", "x@y.z"], "before"),
        (["--start", "2024-05-01", "--end", "2024-05-04", "--requested-by", "x@y.z"],
         "not a user of this account"),
        (["--start", "../../x", "--end", "2024-05-04", "--requested-by", "x@y.z"], "YYYY-MM-DD"),
    ]  # fmt: skip
    for args, message in cases:
        result = run_cli("report", "request", *args, data=data, landing=small_zone)
        assert result.returncode == 2
        assert message in result.stderr and result.stderr.count("\n") == 1
    listed = run_cli("report", "list", data=data, landing=small_zone).stdout
    assert "2024-05-03_2024-05-03" not in listed and "2024-05-01_2024-05-04" not in listed


def test_a_request_from_the_dagster_ui_is_checked_queued_and_launched(built, small_zone, tmp_path):
    import dagster as dg

    from orchestration.reports.assets import (
        REPORT_PARTITIONS,
        ReportStore,
        report_requests,
        request_activity_report,
    )

    store = ReportStore(reports_dir=str(tmp_path), serving_path=str(built["serving"]))
    users = json.loads(sorted((small_zone / "users").glob("*.json"))[-1].read_text())["users"]
    admin, billing = users[0], next(u for u in users if u["role"] == "billing")
    with dg.instance_for_test() as instance:

        def ask(email):
            return request_activity_report.execute_in_process(
                run_config={
                    "ops": {
                        "request_report": {
                            "config": {
                                "start": "2024-05-01",
                                "end": "2024-05-04",
                                "requested_by": email,
                            }
                        }
                    }
                },
                resources={"reports": store},
                instance=instance,
                raise_on_error=False,
            )

        refused = ask(billing["email"])
        assert not refused.success
        assert store.registry.all() == []
        assert ask(admin["email"]).success
        report = store.registry.get("2024-05-01_2024-05-04")
        assert (report.status, report.launched_by) == ("pending", "dagster")
        assert instance.has_dynamic_partition(REPORT_PARTITIONS.name, report.report_id)
        context = dg.build_sensor_context(instance=instance, resources={"reports": store})
        (run,) = report_requests(context)
        assert run.partition_key == report.report_id
        assert run.run_key == f"{report.report_id}@{report.requested_at}"


def test_a_killed_report_process_is_failed_and_a_retry_succeeds(built, small_zone):
    import os
    import signal

    from orchestration.reports.registry import Registry

    data = built["data"]
    admin = admin_of(small_zone)
    start, end = str(reference_days(small_zone)[1]), str(reference_days(small_zone)[4])
    report_id = f"{start}_{end}"

    def ask():
        return run_cli(
            "report", "request", "--start", start, "--end", end,
            "--requested-by", admin["email"], data=data, landing=small_zone,
        )  # fmt: skip

    assert ask().returncode == 0
    registry = Registry(data / "reports" / "registry.sqlite")
    os.kill(registry.get(report_id).worker_pid, signal.SIGKILL)
    time.sleep(0.5)
    status = run_cli("report", "status", report_id, data=data, landing=small_zone).stdout
    assert status.startswith(f"{report_id} failed")
    folder = data / "reports" / report_id
    assert not [*folder.glob("*.csv"), *folder.glob("*.parquet")]  # nothing half-written
    assert ask().stdout.strip() == f"{report_id} requested"
    assert final_report_status(report_id, data, small_zone) == ready(report_id)
    header, rows = read_csv(registry.get(report_id).csv_path)
    assert header == HEADER and len(rows) == registry.get(report_id).row_count


def reference_days(zone):
    return sorted(date.fromisoformat(p.stem) for p in (zone / "users").glob("*.json"))
