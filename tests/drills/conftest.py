"""Helpers of the drills: real `dam-usage` processes, real kills, tables compared whole."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from tests.conftest import cli_env, table_rows_sql


def start(*args: str, data: Path, landing: Path, log: Path | None = None, **extra: str):
    """`dam-usage ARGS` in a session of its own, so the drill can kill it with its children."""
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 - lives with the process
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "dam-usage"), *args],
        env=cli_env(data, landing, **extra),
        stdout=out,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        start_new_session=True,
    )


def kill_session(process: subprocess.Popen) -> None:
    """SIGKILL the process and everything it started, as a crash of the machine would."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def dbt_building(session: int) -> bool:
    """Whether a process of the session runs `dbt build`."""
    return any(re.search(r"/dbt build\b", command) for command in session_commands(session))


def feeds_loaded(data: Path) -> int:
    """How many feed-days the run in `data` has recorded as loaded into the raw tables (read
    from its Dagster event log, which other processes may read while it is written)."""
    index = data / "dagster_home" / "history" / "runs" / "index.db"
    if not index.exists():
        return 0
    with contextlib.closing(sqlite3.connect(f"file:{index}?mode=ro", uri=True)) as con:
        try:
            return con.execute(
                "select count(*) from event_logs where dagster_event_type = "
                "'ASSET_MATERIALIZATION' and asset_key like '[\"raw\", %'"
            ).fetchone()[0]
        except sqlite3.OperationalError:  # its tables are not created yet
            return 0


def session_commands(session: int) -> list[str]:
    """The command lines of the live processes of a session."""
    commands = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == session and fields[0] != "Z":
            commands.append(cmdline)
    return commands


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


def tables(path: Path, schemas: tuple[str, ...] = ("main",)) -> dict[str, list[tuple]]:
    """Every table of the given schemas in a DuckDB file, its rows sorted (without the run
    that wrote them)."""
    with duckdb.connect(str(path), read_only=True) as con:
        names = con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where list_contains($schemas, schema_name) order by all",
            {"schemas": list(schemas)},
        ).fetchall()
        return {
            f"{schema}.{table}": con.execute(table_rows_sql(f'"{schema}"."{table}"')).fetchall()
            for schema, table in names
        }
