"""The dbt resource runs dbt without first asking it for its version or loading an adapter,
and hands it the run's arrival window in its environment, which leaves dbt's parse valid."""

from __future__ import annotations

import re
import subprocess
from datetime import date

import pytest
from dagster_dbt import DbtCliResource
from dagster_dbt.core import resource as stock

from orchestration.dbt.assets import arrival_window_environment
from orchestration.dbt.project import dbt_executable, dbt_project
from orchestration.dbt.resource import WarehouseDbtCli


def test_the_version_it_assumes_is_the_one_dbt_reports():
    reported = subprocess.run(
        [dbt_executable(), "--version"], capture_output=True, text=True, check=True
    ).stdout
    installed = re.search(r"installed:\s*(\d+\.\d+\.\d+)", reported).group(1)
    dbt = WarehouseDbtCli(project_dir=dbt_project(), dbt_executable=dbt_executable())
    assert str(dbt._cli_version) == installed


def test_another_dbt_executable_is_asked_for_its_version(tmp_path):
    fake = tmp_path / "dbt"
    fake.write_text("#!/bin/sh\necho 'Core:'\necho '  - installed: 9.8.7'\n")
    fake.chmod(0o755)
    dbt = WarehouseDbtCli(project_dir=dbt_project(), dbt_executable=str(fake))
    assert str(dbt._cli_version) == "9.8.7"


def test_a_dbt_command_runs_without_the_version_process_or_an_adapter(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("not expected at run time")

    # The stock resource would call both before starting dbt (and survive the adapter's
    # failure with a warning, so that one is checked by the call itself).
    monkeypatch.setattr(stock, "check_output", refuse)
    adapters = []
    monkeypatch.setattr(
        DbtCliResource, "_initialize_dbt_core_adapter", lambda self, args: adapters.append(args)
    )
    dbt = WarehouseDbtCli(project_dir=dbt_project(), dbt_executable=dbt_executable())
    invocation = dbt.cli(["list", "--select", "mart_users_daily", "--output", "name"])
    assert invocation.wait().is_successful()
    assert invocation.adapter is None
    assert adapters == []
    with pytest.raises(AssertionError):
        DbtCliResource(project_dir=dbt_project(), dbt_executable=dbt_executable()).cli(["list"])


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
