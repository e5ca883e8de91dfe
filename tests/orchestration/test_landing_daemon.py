"""With the daemon running, landing files reach the published marts by themselves: no one
launches a run. The sensor's decisions are tested in test_sensors.py."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb

from orchestration.landing import landing_days
from orchestration.settings import PROJECT_ROOT
from tests.conftest import cli_env, run_cli
from tests.drills.conftest import tables

BIN = Path(sys.executable).parent
CODE = ["-m", "orchestration.definitions", "--working-directory", str(PROJECT_ROOT)]


def last_served_day(serving: Path) -> date | None:
    try:
        with duckdb.connect(str(serving), read_only=True) as con:
            return con.execute("select last_arrival_day from serving_build").fetchone()[0]
    except duckdb.Error:  # not published yet, or being swapped
        return None


def wait_until_served(serving: Path, day: date, daemon, log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while last_served_day(serving) != day:
        assert daemon.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, f"{day} never served:\n{log.read_text()[-3000:]}"
        time.sleep(1)


def hold_back(zone: Path, day: date, holding: Path) -> list[tuple[Path, Path]]:
    """Move a day's folders and files out of the zone; (where it was, where it is now)."""
    moved = []
    for path in sorted(zone.glob(f"**/{day.isoformat()}*")):
        if not any(path.is_relative_to(earlier) for earlier, _ in moved):
            aside = holding / path.relative_to(zone)
            aside.parent.mkdir(parents=True, exist_ok=True)
            moved.append((path, aside))
    for path, aside in moved:
        path.rename(aside)
    return moved


def test_files_dropped_into_the_landing_zone_reach_the_marts_by_themselves(
    small_zone, built, tmp_path
):
    days = landing_days(small_zone)
    zone = tmp_path / "landing"
    subprocess.run(["cp", "-a", str(small_zone), str(zone)], check=True)
    held = hold_back(zone, days[-1], tmp_path / "held")
    assert landing_days(zone) == days[:-1]

    data = tmp_path / "data"
    env = cli_env(data, zone, DAM_LANDING_POLL_MINUTES="0.1", DAM_LANDING_SETTLE_SECONDS="1")
    prepared = run_cli("prepare", data=data, landing=zone, **env)
    assert prepared.returncode == 0, prepared.stderr[-2000:]
    serving = data / "serving" / "marts.duckdb"
    log = tmp_path / "daemon.log"
    with log.open("w") as output:
        daemon = subprocess.Popen(
            [str(BIN / "dagster-daemon"), "run", *CODE],
            env=env, cwd=data / "dagster_home", stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            # The zone's history, never loaded, is loaded on the sensor's first tick.
            wait_until_served(serving, days[-2], daemon, log, 600)
            # A new arrival day lands (moved in: its files keep their old times).
            for path, aside in held:
                aside.rename(path)
            wait_until_served(serving, days[-1], daemon, log, 300)
        finally:
            daemon.terminate()
            daemon.wait(timeout=60)
    # Loaded in two runs, by the sensor: the same served tables as one run of everything.
    assert tables(serving) == tables(built["serving"])
