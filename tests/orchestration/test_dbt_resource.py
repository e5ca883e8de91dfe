"""The dbt resource runs dbt through `dam-dbt`, which answers dagster-dbt's version question
as dbt does, and hands dbt the run's arrival window in its environment, which leaves dbt's
parse valid."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

from orchestration.dbt.assets import arrival_window_environment
from orchestration.dbt.project import dbt_executable, dbt_project
from orchestration.dbt.resource import WarehouseDbtCli


def test_dam_dbt_reports_the_version_dbt_reports_and_runs_dbt_for_the_rest():
    assert Path(dbt_executable()).name == "dam-dbt"
    dbt = str(Path(sys.executable).parent / "dbt")
    reported = subprocess.run([dbt, "--version"], capture_output=True, text=True, check=True)
    quick = subprocess.run([dbt_executable(), "--version"], capture_output=True, text=True)
    version = re.compile(r"installed:\s*(\d+\.\d+\.\d+)")
    assert version.search(quick.stdout).group(1) == version.search(reported.stdout).group(1)
    listed = WarehouseDbtCli(project_dir=dbt_project(), dbt_executable=dbt_executable()).cli(
        ["list", "--select", "mart_users_daily", "--output", "name"]
    )
    printed = [event.raw_event["info"]["msg"] for event in listed.stream_raw_events()]
    assert listed.is_successful()
    assert listed.dbt_command.split()[0] == dbt_executable()
    assert "mart_users_daily" in printed


def test_a_new_window_reaches_the_tests_without_parsing_the_project_again(tmp_path):
    dbt = WarehouseDbtCli(project_dir=dbt_project(), dbt_executable=dbt_executable())
    target = tmp_path / "target"
    test = "not_null_stg_dam__events_event_id"  # filtered to the window's arrival days
    reparsed = []
    for first in (date(2025, 5, 1), date(2025, 6, 30)):
        env = {
            **arrival_window_environment(first, date(2025, 7, 1)),
            "DAM_WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb"),
        }
        invocation = dbt.cli(["compile", "--select", test], target_path=target, env=env)
        events = [event.raw_event["info"]["name"] for event in invocation.stream_raw_events()]
        assert invocation.is_successful()
        reparsed.append("UnableToPartialParse" in events)
        compiled = next((target / "compiled").rglob(f"{test}.sql")).read_text()
        assert f"arrival_date >= cast('{first.isoformat()}' as date)" in compiled
    # The first parse is new (another warehouse file changes the profile); the second one
    # would not be if the window changed dbt's variables.
    assert reparsed == [True, False]
