"""The dbt project's own flags, which hold however dbt is started: from Dagster, from the
command line in `dbt_project/`, or from a test."""

from __future__ import annotations

import json
import os
import subprocess

from orchestration.dbt.project import DBT_PROJECT_DIR, dbt_executable


def dbt_arguments(tmp_path) -> dict[str, str]:
    """The flags a plain `dbt ls` resolves, as dbt logs them, with no DBT_* variable set."""
    logs = tmp_path / "logs"
    subprocess.run(
        [dbt_executable(), "ls", "--select", "stg_dam__events", "--quiet",
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(tmp_path / "target"), "--log-path", str(logs),
         "--log-format-file", "json"],
        env={**{k: v for k, v in os.environ.items() if not k.startswith("DBT_")},
             "DAM_WAREHOUSE_PATH": ":memory:"},
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    events = [json.loads(line) for line in (logs / "dbt.log").read_text().splitlines()]
    return next(e["data"]["args"] for e in events if e["info"]["name"] == "MainReportArgs")


def test_dbt_sends_no_usage_events_when_started_by_hand(tmp_path):
    """Dagster's runs turn dbt's usage events off; the project does it for every start, so
    that nothing the warehouse runs reaches for the network."""
    assert dbt_arguments(tmp_path)["send_anonymous_usage_stats"] == "False"
