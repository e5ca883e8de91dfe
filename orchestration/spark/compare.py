"""Compares the spark target's tables with the DuckDB warehouse's, row for row.

Spark's tables are Parquet folders under its warehouse folder, so DuckDB reads them
directly: no second Spark session is needed to check a build. Each Spark column is cast to
the DuckDB column's type, and floating-point columns are compared after rounding to
`FLOAT_DIGITS` significant digits (the engines may sum in a different order).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

FLOAT_DIGITS = 9
FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")


def spark_table_path(spark_dir: Path, schema: str, table: str) -> Path:
    return spark_dir / "warehouse" / f"{schema}.db" / table


def _rounded(column: str, column_type: str) -> str:
    if column_type.upper() not in FLOAT_TYPES:
        return column
    return (
        f"case when {column} is null or {column} = 0 then {column} "
        f"else round({column}, {FLOAT_DIGITS} - 1 - cast(floor(log10(abs({column}))) as int)) end"
    )


def table_differences(
    warehouse: Path, spark_dir: Path, schema: str, table: str, exclude: tuple[str, ...] = ()
) -> dict[str, int]:
    """Rows only in DuckDB's table and rows only in Spark's (as multisets)."""
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute(f"attach '{warehouse}' as warehouse (read_only)")
        columns = [
            (name, kind)
            for name, kind in con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_catalog = 'warehouse' and table_schema = ? and table_name = ? "
                "order by ordinal_position",
                [schema, table],
            ).fetchall()
            if name not in exclude
        ]
        if not columns:
            raise LookupError(f"{schema}.{table} is not in {warehouse}")
        files = spark_table_path(spark_dir, schema, table) / "**" / "*.parquet"
        duck = ", ".join(_rounded(name, kind) for name, kind in columns)
        spark = ", ".join(
            f"{_rounded(f'cast({name} as {kind})', kind)} as {name}" for name, kind in columns
        )
        con.execute(f"create view duck as select {duck} from warehouse.{schema}.{table}")
        con.execute(
            f"create view spark as select {spark} "
            f"from read_parquet('{files}', hive_partitioning = true)"
        )
        only_duckdb = con.execute(
            "select count(*) from (select * from duck except all select * from spark)"
        ).fetchone()[0]
        only_spark = con.execute(
            "select count(*) from (select * from spark except all select * from duck)"
        ).fetchone()[0]
        rows = con.execute("select count(*) from duck").fetchone()[0]
    finally:
        con.close()
    return {"rows": rows, "only_duckdb": only_duckdb, "only_spark": only_spark}


def mart_names(warehouse: Path) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' and table_type = 'BASE TABLE' order by 1"
            ).fetchall()
        ]
