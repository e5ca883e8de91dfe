"""Drill: the main job killed while it loads the landing files; the next run reclaims the
Dagster pool slot the dead run held, completes, and equals an uninterrupted load."""

from __future__ import annotations

from tests.conftest import run_cli
from tests.drills.conftest import (
    dbt_building,
    feeds_loaded,
    kill_session,
    start,
    tables,
    wait_for,
)


def test_a_run_killed_while_loading_leaves_nothing_lost_doubled_or_blocking(
    built, small_zone, tmp_path
):
    data = tmp_path / "data"
    run = start("run", data=data, landing=small_zone)
    # Killed once a first feed is in the raw tables, while the others still load.
    wait_for(lambda: feeds_loaded(data) > 0, 120, "the load to record a first feed")
    assert not dbt_building(run.pid), "already in dbt"
    kill_session(run)

    again = run_cli("run", data=data, landing=small_zone)
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    assert "had been killed" in again.stdout
    # Raw rows and quarantined records neither lost nor doubled; the marts the same.
    schemas = ("raw", "intermediate", "core", "marts")
    assert tables(data / "warehouse.duckdb", schemas) == tables(built["warehouse"], schemas)
    assert tables(data / "serving" / "marts.duckdb") == tables(built["serving"])
