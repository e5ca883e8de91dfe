"""Plain DuckDB doing what a stage of the warehouse does, with nothing around it.

python -m bench.baselines ingest LANDING DATABASE
python -m bench.baselines marts WAREHOUSE DATABASE
python -m bench.baselines check-marts WAREHOUSE DATABASE
python -m bench.baselines report WAREHOUSE START END OUT.csv
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb

from orchestration.reports.generate import REPORT_SQL
from orchestration.sql import sql_string

MARTS_SQL = Path(__file__).with_name("marts.sql")

# One read_json per feed over the same files, nested values kept as JSON (as the raw layer
# keeps the payload); malformed lines skipped, where the warehouse quarantines them.
INGEST = {
    "account": ("account/*.json", "auto"),
    "users": ("users/*.json", "auto"),
    "usage": ("usage/*/*.json", "auto"),
    "notifications": ("notifications/*/*/*.jsonl", "newline_delimited"),
    "dam_events": ("dam_events/*/*.jsonl", "newline_delimited"),
}


def ingest(landing: Path, database: Path) -> None:
    with duckdb.connect(str(database)) as con:
        for table, (pattern, form) in INGEST.items():
            con.execute(
                f"create table {table} as select * from read_json("
                f"{sql_string(landing / pattern)}, format = '{form}', filename = true, "
                "union_by_name = true, maximum_depth = 1, ignore_errors = true)"
            )


def marts(warehouse: Path, database: Path) -> None:
    """The hand-written marts script, into a database of its own."""
    with _attached(warehouse, database) as con:
        con.execute(MARTS_SQL.read_text())


class MartsDiffer(AssertionError):
    """The hand-written marts and the warehouse's disagree."""


def check_marts(warehouse: Path, database: Path) -> list[str]:
    """Every table of the script equals its mart row for row (as multisets); the names."""
    with _attached(warehouse, database) as con:
        names = [row[0] for row in con.execute(
            "select table_name from duckdb_tables() where database_name = current_database() "
            "and not temporary order by all"
        ).fetchall()]  # fmt: skip
        marts = {row[0] for row in con.execute(
            "select table_name from duckdb_tables() where database_name = 'warehouse' "
            "and schema_name = 'marts'"
        ).fetchall()}  # fmt: skip
        if set(names) != marts:
            raise MartsDiffer(f"script tables {sorted(names)} but marts {sorted(marts)}")
        for name in names:
            differ = con.execute(
                f"select count(*) from ((from {name} except all from warehouse.marts.{name}) "
                f"union all (from warehouse.marts.{name} except all from {name}))"
            ).fetchone()[0]
            if differ:
                raise MartsDiffer(f"{name}: {differ} rows differ from warehouse.marts.{name}")
    return names


@contextmanager
def _attached(warehouse: Path, database: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(database)) as con:
        con.execute("set TimeZone = 'UTC'")
        con.execute(f"attach {sql_string(warehouse)} as warehouse (read_only)")
        yield con


def report(warehouse: Path, start: date, end: date, out: Path) -> None:
    query = REPORT_SQL.format(start=start.isoformat(), end=end.isoformat())
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("set TimeZone = 'UTC'")
        con.execute(f"copy ({query}) to {sql_string(out)} (format csv, header true)")


def main(argv: list[str]) -> int:
    what, *args = argv
    if what == "ingest":
        ingest(Path(args[0]), Path(args[1]))
    elif what == "marts":
        marts(Path(args[0]), Path(args[1]))
    elif what == "check-marts":
        print(f"{len(check_marts(Path(args[0]), Path(args[1])))} marts equal")
    elif what == "report":
        report(
            Path(args[0]), date.fromisoformat(args[1]), date.fromisoformat(args[2]), Path(args[3])
        )
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
