"""What subscribers receive: usage alerts and the monthly report, as a subject, a plain-text
body and a JSON payload whose `text` a Slack-compatible webhook shows as it is.

A usage alert is made for the highest threshold a meter has reached, once per month: the
key names the subscription, the environment, the meter, the month and the threshold, so a
meter that stays above 90 % brings one message, and another when it reaches 100 %.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from dashboard.units import amount, count, percent
from orchestration.notifications.store import Subscription

DEFAULT_THRESHOLDS = (80, 90, 100)


@dataclass(frozen=True)
class Reading:
    """One meter of one product environment on one day."""

    day: date
    cloud_name: str
    environment_name: str
    meter: str
    unit: str  # 'bytes', 'credits' or 'count'
    usage: float
    limit: float
    usage_week_before: float | None

    @property
    def percent(self) -> float:
        return 100 * self.usage / self.limit


def meter_name(meter: str) -> str:
    """A meter as a message names it: "background_removal" is "Background removal"."""
    return meter.replace("_", " ").capitalize()


def reached(value: float, thresholds: tuple[int, ...]) -> int | None:
    """The highest threshold (in %) that `value` has reached, if any."""
    passed = [t for t in thresholds if value >= t]
    return max(passed) if passed else None


def watches(subscription: Subscription, reading: Reading) -> bool:
    return subscription.environment in (None, reading.cloud_name) and subscription.meter in (
        None,
        reading.meter,
    )


def usage_alerts(
    subscriptions: list[Subscription],
    readings: list[Reading],
    thresholds: tuple[int, ...],
    dashboard_url: str,
) -> list[dict]:
    """The alert each subscription is owed for each reading past one of its thresholds."""
    alerts = []
    for subscription in subscriptions:
        for reading in readings:
            if not watches(subscription, reading):
                continue
            threshold = reached(reading.percent, subscription.threshold_list(thresholds))
            if threshold is not None:
                alerts.append(usage_alert(subscription, reading, threshold, dashboard_url))
    return alerts


def _trend(reading: Reading) -> str:
    if reading.usage_week_before is None:
        return "no reading from 7 days before"
    change = reading.usage - reading.usage_week_before
    sign = "+" if change >= 0 else "-"
    before = f"{amount(reading.usage_week_before, reading.unit)}, " + percent(
        100 * reading.usage_week_before / reading.limit
    )
    return f"{sign}{amount(abs(change), reading.unit)} over the past 7 days (from {before})"


def usage_alert(
    subscription: Subscription, reading: Reading, threshold: int, dashboard_url: str
) -> dict:
    used, limit = amount(reading.usage, reading.unit), amount(reading.limit, reading.unit)
    where = f"{reading.environment_name} ({reading.cloud_name})"
    link = f"{dashboard_url.rstrip('/')}/usage?env={reading.cloud_name}"
    subject = (
        f"{meter_name(reading.meter)} in {where} at {percent(reading.percent)} of its limit: "
        f"{used} of {limit}"
    )
    body = "\n".join(
        [
            f"{meter_name(reading.meter)} in {where} reached {percent(reading.percent)} of its "
            f"limit on {reading.day} (UTC), past your {threshold} % alert.",
            "",
            f"  Used:   {used}",
            f"  Limit:  {limit}",
            f"  Trend:  {_trend(reading)}",
            "",
            f"Account usage on the dashboard: {link}",
            "",
            f"You get one message per threshold and month. To stop these: dam-usage "
            f"unsubscribe {subscription.subscription_id}",
        ]
    )
    month = reading.day.strftime("%Y-%m")
    facts = {
        "kind": "usage_alert",
        "environment": reading.cloud_name,
        "meter": reading.meter,
        "unit": reading.unit,
        "usage": reading.usage,
        "limit": reading.limit,
        "percent": round(reading.percent, 2),
        "threshold": threshold,
        "usage_week_before": reading.usage_week_before,
        "day": reading.day.isoformat(),
        "link": link,
    }
    key = (
        f"usage/{subscription.subscription_id}/{reading.cloud_name}/{reading.meter}/"
        f"{month}/{threshold}"
    )
    return message(subscription, key, subject, body, facts)


def monthly_report(subscription: Subscription, month: date, report, dashboard_url: str) -> dict:
    """The message that delivers a ready monthly report: where its files are."""
    name = month.strftime("%B %Y")
    subject = f"Activity report for {name} is ready: {count(report.row_count)} actions"
    body = "\n".join(
        [
            f"The activity report for {name} ({report.report_id}) is ready: "
            f"{count(report.row_count)} actions, data through {report.data_through}.",
            "",
            f"  CSV:      {report.csv_path}",
            f"  Parquet:  {report.parquet_path}",
            f"  Expires:  {report.expires_at} (UTC)",
            "",
            f"All reports on the dashboard: {dashboard_url.rstrip('/')}/reports",
            "",
            f"To stop these: dam-usage unsubscribe {subscription.subscription_id}",
        ]
    )
    facts = {
        "kind": "monthly_report",
        "month": month.strftime("%Y-%m"),
        "report_id": report.report_id,
        "rows": report.row_count,
        "csv_path": report.csv_path,
        "parquet_path": report.parquet_path,
        "expires_at": report.expires_at,
        "link": f"{dashboard_url.rstrip('/')}/reports",
    }
    key = f"monthly-report/{subscription.subscription_id}/{month:%Y-%m}"
    return message(subscription, key, subject, body, facts)


def message(subscription: Subscription, key: str, subject: str, body: str, facts: dict) -> dict:
    payload = {"text": f"*{subject}*\n{body}", "subject": subject, **facts}
    return {
        "message_key": key,
        "subscription_id": subscription.subscription_id,
        "channel": subscription.channel,
        "address": subscription.address,
        "subject": subject,
        "body": body,
        "payload": json.dumps(payload),
    }
