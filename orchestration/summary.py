"""A short, printable account of what the warehouse holds."""

from __future__ import annotations

from orchestration.ingest.feeds import FEEDS
from orchestration.resources import Warehouse
from orchestration.settings import Settings


def warehouse_summary(settings: Settings) -> str:
    lines = [f"Warehouse: {settings.warehouse_path}"]
    with Warehouse.from_settings(settings).connect(read_only=True) as con:
        # Tables only: counting a view re-runs it, and the staging views parse every record.
        tables = {
            f"{schema}.{name}"
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_type = 'BASE TABLE'"
            ).fetchall()
        }
        lines.append("Raw tables (rows, arrival days):")
        for feed in FEEDS:
            if feed.table in tables:
                rows, days = con.execute(
                    f"select count(*), count(distinct arrival_date) from {feed.table}"
                ).fetchone()
                lines.append(f"  {feed.table:22} {rows:>12,} rows {days:>6} days")
        if "raw.quarantine" in tables:
            quarantined = con.execute(
                "select feed, count(*) from raw.quarantine group by feed order by feed"
            ).fetchall()
            total = sum(count for _, count in quarantined)
            detail = ", ".join(f"{feed} {count:,}" for feed, count in quarantined)
            lines.append(f"Quarantined records: {total:,}" + (f" ({detail})" if detail else ""))
        layers = ("intermediate.", "core.", "marts.")
        models = sorted(t for t in tables if t.startswith(layers))
        if models:
            lines.append("Model tables (rows):")
            for table in models:
                (rows,) = con.execute(f"select count(*) from {table}").fetchone()
                lines.append(f"  {table:40} {rows:>12,}")
    return "\n".join(lines)
