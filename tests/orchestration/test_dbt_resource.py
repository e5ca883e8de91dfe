"""The dbt resource hands dbt the run's arrival window in its environment, which leaves
dbt's parse valid."""

from __future__ import annotations

from datetime import date

from orchestration.dbt.assets import arrival_window_environment
from orchestration.dbt.project import dbt_executable, dbt_project
from orchestration.dbt.resource import WarehouseDbtCli


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
