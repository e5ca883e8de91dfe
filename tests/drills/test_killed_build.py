"""Drill: the daily run killed (with its dbt child) in the middle of the dbt build. The
published marts still show the last good build; the re-run completes and equals an
uninterrupted load of every day."""

from __future__ import annotations

import time

from orchestration.cli import landing_days
from tests.conftest import run_cli
from tests.drills.conftest import dbt_building, kill_session, start, tables, wait_for

WAREHOUSE_SCHEMAS = ("raw", "intermediate", "core", "marts")


def test_a_build_killed_midway_keeps_the_last_good_marts(built, small_zone, tmp_path):
    data = tmp_path / "data"
    *history, today = [day.isoformat() for day in landing_days(small_zone)]
    first = run_cli("run", "--end", history[-1], data=data, landing=small_zone)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    serving = data / "serving" / "marts.duckdb"
    last_good = tables(serving)

    daily = start("run", "--start", today, "--end", today, data=data, landing=small_zone)

    wait_for(lambda: dbt_building(daily.pid), 180, "the dbt build to start")
    time.sleep(2)  # inside the build: seeds and staging are done in well under a second
    assert dbt_building(daily.pid), "the build ended before the drill could kill it"
    kill_session(daily)

    assert tables(serving) == last_good
    again = run_cli("run", "--start", today, "--end", today, data=data, landing=small_zone)
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    assert "had been killed" in again.stdout
    assert tables(serving) == tables(built["serving"])
    assert tables(data / "warehouse.duckdb", WAREHOUSE_SCHEMAS) == tables(
        built["warehouse"], WAREHOUSE_SCHEMAS
    )
