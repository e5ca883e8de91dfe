"""python -m bench.publish WAREHOUSE [--repeat R]: publishing the served tables of a built
warehouse, against plain DuckDB copying the same tables, in one process.

The baseline is what publishing cannot do without: each served table copied with
`CREATE TABLE AS` into a new DuckDB file, and with `COPY ... (FORMAT parquet)` into one
Parquet file each. Publishing adds the older storage format, the type conversions, the
comments, the cut at the last complete day, the metadata tables, the macros and the swaps.
Prints the medians of R runs of each and their ratio.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from orchestration.dbt.project import dbt_project
from orchestration.serving.contract import served_tables
from orchestration.serving.publish import publish
from orchestration.sql import sql_string


def plain_copy(con: duckdb.DuckDBPyConnection, relations: list[str], folder: Path) -> None:
    con.execute(f"attach {sql_string(folder / 'plain.duckdb')} as plain")
    for relation in relations:
        name = relation.split(".")[-1].strip('"')
        con.execute(f'create table plain."{name}" as select * from {relation}')
        con.execute(f"copy {relation} to {sql_string(folder / f'{name}.parquet')} (format parquet)")
    con.execute("detach plain")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    manifest = json.loads(dbt_project().manifest_path.read_text())
    times: dict[str, list[float]] = {"plain": [], "publish": []}
    with duckdb.connect(str(args.warehouse)) as con:
        relations = [t.relation for t in served_tables(manifest)]
        (rows,) = con.execute(
            "select sum(estimated_size) from duckdb_tables() where schema_name = 'marts'"
        ).fetchone()
        for _ in range(args.repeat):
            for stage in ("plain", "publish"):
                folder = Path(tempfile.mkdtemp(prefix=f"bench-{stage}-"))
                started = time.perf_counter()
                if stage == "plain":
                    plain_copy(con, relations, folder)
                else:
                    publish(con, folder / "marts.duckdb", manifest)
                times[stage].append(time.perf_counter() - started)
                shutil.rmtree(folder)
    plain, published = (statistics.median(times[s]) for s in ("plain", "publish"))
    print(f"marts rows (estimated): {rows:,}")
    print(f"plain DuckDB copy + Parquet: {plain:.2f} s  (runs: {times['plain']})")
    print(f"publish:                     {published:.2f} s  (runs: {times['publish']})")
    print(f"ratio: {published / plain:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
