"""Publishing the marts for BI tools: a separate DuckDB file, written aside and renamed
into place, so a reader never blocks the pipeline and never sees a half-built state.

A reader that has the previous file open keeps reading it (the rename does not touch an
open file); the next connection sees the new build.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from orchestration.sql import sql_string

DOWNLOADS_SQL = Path(__file__).with_name("downloads.sql")
SERVED_CORE_TABLES = ("dim_account", "dim_users", "dim_product_environments")


def served_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(schema, table) of everything BI tools read: every mart and the two dimensions."""
    return con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_catalog = current_database() and ("
        "table_schema = 'marts' or (table_schema = 'core' and list_contains($core, table_name))"
        ") order by table_schema, table_name",
        {"core": list(SERVED_CORE_TABLES)},
    ).fetchall()


def publish(con: duckdb.DuckDBPyConnection, target: Path) -> list[str]:
    """Copy the served tables into a new DuckDB file at `target`; return their names."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    staging.unlink(missing_ok=True)
    tables = served_tables(con)
    (home,) = con.execute("select current_database()").fetchone()
    con.execute(f"attach {sql_string(staging)} as serving")
    try:
        for schema, table in tables:
            con.execute(f'create table serving.main."{table}" as select * from {schema}."{table}"')
        # The download macros live in the served file, beside the tables they read.
        con.execute("use serving")
        con.execute(DOWNLOADS_SQL.read_text())
    except BaseException:
        con.execute(f'use "{home}"')
        con.execute("detach serving")
        staging.unlink(missing_ok=True)
        raise
    con.execute(f'use "{home}"')
    con.execute("detach serving")
    os.replace(staging, target)
    return [table for _, table in tables]
