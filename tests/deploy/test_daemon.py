"""deploy/dagster.yaml with its daemon: a run launched from outside is queued in
PostgreSQL, and the daemon dequeues it and runs it to the end, as in a deployment."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import psycopg2

from orchestration.cli import landing_days
from orchestration.partitions import run_tags
from orchestration.settings import PROJECT_ROOT
from tests.conftest import cli_env, run_cli
from tests.deploy.test_postgres_instance import DEPLOY_CONFIG, query
from tests.drills.conftest import tables

BIN = Path(sys.executable).parent
CODE = ["-m", "orchestration.definitions", "--working-directory", str(PROJECT_ROOT)]


def run_ids(postgres) -> set[str]:
    """Every run in the instance (none before Dagster first creates its tables)."""
    try:
        return {row[0] for row in query(postgres, "select run_id from runs")}
    except psycopg2.errors.UndefinedTable:
        return set()


def final_status(postgres, run_id: str, seconds: float = 300) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        (status,) = query(postgres, f"select status from runs where run_id = '{run_id}'")[0]
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            return status
        time.sleep(1)
    return "timed out"


def test_the_daemon_dequeues_and_runs_a_launched_run(postgres, built, small_zone, tmp_path):
    data = tmp_path / "data"
    env = cli_env(
        data, small_zone, DAM_DAGSTER_CONFIG=DEPLOY_CONFIG, DAM_WATCH_LANDING="off", **postgres
    )
    prepared = run_cli("prepare", data=data, landing=small_zone, **env)
    assert prepared.returncode == 0, prepared.stderr[-2000:]
    # The storage exists before the daemon and the launch start, which would otherwise
    # both create it at once and collide.
    assert query(postgres, "select count(*) from alembic_version") == [(1,)]
    days = landing_days(small_zone)
    before = run_ids(postgres)
    log = (tmp_path / "daemon.log").open("w")
    daemon = subprocess.Popen(
        [str(BIN / "dagster-daemon"), "run", *CODE],
        env=env, cwd=data / "dagster_home", stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        launched = subprocess.run(
            [str(BIN / "dagster"), "job", "launch", *CODE, "-j", "load_warehouse",
             "--tags", json.dumps(run_tags(days[0], days[-1]))],
            env=env, cwd=data / "dagster_home", capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert launched.returncode == 0, launched.stdout[-2000:] + launched.stderr[-2000:]
        (run_id,) = run_ids(postgres) - before
        status = final_status(postgres, run_id)
    finally:
        daemon.terminate()
        daemon.wait(timeout=60)
        log.close()
    daemon_log = (tmp_path / "daemon.log").read_text()
    assert status == "SUCCESS", daemon_log[-3000:]
    events = {
        row[0]
        for row in query(
            postgres, f"select dagster_event_type from event_logs where run_id = '{run_id}'"
        )
    }
    # Queued by the launch, then started by the daemon's run queue.
    assert {"PIPELINE_ENQUEUED", "PIPELINE_STARTING", "PIPELINE_SUCCESS"} <= events
    assert "Launched 1 runs." in daemon_log
    assert tables(data / "serving" / "marts.duckdb") == tables(built["serving"])
