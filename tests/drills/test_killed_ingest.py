"""Drill: the main job killed in the middle of a run; the next run reclaims the Dagster
pool slot the dead run held, completes, and equals an uninterrupted load."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from tests.conftest import run_cli


def test_a_run_killed_midway_leaves_nothing_that_blocks_or_differs(built, small_zone, tmp_path):
    data = tmp_path / "data"
    env = {
        **os.environ,
        "DAM_DATA_DIR": str(data),
        "DAM_LANDING_DIR": str(small_zone),
        "DAGSTER_HOME": str(data / "dagster_home"),
        "DAM_MAX_QUARANTINE_RATE": "0.5",
    }
    env.pop("DAM_WAREHOUSE_PATH", None)
    run = subprocess.Popen(
        [str(Path(sys.executable).parent / "dam-usage"), "run"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not (data / "warehouse.duckdb").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(3)  # well inside the run: loading or building
    run.send_signal(signal.SIGKILL)
    run.wait()
    time.sleep(10)  # a dbt child left behind finishes on its own
    again = run_cli("run", data=data, landing=small_zone)
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    assert "had been killed" in again.stdout
    with (
        duckdb.connect(str(built["serving"]), read_only=True) as expected,
        duckdb.connect(str(data / "serving" / "marts.duckdb"), read_only=True) as found,
    ):
        for (table,) in expected.execute("select table_name from duckdb_tables()").fetchall():
            query = f"select * from {table} order by all"
            assert found.execute(query).fetchall() == expected.execute(query).fetchall(), table
