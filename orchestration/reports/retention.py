"""Which reports to retire: past their age, or beyond the number kept (oldest first).

Only ready reports count and go: a report still pending or running is never evicted, and
when it becomes ready the next evaluation retires the oldest if the limit is exceeded.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from orchestration.reports.registry import Report


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
