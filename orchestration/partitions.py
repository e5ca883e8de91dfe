"""Arrival-day partitions: one partition per landing-zone folder date (UTC)."""

from __future__ import annotations

from datetime import date

import dagster as dg

from orchestration.settings import Settings


def arrival_days(settings: Settings) -> dg.DailyPartitionsDefinition:
    return dg.DailyPartitionsDefinition(
        start_date=settings.first_arrival_day.isoformat(), timezone="UTC", end_offset=1
    )


def days_of(context: dg.AssetExecutionContext) -> list[date]:
    """The arrival days a run covers: one partition or a single-run backfill range."""
    window = context.partition_time_window
    first, last = window.start.date(), window.end.date()
    return [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal())]
