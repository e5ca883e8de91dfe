"""The ingest assets in Dagster: partitions, metadata, the quarantine check and the
error-rate limit that fails a run with a message naming the file."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import dagster as dg

from orchestration.ingest.assets import QUARANTINE_CHECK, LandingZone, build_ingest_assets
from orchestration.partitions import run_tags
from orchestration.resources import Warehouse
from orchestration.settings import Settings
from tests.conftest import SMALL, small_days


def materialize(settings: Settings, landing, warehouse_path, max_rate: float, **kwargs):
    return dg.materialize(
        build_ingest_assets(settings),
        resources={
            "warehouse": Warehouse(path=str(warehouse_path)),
            "landing": LandingZone(root=str(landing), max_quarantine_rate=max_rate),
        },
        raise_on_error=False,
        **kwargs,
    )


def settings_for(tmp_path) -> Settings:
    return replace(Settings.from_env(), first_arrival_day=date(2024, 1, 1))


def test_one_run_loads_a_range_and_reports_counts(tmp_path, small_zone):
    days = small_days()
    result = materialize(
        settings_for(tmp_path),
        small_zone,
        tmp_path / "w.duckdb",
        0.5,
        tags=run_tags(days[0], days[-1]),
    )
    assert result.success
    materializations = {
        m.asset_key.to_user_string(): m.metadata
        for m in result.asset_materializations_for_node("raw__dam_events")
    }
    metadata = materializations["raw/dam_events"]
    assert metadata["arrival_days"].value == SMALL.days
    assert metadata["records_quarantined"].value > 0
    checks = result.get_asset_check_evaluations()
    assert {c.check_name for c in checks} == {QUARANTINE_CHECK}
    assert all(c.passed for c in checks)


def test_too_many_bad_records_fail_the_run_naming_the_file(tmp_path, small_zone):
    day = small_days()[0]
    result = materialize(
        settings_for(tmp_path),
        small_zone,
        tmp_path / "w.duckdb",
        0.0005,
        partition_key=day.isoformat(),
        selection=[dg.AssetKey(["raw", "dam_events"])],
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    description = failure.event_specific_data.user_failure_data.description
    assert f"dam_events/{day}/events-0000.jsonl" in description
    assert "DAM_MAX_QUARANTINE_RATE" in description
    (check,) = result.get_asset_check_evaluations()
    assert not check.passed


def test_a_missing_landing_zone_fails_with_the_path(tmp_path):
    result = materialize(
        settings_for(tmp_path),
        tmp_path / "nowhere",
        tmp_path / "w.duckdb",
        0.5,
        partition_key="2024-05-01",
        selection=[dg.AssetKey(["raw", "account"])],
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert (
        str(tmp_path / "nowhere" / "account")
        in failure.event_specific_data.user_failure_data.description
    )
