"""Writing one activity report, streamed by DuckDB's COPY straight from the activity table.

The query runs once, into Parquet (snake_case columns with their types, for tools), and
the CSV (headers and times for people) is copied from that file in its order: reading it
back costs less than filtering and sorting the activity again.

Rows: every account-level action, and every action on a product environment that is
tracking-enabled in the latest account snapshot, on the days strictly between start and
end. Each file is written aside and renamed into place, so a reader never sees half.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration import queries
from orchestration.reports.requests import ReportRange
from orchestration.sql import sql_string

# The dates are `date` objects rendered by isoformat(), never user text.
REPORT_SQL = (queries.FOLDER / "activity_report.sql").read_text()


# The CSV's header for each Parquet column, in order.
CSV_COLUMNS = {
    "occurred_at": "Time (UTC)",
    "product_environment": "Product environment",
    "actor": "User e-mail or API key",
    "action": "Action",
    "category": "Category",
    "target_type": "Target type",
    "target_id": "Target",
    "asset_type": "Asset type",
    "details": "Details",
}
CSV_SELECT = ", ".join(
    f"strftime({name}, '%Y-%m-%d %H:%M:%S') as \"{header}\""
    if name == "occurred_at"
    else f'{name} as "{header}"'
    for name, header in CSV_COLUMNS.items()
)


def data_through(con: duckdb.DuckDBPyConnection) -> str | None:
    """The last complete day of the warehouse a report is made from: its last arrival day."""
    try:
        (day,) = con.execute(
            "select max(arrival_date) from staging.stg_dam__arrival_days"
        ).fetchone()
    except duckdb.CatalogException:
        return None  # a warehouse built before the view existed
    return day.isoformat() if day else None


@dataclass(frozen=True)
class ReportFiles:
    csv: Path
    parquet: Path
    rows: int


def report_folder(reports_dir: Path, report: ReportRange) -> Path:
    return reports_dir / report.key


def write_report(
    con: duckdb.DuckDBPyConnection, report: ReportRange, reports_dir: Path
) -> ReportFiles:
    folder = report_folder(reports_dir, report)
    folder.mkdir(parents=True, exist_ok=True)
    query = REPORT_SQL.format(start=report.start.isoformat(), end=report.end.isoformat())
    stem = f"activity_report_{report.key}"
    parquet = _copy(con, query, folder / f"{stem}.parquet", "format parquet")
    written = f"from read_parquet({sql_string(parquet)})"
    csv_query = f"select {CSV_SELECT} {written}"
    csv = _copy(con, csv_query, folder / f"{stem}.csv", "format csv, header true")
    (rows,) = con.execute(f"select count(*) {written}").fetchone()
    return ReportFiles(csv=csv, parquet=parquet, rows=rows)


def _copy(con, query: str, target: Path, options: str) -> Path:
    aside = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        con.execute(f"copy ({query}) to {sql_string(aside)} ({options})")
        os.replace(aside, target)
    finally:
        aside.unlink(missing_ok=True)
    return target
