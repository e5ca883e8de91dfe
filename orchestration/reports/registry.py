"""The report registry: one row per report, in a small SQLite file beside the reports.

It lives outside DuckDB on purpose: the CLI, the report run and the retention sensor all
read and write it while the pipeline may hold the warehouse for writing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

SCHEMA = """
create table if not exists reports (
    report_id text primary key,
    start_date text not null,
    end_date text not null,
    requested_by text,
    requested_at text not null,
    generated_at text,
    expires_at text,
    status text not null check (status in ('pending', 'running', 'ready', 'failed', 'expired')),
    row_count integer,
    csv_path text,
    parquet_path text,
    error text,
    launched_by text not null default 'cli',
    worker_pid integer,
    data_through text
)
"""
# Columns added since the first registries were written, added to those when opened.
ADDED_COLUMNS = {"data_through": "text"}


@dataclass(frozen=True)
class Report:
    report_id: str
    start_date: str
    end_date: str
    requested_by: str | None
    requested_at: str
    generated_at: str | None
    expires_at: str | None
    status: str
    row_count: int | None
    csv_path: str | None
    parquet_path: str | None
    error: str | None
    launched_by: str  # 'cli' starts its own process; 'dagster' is launched by a sensor
    worker_pid: int | None  # the process a 'cli' launch started
    data_through: str | None = None  # the last complete day of the data it was made from


COLUMNS = ", ".join(Report.__dataclass_fields__)


class Registry:
    def __init__(self, path: Path):
        self.path = Path(path)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=30)
        try:
            con.execute(SCHEMA)
            known = {row[1] for row in con.execute("pragma table_info(reports)")}
            for name, kind in ADDED_COLUMNS.items():
                if name not in known:
                    con.execute(f"alter table reports add column {name} {kind}")
            with con:
                yield con
        finally:
            con.close()

    def get(self, report_id: str) -> Report | None:
        with self._connect() as con:
            row = con.execute(
                f"select {COLUMNS} from reports where report_id = ?", [report_id]
            ).fetchone()
        return Report(*row) if row else None

    def all(self) -> list[Report]:
        with self._connect() as con:
            rows = con.execute(
                f"select {COLUMNS} from reports order by requested_at, report_id"
            ).fetchall()
        return [Report(*row) for row in rows]

    def request(
        self,
        report_id: str,
        start: str,
        end: str,
        by: str | None,
        at: datetime,
        launched_by: str = "cli",
    ) -> None:
        """Record a new request, or a repeat of an old one, as pending."""
        with self._connect() as con:
            con.execute(
                "insert into reports (report_id, start_date, end_date, requested_by, "
                "requested_at, status, launched_by) values (?, ?, ?, ?, ?, 'pending', ?) "
                "on conflict (report_id) do update set requested_by = excluded.requested_by, "
                "requested_at = excluded.requested_at, status = 'pending', generated_at = null, "
                "expires_at = null, row_count = null, csv_path = null, parquet_path = null, "
                "error = null, launched_by = excluded.launched_by, worker_pid = null, "
                "data_through = null",
                [report_id, start, end, by, at.isoformat(), launched_by],
            )

    def ask(
        self,
        report_id: str,
        start: str,
        end: str,
        by: str,
        at: datetime,
        refresh: bool = False,
        launched_by: str = "cli",
    ) -> bool:
        """Record a request unless the range is ready or under way (and no refresh is
        asked for); True when it was recorded and so needs a run."""
        existing = self.get(report_id)
        if existing and existing.status in ("ready", "pending", "running") and not refresh:
            return False
        self.request(report_id, start, end, by, at, launched_by)
        return True

    def update(self, report_id: str, **fields) -> None:
        columns = ", ".join(f"{name} = ?" for name in fields)
        if not set(fields) <= set(Report.__dataclass_fields__) - {"report_id"}:
            raise ValueError(f"Unknown registry fields: {sorted(fields)}")
        with self._connect() as con:
            con.execute(
                f"update reports set {columns} where report_id = ?", [*fields.values(), report_id]
            )
