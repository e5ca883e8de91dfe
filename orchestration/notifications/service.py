"""Notifications end to end, shared by the command line, the dashboard page and the
`send_notifications` job: subscribe, make the messages the published marts call for, and
send what is due. Reads only the serving file and the report registry, never the
warehouse, so it neither waits for a load nor holds one up."""

from __future__ import annotations

import hashlib
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from orchestration.dashboard import NotAllowed, check_viewer, open_serving
from orchestration.notifications.delivery import Delivered, Smtp, deliver_due
from orchestration.notifications.messages import (
    Reading,
    monthly_report,
    usage_alerts,
)
from orchestration.notifications.store import NotificationStore, Subscription
from orchestration.reports.requests import ReportRange, RequestRefused, check_request
from orchestration.reports.service import registry_of, request_report
from orchestration.settings import Settings, thresholds

TOPICS = ("usage", "monthly-report")


class SubscriptionRefused(ValueError):
    """A subscription that cannot be made; the message says why, in one line."""


def store_of(settings: Settings) -> NotificationStore:
    return NotificationStore(settings.notifications_path)


def subscribe(
    settings: Settings,
    topic: str,
    owner: str,
    email: str | None = None,
    webhook: str | None = None,
    environment: str | None = None,
    meter: str | None = None,
    alert_thresholds: str | None = None,
    now: datetime | None = None,
) -> tuple[Subscription, bool]:
    """Subscribe `owner` (an account user) to usage alerts or the monthly report, by e-mail
    (to `email`, the owner's own address by default) or by webhook."""
    if topic not in TOPICS:
        raise SubscriptionRefused(f"Unknown topic {topic!r}: one of {', '.join(TOPICS)}")
    if email and webhook:
        raise SubscriptionRefused("Give an e-mail address or a webhook URL, not both")
    if webhook and urllib.parse.urlsplit(webhook).scheme not in ("http", "https"):
        raise SubscriptionRefused(f"The webhook must be an http(s) URL, got {webhook!r}")
    address = webhook or email or owner
    if "@" not in address and not webhook:
        raise SubscriptionRefused(f"Not an e-mail address: {address!r}")
    if topic == "monthly-report" and (environment or meter or alert_thresholds):
        raise SubscriptionRefused(
            "The monthly report covers the account: no environment, meter or thresholds"
        )
    try:
        levels = thresholds("--thresholds", alert_thresholds, ()) if alert_thresholds else ()
    except ValueError as error:
        raise SubscriptionRefused(str(error)) from None
    check_owner(settings, topic, owner, environment, meter)
    return store_of(settings).subscribe(
        {
            "topic": topic,
            "channel": "webhook" if webhook else "email",
            "address": address,
            "owner": owner,
            "environment": environment,
            "meter": meter,
            "thresholds": ",".join(map(str, levels)) or None,
        },
        now or datetime.now(UTC),
    )


def check_owner(
    settings: Settings, topic: str, owner: str, environment: str | None, meter: str | None
) -> None:
    """Usage alerts are for who may see account usage (active master admins), on meters
    and environments the account has; the monthly report is for who may request reports,
    on a plan that has them."""
    try:
        if topic == "monthly-report":
            check_request(settings.serving_path, owner)
            return
        with open_serving(settings.serving_path) as con:
            check_viewer(con, owner)
            environments, meters = known_meters(con)
    except (RequestRefused, NotAllowed, FileNotFoundError) as error:
        raise SubscriptionRefused(str(error)) from None
    if environment is not None and environment not in environments:
        raise SubscriptionRefused(
            f"Unknown product environment {environment!r}: one of {', '.join(environments)}"
        )
    if meter is not None and meter not in meters:
        raise SubscriptionRefused(f"Unknown meter {meter!r}: one of {', '.join(meters)}")


def known_meters(con) -> tuple[list[str], list[str]]:
    """The account's product environments, and the meters with a limit (add-ons too)."""
    from orchestration.queries import marts

    environments = [e["cloud_name"] for e in marts.environments(con)]
    return environments, [meter for meter, _ in marts.LIMITED_METERS] + marts.add_ons(con)


@dataclass
class Outcome:
    made: list[str] = field(default_factory=list)  # keys of the messages made now
    notes: list[str] = field(default_factory=list)  # what waits, and why
    delivered: Delivered | None = None

    def summary(self) -> str:
        sent, failed = (len(self.delivered.sent), len(self.delivered.failed))
        return f"Messages: {len(self.made)} made, {sent} sent, {failed} failed (to be tried again)"


def notify(settings: Settings, now: datetime | None = None) -> Outcome:
    """Make the messages the published marts call for, then send every message due."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    store = store_of(settings)
    outcome = Outcome()
    if store.subscriptions() and settings.serving_path.exists():
        with open_serving(settings.serving_path) as con:
            last_day, complete_through = con.execute(
                "select last_arrival_day, complete_through from serving_build"
            ).fetchone()
            readings = meter_readings(con, last_day) if last_day else []
        for alert in usage_alerts(
            store.subscriptions("usage"),
            readings,
            settings.alert_thresholds,
            settings.dashboard_url,
        ):
            if store.add_message(alert, now):
                outcome.made.append(alert["message_key"])
        monthly_reports(settings, store, complete_through, now, outcome)
    outcome.delivered = deliver_due(store, Smtp.from_settings(settings), now)
    return outcome


def meter_readings(con, day: date) -> list[Reading]:
    from orchestration.queries import marts

    names = {e["cloud_name"]: e["product_environment_name"] for e in marts.environments(con)}
    return [
        Reading(
            day=r["usage_date"],
            cloud_name=r["cloud_name"],
            environment_name=names.get(r["cloud_name"], r["cloud_name"]),
            meter=r["meter"],
            unit=r["unit"],
            usage=r["usage_amount"],
            limit=r["usage_limit"],
            usage_week_before=r["usage_week_before"],
        )
        for r in marts.meter_readings(con, day)
        if r["usage_amount"] is not None
    ]


def report_month(today: date) -> tuple[date, ReportRange]:
    """The month a monthly report made today covers (the previous one), and its range."""
    first_of_this = today.replace(day=1)
    month = (first_of_this - timedelta(days=1)).replace(day=1)
    return month, ReportRange(month - timedelta(days=1), first_of_this)


def monthly_reports(
    settings: Settings,
    store: NotificationStore,
    complete_through: date | None,
    now: datetime,
    outcome: Outcome,
) -> None:
    """Once the previous month's data is complete, request its report (as the first
    subscriber it is owed to) and, when it is ready, make a message for each subscriber.
    A subscription receives the months that end after it was made."""
    month, report_range = report_month(now.date())
    owed = [
        s
        for s in store.subscriptions("monthly-report")
        if datetime.fromisoformat(s.created_at).date() < report_range.end
        and not store.has_message(f"monthly-report/{s.subscription_id}/{month:%Y-%m}")
    ]
    if not owed:
        return
    last_day = report_range.end - timedelta(days=1)
    if complete_through is None or complete_through < last_day:
        outcome.notes.append(
            f"The report for {month:%B %Y} waits for its data: complete through "
            f"{complete_through}, needs {last_day}"
        )
        return
    report = registry_of(settings).get(report_range.key)
    if report is None or report.status in ("failed", "expired"):
        try:
            request_report(
                settings,
                report_range.start.isoformat(),
                report_range.end.isoformat(),
                owed[0].owner,
            )
        except RequestRefused as error:
            outcome.notes.append(f"The report for {month:%B %Y} cannot be requested: {error}")
            return
        outcome.notes.append(f"Requested the report for {month:%B %Y} ({report_range.key})")
        return
    if report.status != "ready":
        outcome.notes.append(f"The report for {month:%B %Y} is {report.status}")
        return
    for subscription in owed:
        made = monthly_report(subscription, month, report, settings.dashboard_url)
        if store.add_message(made, now):
            outcome.made.append(made["message_key"])


def pending_work(settings: Settings, now: datetime) -> str | None:
    """A fingerprint of what a notification run would do now (None: nothing): a new build
    to check against the subscriptions, messages due, or a monthly report owed."""
    store = store_of(settings)
    subscriptions = store.subscriptions()
    parts = []
    if subscriptions and settings.serving_path.exists():
        with open_serving(settings.serving_path) as con:
            (build_id,) = con.execute("select build_id from serving_build").fetchone()
        parts.append(f"build {build_id}")
    due = [f"{m.message_key}@{m.attempts}" for m in store.messages() if is_due(m, now)]
    parts.extend(due)
    _, report_range = report_month(now.date())
    if any(s.topic == "monthly-report" for s in subscriptions):
        report = registry_of(settings).get(report_range.key)
        parts.append(f"report {report_range.key} {report.status if report else 'none'}")
    if not parts:
        return None
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=8).hexdigest()


def is_due(message, now: datetime) -> bool:
    return message.status == "pending" and message.next_attempt_at <= now.isoformat()
