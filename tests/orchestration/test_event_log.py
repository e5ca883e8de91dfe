"""The batching event log records what Dagster's stock SQLite storage records."""

from __future__ import annotations

import dagster as dg
import yaml

from orchestration.cli import landing_days
from orchestration.event_log import BatchingSqliteEventLogStorage
from orchestration.home import EVENT_LOG_CLASS, EVENT_LOG_MODULE, home_settings
from orchestration.ingest.assets import QUARANTINE_CHECK
from orchestration.ingest.feeds import FEEDS
from orchestration.settings import PROJECT_ROOT


def test_a_run_over_many_days_records_every_partition_and_check(built, small_zone):
    instance = dg.DagsterInstance.from_config(str(built["data"] / "dagster_home"))
    storage = instance.event_log_storage
    assert isinstance(storage, BatchingSqliteEventLogStorage)
    days = {day.isoformat() for day in landing_days(small_zone)}
    assert len(days) > 1
    (run,) = instance.get_runs()
    planned = instance.get_records_for_run(
        run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED
    ).records
    for feed in FEEDS:
        key = dg.AssetKey(["raw", feed.name])
        assert instance.get_materialized_partitions(key) == days, feed.name
        latest = instance.get_latest_materialization_event(key)
        assert latest.dagster_event.partition == max(days)
        assert latest.asset_materialization.metadata["arrival_days"].value == len(days)
        assert {r.event_log_entry.dagster_event.partition for r in planned
                if r.event_log_entry.dagster_event.asset_key == key} == days  # fmt: skip
        check = dg.AssetCheckKey(key, QUARANTINE_CHECK)
        (evaluation,) = storage.get_asset_check_execution_history(check, limit=10)
        assert evaluation.run_id == run.run_id
        assert evaluation.status.value == "SUCCEEDED"


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
