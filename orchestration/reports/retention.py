"""Which reports to retire: past their age, or beyond the number kept (oldest first).

Only ready reports count and go: a report still pending or running is never evicted, and
when it becomes ready the next evaluation retires the oldest if the limit is exceeded.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

from orchestration.reports.registry import Registry, Report
from orchestration.reports.requests import ReportRange


def to_retire(
    reports: list[Report], now: datetime, max_age: timedelta, max_reports: int
) -> list[str]:
    ready = sorted(
        (r for r in reports if r.status == "ready" and r.generated_at),
        key=lambda r: (r.generated_at, r.report_id),
    )
    too_old = {
        r.report_id for r in ready if datetime.fromisoformat(r.generated_at) + max_age <= now
    }
    kept = [r for r in ready if r.report_id not in too_old]
    beyond = {r.report_id for r in kept[: max(len(kept) - max_reports, 0)]}
    return sorted(too_old | beyond)


def retire(registry: Registry, reports_dir: Path, report_id: str, generated_at: str) -> bool:
    """Delete a chosen report's files and mark it expired, unless it was generated again
    since it was chosen; whether it was retired."""
    report = ReportRange.from_key(report_id)  # refuses anything that is not a range key
    current = registry.get(report.key)
    if current is None or current.status != "ready" or current.generated_at != generated_at:
        return False
    root = reports_dir.resolve()
    folder = (root / report.key).resolve()
    if folder.parent == root and folder.is_dir():
        shutil.rmtree(folder)
    registry.update(report.key, status="expired", csv_path=None, parquet_path=None)
    return True
