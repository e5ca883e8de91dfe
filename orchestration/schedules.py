"""The daily schedule: after midnight UTC, load and build the day that just ended."""

from datetime import datetime, timedelta

import dagster as dg


def previous_day(scheduled_at: datetime) -> str:
    """The partition key of the arrival day before the scheduled time (UTC)."""
    return (scheduled_at - timedelta(days=1)).date().isoformat()


def build_daily_schedule(job) -> dg.ScheduleDefinition:
    @dg.schedule(
        name="daily_warehouse",
        cron_schedule="30 1 * * *",
        execution_timezone="UTC",
        job=job,
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description="Loads yesterday's arrival day and rebuilds the marts (01:30 UTC).",
    )
    def daily_warehouse(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        key = previous_day(context.scheduled_execution_time)
        return dg.RunRequest(run_key=key, partition_key=key)

    return daily_warehouse
