"""The Dagster code location: asset keys (a snapshot, so a rename is noticed), groups,
checks, the one-writer pool, and the instance configuration."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import dagster as dg
import yaml

from orchestration.cli import landing_days
from orchestration.dbt.assets import arrival_window_environment, dbt_build_args
from orchestration.definitions import defs, settings
from orchestration.partitions import arrival_days, run_tags
from orchestration.schedules import previous_day
from orchestration.serving.assets import PUBLISHED_MARTS, build_publish_asset
from orchestration.settings import PROJECT_ROOT, Settings

EXPECTED_KEYS = {
    "core/dim_account": "core",
    "core/dim_assets": "core",
    "core/dim_product_environments": "core",
    "core/dim_users": "core",
    "core/fct_account_usage": "core",
    "core/fct_add_on_usage": "core",
    "core/fct_dam_activity": "core",
    "intermediate/int_activity_unioned": "core",
    "intermediate/int_calendar": "core",
    "intermediate/int_container_daily_counts": "core",
    "intermediate/int_container_events": "core",
    "intermediate/int_container_state_intervals": "core",
    "intermediate/int_container_subject_islands": "core",
    "intermediate/int_environments": "core",
    "intermediate/int_user_snapshots": "core",
    "marts/mart_account_usage_daily": "marts",
    "marts/mart_active_users_daily": "marts",
    "marts/mart_add_on_usage_daily": "marts",
    "marts/mart_assets_daily": "marts",
    "marts/mart_collection_publications": "marts",
    "marts/mart_collection_views_daily": "marts",
    "marts/mart_collections_daily": "marts",
    "marts/mart_portals_daily": "marts",
    "marts/mart_scope_actions_daily": "marts",
    "marts/mart_uploads_daily": "marts",
    "marts/mart_user_actions_daily": "marts",
    "marts/mart_users_daily": "marts",
    "raw/account": "raw",
    "raw/dam_events": "raw",
    "raw/notifications": "raw",
    "raw/usage": "raw",
    "raw/users": "raw",
    "reference/action_catalogue": "reference",
    "reference/asset_types": "reference",
    "reference/plans": "reference",
    "reference/roles": "reference",
    "reports/activity_report": "reports",
    "run_state/int_activity_days_touched": "core",
    "run_state/int_containers_touched": "core",
    "serving/published_marts": "serving",
    "stored/int_activity_unioned": "core",
    "stored/int_container_events": "core",
    "staging/stg_dam__accounts": "staging",
    "staging/stg_dam__arrival_days": "staging",
    "staging/stg_dam__events": "staging",
    "staging/stg_dam__notification_assets": "staging",
    "staging/stg_dam__notifications": "staging",
    "staging/stg_dam__product_environments": "staging",
    "staging/stg_dam__usage": "staging",
    "staging/stg_dam__usage_add_ons": "staging",
    "staging/stg_dam__user_group_members": "staging",
    "staging/stg_dam__users": "staging",
}


def test_asset_keys_and_groups():
    graph = defs.resolve_asset_graph()
    found = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert found == EXPECTED_KEYS


def test_staging_reads_from_the_ingest_assets():
    graph = defs.resolve_asset_graph()
    parents = graph.get(dg.AssetKey(["staging", "stg_dam__events"])).parent_keys
    assert parents == {dg.AssetKey(["raw", "dam_events"])}


def test_the_run_state_lists_read_the_stored_tables_in_the_lineage_without_a_cycle():
    graph = defs.resolve_asset_graph()
    for listing, stored in (
        ("int_containers_touched", "int_container_events"),
        ("int_activity_days_touched", "int_activity_unioned"),
    ):
        key = dg.AssetKey(["run_state", listing])
        assert dg.AssetKey(["stored", stored]) in graph.get(key).parent_keys
        assert key in graph.get(dg.AssetKey(["intermediate", stored])).parent_keys
        assert not graph.get(dg.AssetKey(["stored", stored])).is_materializable


def test_every_warehouse_writer_is_in_the_duckdb_pool():
    for assets_def in defs.resolve_asset_graph().assets_defs:
        if assets_def.is_executable:
            assert assets_def.op.pool == "duckdb", assets_def.keys


def test_every_raw_asset_has_a_quarantine_check_and_dbt_tests_are_checks():
    check_keys = {
        (k.asset_key.to_user_string(), k.name) for k in defs.resolve_asset_graph().asset_check_keys
    }
    for feed in ("account", "users", "usage", "notifications", "dam_events"):
        assert (f"raw/{feed}", "quarantine_rate") in check_keys
    assert ("staging/stg_dam__events", "unique_stg_dam__events_event_id") in check_keys


def test_every_check_says_what_it_checks():
    specs = [
        spec
        for assets_def in defs.resolve_asset_graph().assets_defs
        for spec in assets_def.check_specs
    ]
    assert len(specs) > 50
    assert [spec.key.to_user_string() for spec in specs if not spec.description] == []
    descriptions = {spec.key.name: spec.description for spec in specs}
    assert descriptions["unique_stg_dam__events_event_id"] == (
        "No two rows share a value of event_id."
    )


def test_the_raw_partitions_start_on_the_landing_zones_first_day(tmp_path, monkeypatch):
    from orchestration.settings import Settings

    (tmp_path / "dam_events" / "2023-11-20").mkdir(parents=True)
    (tmp_path / "users").mkdir()
    (tmp_path / "users" / "2023-11-19.json").write_text("{}")
    monkeypatch.setenv("DAM_LANDING_DIR", str(tmp_path))
    monkeypatch.delenv("DAM_FIRST_ARRIVAL_DAY", raising=False)
    keys = arrival_days(Settings.from_env()).get_partition_keys()
    assert keys[0] == "2023-11-19"
    monkeypatch.setenv("DAM_FIRST_ARRIVAL_DAY", "2023-11-25")
    assert arrival_days(Settings.from_env()).get_partition_keys()[0] == "2023-11-25"


def test_the_load_job_covers_every_asset_but_reports():
    job = defs.resolve_job_def("load_warehouse")
    graph = defs.resolve_asset_graph()
    everything = graph.get_all_asset_keys()
    reports = {k for k in everything if k.path[0] == "reports"}
    assert reports == {dg.AssetKey(["reports", "activity_report"])}
    stored = {k for k in everything if not graph.get(k).is_materializable}
    assert {k.path[0] for k in stored} == {"stored"}
    assert job.asset_layer.executable_asset_keys == everything - reports - stored


def test_reports_have_their_job_sensor_and_dynamic_partitions():
    assert defs.resolve_job_def("activity_report") is not None
    assert defs.resolve_job_def("retire_reports_job") is not None
    assert defs.resolve_sensor_def("report_retention").job_name == "retire_reports_job"


def test_instance_config_limits_duckdb_writers_to_one():
    config = yaml.safe_load((PROJECT_ROOT / "dagster.yaml").read_text())
    assert config["concurrency"]["pools"]["default_limit"] == 1
    assert config["run_monitoring"]["enabled"] is True
    assert config["run_monitoring"]["free_slots_after_run_end_seconds"] > 0


def test_dbt_gets_one_build_and_the_half_open_window_in_its_environment():
    assert dbt_build_args() == ["build"]
    assert dbt_build_args(full_refresh=True) == ["build", "--full-refresh"]
    assert arrival_window_environment(date(2024, 5, 1), date(2024, 5, 8)) == {
        "DAM_MIN_ARRIVAL_DATE": "2024-05-01",
        "DAM_MAX_ARRIVAL_DATE": "2024-05-08",
    }


def test_daily_schedule_loads_the_previous_day():
    schedule = defs.resolve_schedule_def("daily_warehouse")
    first = date.fromisoformat(arrival_days(settings).get_first_partition_key())
    second = first + timedelta(days=1)
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime.combine(second, time(1, 30), tzinfo=UTC),
        repository_def=defs.get_repository_def(),
    )
    (request,) = schedule.evaluate_tick(context).run_requests
    assert request.partition_key == first.isoformat()
    assert request.run_key == first.isoformat()
    assert previous_day(datetime(2024, 5, 1, 0, 5, tzinfo=UTC)) == "2024-04-30"


def test_run_tags_cover_a_range():
    assert run_tags(date(2024, 5, 1), date(2024, 5, 3)) == {
        "dagster/asset_partition_range_start": "2024-05-01",
        "dagster/asset_partition_range_end": "2024-05-03",
    }


def test_landing_days_reads_folder_and_file_names(tmp_path: Path):
    (tmp_path / "dam_events" / "2024-05-02").mkdir(parents=True)
    (tmp_path / "notifications" / "acme" / "2024-05-03").mkdir(parents=True)
    (tmp_path / "account").mkdir()
    (tmp_path / "account" / "2024-05-01.json").write_text("{}")
    (tmp_path / "account" / "notes.txt").write_text("")
    (tmp_path / "dam_events" / "2024-13-45").mkdir()
    assert landing_days(tmp_path) == [date(2024, 5, 1), date(2024, 5, 2), date(2024, 5, 3)]


def test_the_published_marts_are_stale_after_the_configured_age(monkeypatch):
    (spec,) = defs.resolve_assets_def(PUBLISHED_MARTS).specs
    assert spec.freshness_policy.fail_window.to_timedelta() == timedelta(hours=26)
    monkeypatch.setenv("DAM_MAX_SERVING_AGE_HOURS", "6")
    (spec,) = build_publish_asset([], Settings.from_env()).specs
    assert spec.freshness_policy.fail_window.to_timedelta() == timedelta(hours=6)
    for config in ("dagster.yaml", "deploy/dagster.yaml"):  # the daemon that judges it
        assert yaml.safe_load((PROJECT_ROOT / config).read_text())["freshness"]["enabled"]
