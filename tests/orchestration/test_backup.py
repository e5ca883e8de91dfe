"""Backup and restore as the README tells it: a backup taken after some days, the warehouse
file lost, the backup put back, the missing days run again: equal to an unbroken load."""

from __future__ import annotations

import shutil
from pathlib import Path

from orchestration.cli import landing_days
from tests.conftest import run_cli
from tests.drills.conftest import tables

SCHEMAS = ("raw", "intermediate", "core", "marts")


def test_restore_a_backup_and_catch_up(built, small_zone, tmp_path):
    data = tmp_path / "data"
    days = [day.isoformat() for day in landing_days(small_zone)]
    history = run_cli("run", "--end", days[3], data=data, landing=small_zone)
    assert history.returncode == 0, history.stderr[-2000:]
    backup = run_cli("backup", data=data, landing=small_zone)
    assert backup.returncode == 0, backup.stderr
    copy = Path(backup.stdout.strip())
    assert copy.is_file() and copy.parent == data / "backups"
    assert tables(copy, SCHEMAS) == tables(data / "warehouse.duckdb", SCHEMAS)
    again = run_cli("backup", "--out", str(copy), data=data, landing=small_zone)
    assert again.returncode == 2 and "exists" in again.stderr  # never overwrites

    later = run_cli("run", "--start", days[4], data=data, landing=small_zone)
    assert later.returncode == 0, later.stderr[-2000:]
    (data / "warehouse.duckdb").write_bytes(b"lost")  # the file is damaged
    broken = run_cli("run", "--start", days[-1], data=data, landing=small_zone)
    assert broken.returncode != 0 and "restore it from a backup" in broken.stderr

    shutil.copyfile(copy, data / "warehouse.duckdb")
    caught_up = run_cli("run", "--start", days[4], data=data, landing=small_zone)
    assert caught_up.returncode == 0, caught_up.stderr[-2000:]
    assert tables(data / "serving" / "marts.duckdb") == tables(built["serving"])
    assert tables(data / "warehouse.duckdb", SCHEMAS) == tables(built["warehouse"], SCHEMAS)
