"""Publishing the marts for BI tools: a DuckDB file and a set of Parquet files, each written
aside and swapped into place in one step, so a reader never blocks the pipeline and never
sees a half-built state.

The DuckDB file is written in the storage format of DuckDB 1.0, which every maintained
client reads (the command line, the Node client BI tools embed, older Python packages), not
only the version the pipeline runs. No row holds a day after the last arrival day loaded.
That day may still be open (`serving_build.partial_day`: today's files are loaded as they
arrive); `complete_through` names the last day whose data is complete.

A reader that has the previous file open keeps reading it (the rename does not touch an
open file); the next connection sees the new build. The Parquet set is a folder that
`parquet` points to; the link is replaced in one rename, and the previous folder is kept
until the next publish, for readers that listed it before the swap.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import duckdb

from orchestration import queries
from orchestration.serving.contract import ServedTable, served_column, served_tables
from orchestration.sql import sql_string

DOWNLOADS_SQL = queries.FOLDER / "downloads.sql"
# DuckDB 1.0's storage format: read by every DuckDB from 1.0 on (storage versions 64 and up).
STORAGE_VERSION = "v1.0.0"
ARRIVAL_DAYS = "staging.stg_dam__arrival_days"
ACTIVITY = "core.fct_dam_activity"
PARQUET_LINK = "parquet"

BUILD_TABLE = ServedTable(
    name="serving_build",
    schema="main",
    description="This build of the served tables: one row (when, from which arrival days).",
    columns={
        "build_id": "Identifies the build; the Parquet set's serving_build carries the same.",
        "built_at": "When the tables were published (UTC).",
        "project_version": "Version of the dam-usage-warehouse that built them.",
        "first_arrival_day": "First arrival day (UTC) loaded into the warehouse.",
        "last_arrival_day": "Last arrival day (UTC) loaded into the warehouse.",
        "arrival_days": "Arrival days loaded, across all feeds (count).",
        "complete_through": (
            "The last day (UTC) whose data is complete: the last arrival day loaded, or the "
            "day before it while it is still open (partial_day)."
        ),
        "partial_day": (
            "The last arrival day loaded when it had not ended at the build (UTC): its rows "
            "grow as its files arrive. Null when every day served is complete."
        ),
        "data_through": "Time of the newest event served (UTC), on the last arrival day at most.",
    },
)
TABLES_TABLE = ServedTable(
    name="serving_tables",
    schema="main",
    description="Each served table of this build, with its rows and the days it covers.",
    columns={
        "table_name": "The served table (also serving/parquet/<table_name>.parquet).",
        "description": "What it holds.",
        "row_count": "Its rows (count).",
        "day_column": "Its day column, if it has one.",
        "first_day": "Earliest day in day_column (UTC).",
        "last_day": "Latest day in day_column (UTC); never after last_arrival_day.",
    },
)


@dataclass(frozen=True)
class Arrivals:
    """The arrival days the warehouse holds."""

    first: date | None = None
    last: date | None = None
    days: int = 0
    newest_event: datetime | None = None

    def partial_day(self, built_on: date) -> date | None:
        """The last arrival day, when it had not ended at the build."""
        return self.last if self.last is not None and self.last >= built_on else None

    def complete_through(self, built_on: date) -> date | None:
        """The last day whose data is complete."""
        if self.partial_day(built_on):
            return self.last - timedelta(days=1)
        return self.last


@dataclass(frozen=True)
class Published:
    build_id: str
    complete_through: date | None
    partial_day: date | None
    data_through: datetime | None
    rows: Mapping[str, int]  # every served table, metadata included


def project_version() -> str:
    try:
        return version("dam-usage-warehouse")
    except PackageNotFoundError:
        return "unknown"


def publish(con: duckdb.DuckDBPyConnection, target: Path, manifest: Mapping[str, Any]) -> Published:
    """Write the served tables of the warehouse `con` into a new DuckDB file at `target`
    and a new Parquet set beside it, then swap both into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    built_at = datetime.now(UTC).replace(tzinfo=None)
    build_id = built_at.strftime("%Y%m%dT%H%M%S%fZ")
    staging = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    parquet = target.parent / f".{PARQUET_LINK}-{build_id}"
    staging.unlink(missing_ok=True)
    tables = [t for t in served_tables(manifest) if _exists(con, t.schema, t.name)]
    (home,) = con.execute("select current_database()").fetchone()
    con.execute(f"attach {sql_string(staging)} as serving (storage_version '{STORAGE_VERSION}')")
    try:
        arrivals = _arrivals(con)
        for table in tables:
            _copy_table(con, table, arrivals.last)
        _write_metadata(con, tables, build_id, built_at, arrivals)
        # The download macros live in the served file, beside the tables they read, and
        # are created while it is the current database so that they name no catalog.
        con.execute("use serving")
        con.execute(DOWNLOADS_SQL.read_text())
        con.execute(f'use "{home}"')
        rows = dict(
            con.execute("select table_name, row_count from serving.serving_tables").fetchall()
        )
        parquet.mkdir()
        for name in rows:
            con.execute(
                f'copy serving.main."{name}" to {sql_string(parquet / f"{name}.parquet")} '
                "(format parquet)"
            )
    except BaseException:
        con.execute(f'use "{home}"')
        con.execute("detach serving")
        staging.unlink(missing_ok=True)
        shutil.rmtree(parquet, ignore_errors=True)
        raise
    con.execute("detach serving")
    os.replace(staging, target)
    _swap_parquet(target.parent, parquet)
    return Published(
        build_id=build_id,
        complete_through=arrivals.complete_through(built_at.date()),
        partial_day=arrivals.partial_day(built_at.date()),
        data_through=arrivals.newest_event,
        rows=rows,
    )


def _exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    """Whether the warehouse has this table or view (a new model may not be built yet)."""
    (found,) = con.execute(
        "select count(*) from information_schema.tables where table_catalog = "
        "current_database() and table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchone()
    return found > 0


def _arrivals(con: duckdb.DuckDBPyConnection) -> Arrivals:
    if not _exists(con, *ARRIVAL_DAYS.split(".")):
        return Arrivals()
    first, last, days = con.execute(
        f"select min(arrival_date), max(arrival_date), count(distinct arrival_date) "
        f"from {ARRIVAL_DAYS}"
    ).fetchone()
    newest = None
    if last is not None and _exists(con, *ACTIVITY.split(".")):
        # Events stamped after the last arrival day are loaded but not served.
        (newest,) = con.execute(
            f"select max(occurred_at) from {ACTIVITY} where occurred_at < $last + 1",
            {"last": last},
        ).fetchone()
    return Arrivals(first=first, last=last, days=days, newest_event=newest)


def _copy_table(con: duckdb.DuckDBPyConnection, table: ServedTable, through: date | None) -> None:
    types = con.execute(
        "select column_name, data_type from duckdb_columns() where database_name = "
        "current_database() and schema_name = ? and table_name = ? order by column_index",
        [table.schema, table.name],
    ).fetchall()
    columns = []
    for name, data_type in types:
        expression = served_column(name, data_type)
        if name == table.open_end_column and through is not None:
            # An interval that ends after the last day served is, as far as served days
            # go, still open.
            expression = f'case when "{name}" > $through then null else "{name}" end as "{name}"'
        columns.append(expression)
    where = ""
    if table.day_column and through is not None:
        where = f' where "{table.day_column}" <= $through'
    params = {"through": through} if where or "$through" in "".join(columns) else {}
    con.execute(
        f'create table serving.main."{table.name}" as '
        f"select {', '.join(columns)} from {table.relation}{where}",
        params,
    )
    _comment(con, table)


def _comment(con: duckdb.DuckDBPyConnection, table: ServedTable) -> None:
    con.execute(f'comment on table serving.main."{table.name}" is {sql_string(table.description)}')
    for column, description in table.columns.items():
        if description:
            con.execute(
                f'comment on column serving.main."{table.name}"."{column}" '
                f"is {sql_string(description)}"
            )


def _write_metadata(
    con: duckdb.DuckDBPyConnection,
    tables: list[ServedTable],
    build_id: str,
    built_at: datetime,
    arrivals: Arrivals,
) -> None:
    con.execute(
        "create table serving.main.serving_build as select "
        "cast($build_id as varchar) as build_id, cast($built_at as timestamp) as built_at, "
        "cast($version as varchar) as project_version, "
        "cast($first as date) as first_arrival_day, cast($last as date) as last_arrival_day, "
        "cast($days as bigint) as arrival_days, cast($through as date) as complete_through, "
        "cast($partial as date) as partial_day, cast($newest as timestamp) as data_through",
        {
            "build_id": build_id,
            "built_at": built_at,
            "version": project_version(),
            "first": arrivals.first,
            "last": arrivals.last,
            "days": arrivals.days,
            "through": arrivals.complete_through(built_at.date()),
            "partial": arrivals.partial_day(built_at.date()),
            "newest": arrivals.newest_event,
        },
    )
    parts = []
    for table in [*tables, BUILD_TABLE]:
        day = f'"{table.day_column}"' if table.day_column else "cast(null as date)"
        parts.append(
            f"select {sql_string(table.name)} as table_name, "
            f"{sql_string(table.description)} as description, "
            f"cast(count(*) as bigint) as row_count, "
            f"{sql_string(table.day_column) if table.day_column else 'null'} as day_column, "
            f"cast(min({day}) as date) as first_day, cast(max({day}) as date) as last_day "
            f'from serving.main."{table.name}"'
        )
    con.execute(
        "create table serving.main.serving_tables as "
        + " union all ".join(parts)
        + " order by table_name"
    )
    con.execute(
        "insert into serving.main.serving_tables select 'serving_tables', "
        f"{sql_string(TABLES_TABLE.description)}, count(*) + 1, null, null, null "
        "from serving.main.serving_tables"
    )
    _comment(con, BUILD_TABLE)
    _comment(con, TABLES_TABLE)


def _swap_parquet(folder: Path, new_set: Path) -> None:
    """Point `folder/parquet` at `new_set` in one rename; keep the set it pointed to until
    the next swap, and remove the older ones."""
    link = folder / PARQUET_LINK
    previous = link.resolve() if link.is_symlink() else None
    if link.exists() and not link.is_symlink():
        shutil.rmtree(link)
    pointer = folder / f".{PARQUET_LINK}.{os.getpid()}.link"
    pointer.unlink(missing_ok=True)
    pointer.symlink_to(new_set.name, target_is_directory=True)
    os.replace(pointer, link)
    for old in folder.glob(f".{PARQUET_LINK}-*"):
        if old not in (new_set, previous) and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
