"""The batching event log records what Dagster's stock SQLite storage records."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import dagster as dg
import yaml
from dagster._core.events.log import EventLogEntry

from orchestration.cli import landing_days
from orchestration.event_log import ENGINES_KEPT, BatchingSqliteEventLogStorage
from orchestration.home import EVENT_LOG_CLASS, EVENT_LOG_MODULE, home_settings
from orchestration.ingest.assets import QUARANTINE_CHECK
from orchestration.ingest.feeds import FEEDS
from orchestration.settings import PROJECT_ROOT
from tests.conftest import run_cli


def recorded(home: Path) -> dict:
    """What the instance says about the ingest assets after one run over many days."""
    with dg.DagsterInstance.from_config(str(home)) as instance:
        storage = instance.event_log_storage
        (run,) = instance.get_runs()
        planned = instance.get_records_for_run(
            run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED
        ).records
        found = {"storage": type(storage).__name__, "status": run.status}
        for feed in FEEDS:
            key = dg.AssetKey(["raw", feed.name])
            latest = instance.get_latest_materialization_event(key)
            checks = storage.get_asset_check_execution_history(
                dg.AssetCheckKey(key, QUARANTINE_CHECK), limit=1000
            )
            found[feed.name] = {
                "materialized": instance.get_materialized_partitions(key),
                "latest": (latest.dagster_event.partition,
                           latest.asset_materialization.metadata["rows_loaded"].value),
                "planned": sorted(r.event_log_entry.dagster_event.partition for r in planned
                                  if r.event_log_entry.dagster_event.asset_key == key),
                "checks": sorted((c.status.value, c.partition or "") for c in checks),
            }  # fmt: skip
    return found


def test_a_run_over_many_days_is_recorded_as_the_stock_storage_records_it(small_zone, tmp_path):
    stock_home = tmp_path / "stock" / "dagster_home"
    stock = tmp_path / "stock.yaml"
    stock.write_text(
        (PROJECT_ROOT / "dagster.yaml").read_text()
        + "event_log_storage:\n  module: dagster._core.storage.event_log\n"
        + f"  class: SqliteEventLogStorage\n  config:\n    base_dir: {stock_home}/history/runs\n"
    )
    for data, env in ((tmp_path / "stock", {"DAM_DAGSTER_CONFIG": str(stock)}),
                      (tmp_path / "batching", {})):  # fmt: skip
        loaded = run_cli("run", "--only", "ingest", data=data, landing=small_zone, **env)
        assert loaded.returncode == 0, loaded.stdout[-2000:] + loaded.stderr[-2000:]

    batching = recorded(tmp_path / "batching" / "dagster_home")
    expected = recorded(stock_home)
    assert (batching.pop("storage"), expected.pop("storage")) == (
        BatchingSqliteEventLogStorage.__name__,
        "SqliteEventLogStorage",
    )
    assert batching == expected
    days = {day.isoformat() for day in landing_days(small_zone)}
    assert len(days) > 1
    assert batching["dam_events"]["materialized"] == days
    assert batching["dam_events"]["planned"] == sorted(days)


def test_a_home_gets_the_batching_log_unless_its_settings_choose_a_storage(tmp_path):
    plain = "telemetry:\n  enabled: false\n"
    completed = yaml.safe_load(home_settings(plain, tmp_path))
    assert completed["telemetry"] == {"enabled": False}
    assert completed["event_log_storage"] == {
        "module": EVENT_LOG_MODULE,
        "class": EVENT_LOG_CLASS,
        "config": {"base_dir": str(tmp_path / "history" / "runs")},
    }
    deploy = (PROJECT_ROOT / "deploy" / "dagster.yaml").read_text()
    assert home_settings(deploy, tmp_path) == deploy


def test_a_long_lived_storage_keeps_a_few_engines_and_every_run_readable(tmp_path):
    storage = BatchingSqliteEventLogStorage(str(tmp_path))
    runs = [f"run-{n}" for n in range(ENGINES_KEPT + 4)]
    for run_id in runs:
        for n in range(2):
            storage.store_event(EventLogEntry(None, "INFO", f"{run_id}/{n}", run_id, time.time()))
    assert len(storage._engines) == ENGINES_KEPT
    for run_id in runs:
        records = storage.get_records_for_run(run_id).records
        assert [r.event_log_entry.user_message for r in records] == [f"{run_id}/0", f"{run_id}/1"]


def messages(storage: BatchingSqliteEventLogStorage, run_id: str) -> list[str]:
    return [r.event_log_entry.user_message for r in storage.get_records_for_run(run_id).records]


def test_events_stored_one_at_a_time_share_a_connection_per_file(tmp_path, monkeypatch):
    storage = BatchingSqliteEventLogStorage(str(tmp_path))
    opened, connect = [], sqlite3.dbapi2.connect  # what SQLAlchemy calls
    monkeypatch.setattr(
        sqlite3.dbapi2, "connect", lambda *a, **kw: opened.append(a) or connect(*a, **kw)
    )
    for n in range(20):
        storage.store_event(EventLogEntry(None, "INFO", f"m{n}", "run-a", time.time()))
    assert messages(storage, "run-a") == [f"m{n}" for n in range(20)]
    assert len(opened) <= 2  # the run's file and the index

    # Wiping deletes the files: what comes next goes to new ones, not to the kept handles.
    storage.wipe()
    storage.store_event(EventLogEntry(None, "INFO", "again", "run-a", time.time()))
    assert messages(BatchingSqliteEventLogStorage(str(tmp_path)), "run-a") == ["again"]
    storage.dispose()
    assert not storage._engines


def test_commits_skip_the_flush_that_wal_mode_does_not_need(tmp_path):
    storage = BatchingSqliteEventLogStorage(str(tmp_path))
    storage.store_event(EventLogEntry(None, "INFO", "m", "run-a", time.time()))
    for shard in ("run-a", "index"):
        with storage._connect(shard) as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    storage.dispose()
