"""Arrival-day partitions: one partition per landing-zone folder date (UTC)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

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


PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def run_tags(first: date, last: date) -> dict[str, str]:
    """Tags that make one run cover a range of arrival-day partitions."""
    return {RANGE_START_TAG: first.isoformat(), RANGE_END_TAG: last.isoformat()}


def run_arrival_window(tags: Mapping[str, str], settings: Settings) -> tuple[date, date]:
    """The arrival days [first, end) of a run, from its partition tags. The models downstream
    of the ingest assets are not partitioned themselves (they would record one event per
    model and day, tens of thousands for a year); they take their window from the run. A run
    without partition tags covers every day."""
    if RANGE_START_TAG in tags:
        first, last = tags[RANGE_START_TAG], tags[RANGE_END_TAG]
    elif PARTITION_TAG in tags:
        first = last = tags[PARTITION_TAG]
    else:
        return settings.first_arrival_day, datetime.now(UTC).date() + timedelta(days=2)
    return date.fromisoformat(first), date.fromisoformat(last) + timedelta(days=1)
