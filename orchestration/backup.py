"""A consistent copy of the warehouse, taken while nothing writes it, and of the
notification subscriptions beside it.

The copy is made through a read-only connection, which DuckDB grants only when no
process holds the file for writing: a backup waits for a running load to finish, and a
load started meanwhile waits for the backup (see `Warehouse.connect`). The subscriptions
live in SQLite, whose own backup copies one consistent state while others write.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from orchestration.resources import Warehouse
from orchestration.settings import Settings
from orchestration.sql import sql_string


def default_target(settings: Settings, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return settings.data_dir / "backups" / f"warehouse-{stamp}.duckdb"


def backup_warehouse(settings: Settings, target: Path, wait_seconds: float = 600) -> Path:
    """Copy every schema of the warehouse into a new DuckDB file at `target`."""
    if target.exists():
        raise FileExistsError(f"{target} exists; choose another name")
    target.parent.mkdir(parents=True, exist_ok=True)
    aside = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    aside.unlink(missing_ok=True)
    warehouse = Warehouse.from_settings(settings)
    try:
        with warehouse.connect(read_only=True, wait_seconds=wait_seconds) as con:
            (name,) = con.execute("select current_database()").fetchone()
            con.execute(f"attach {sql_string(aside)} as backup (read_only false)")
            con.execute(f'copy from database "{name}" to backup')
            con.execute("detach backup")
        os.replace(aside, target)
    finally:
        aside.unlink(missing_ok=True)
    return target


def notifications_copy(target: Path) -> Path:
    """Where a warehouse backup's notification store goes: beside it, of the same name."""
    return target.with_name(f"{target.stem}.notifications.sqlite")


def backup_notifications(settings: Settings, target: Path) -> Path | None:
    """Copy the subscriptions and their messages beside the warehouse backup `target`."""
    if not settings.notifications_path.exists():
        return None
    copy = notifications_copy(target)
    aside = copy.with_name(f".{copy.name}.{os.getpid()}.tmp")
    try:
        with sqlite3.connect(settings.notifications_path) as source, sqlite3.connect(aside) as to:
            source.backup(to)
        os.replace(aside, copy)
    finally:
        aside.unlink(missing_ok=True)
    return copy
