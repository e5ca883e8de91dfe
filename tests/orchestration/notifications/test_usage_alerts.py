"""Usage alerts from the small zone's published marts, delivered to a real SMTP server and a
local webhook receiver, checked against the usage reports as they landed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from orchestration.landing import landing_days
from orchestration.notifications.service import (
    SubscriptionRefused,
    notify,
    pending_work,
    store_of,
    subscribe,
)
from orchestration.notifications.store import MAX_ATTEMPTS
from tests.conftest import admin_of
from tests.orchestration.notifications.conftest import subject as subject_of
from tests.orchestration.notifications.conftest import subjects, usage_files

STANDARD = {"plan", "last_updated", "objects", "requests", "resources", "derived_resources",
            "media_limits"}  # fmt: skip
LIMITED = ("transformations", "storage", "bandwidth", "credits")
THRESHOLDS = (1, 2, 4)  # the small zone uses little of its limits


def expected_alerts(zone, thresholds, day=None) -> dict[tuple[str, str], int]:
    """(environment, meter) -> the highest threshold its usage reached on `day` (the last
    by default), from the landed usage reports (plain Python: usage / limit)."""
    day = day or landing_days(zone)[-1]
    expected = {}
    for env, report in usage_files(zone, day).items():
        for meter, value in report.items():
            if meter in STANDARD or not isinstance(value, dict):
                continue
            usage, limit = value.get("usage"), value.get("limit")
            if usage is None or not limit:
                continue
            passed = [t for t in thresholds if 100 * usage / limit >= t]
            if passed:
                expected[(env, meter)] = max(passed)
    return expected


def test_each_meter_past_a_threshold_brings_one_message_by_email_and_by_webhook(
    notifying, smtp, webhook, small_zone
):
    inbox, _ = smtp
    receiver, url = webhook
    owner = admin_of(small_zone)["email"]
    levels = ",".join(map(str, THRESHOLDS))
    subscribe(notifying, "usage", owner, alert_thresholds=levels)
    subscribe(notifying, "usage", owner, webhook=url, alert_thresholds=levels)

    outcome = notify(notifying)
    expected = expected_alerts(small_zone, THRESHOLDS)
    assert expected and len(set(expected.values())) > 1  # the case is not trivial
    assert len(outcome.delivered.sent) == 2 * len(expected)
    assert outcome.delivered.failed == []
    sent = {(p["environment"], p["meter"]): p["threshold"] for p in receiver.posts}
    assert sent == expected
    assert sorted(str(m["To"]) for m in inbox.messages) == [owner] * len(expected)
    assert subjects(inbox) == sorted(p["subject"] for p in receiver.posts)
    assert all(p["text"].startswith(f"*{p['subject']}*\n") for p in receiver.posts)

    # A re-run, and a new build with the same usage, send nothing twice.
    assert notify(notifying).delivered.sent == []
    assert len(inbox.messages) == len(expected)


def test_a_message_says_what_how_much_against_which_limit_and_links_the_dashboard(
    notifying, smtp, small_zone
):
    inbox, _ = smtp
    owner = admin_of(small_zone)["email"]
    subscribe(notifying, "usage", owner, meter="background_removal", alert_thresholds="1")
    notify(notifying)
    day = landing_days(small_zone)[-1]
    reports = {
        env: report["background_removal"]
        for env, report in usage_files(small_zone, day).items()
        if "background_removal" in report
    }
    assert len(inbox.messages) == len(reports) > 0
    for mail in inbox.messages:
        subject = subject_of(mail)
        env = subject.split("(")[1].split(")")[0]
        meter = reports[env]
        share = f"{100 * meter['usage'] / meter['limit']:,.1f} %"
        assert subject.startswith("Background removal in ")
        assert subject.endswith(
            f"at {share} of its limit: {meter['usage']:,} of {meter['limit']:,}"
        )
        body = mail.get_content()
        assert f"on {day} (UTC), past your 1 % alert" in body
        assert f"Used:   {meter['usage']:,}" in body
        assert f"Limit:  {meter['limit']:,}" in body
        assert "Trend:  no reading from 7 days before" in body  # the zone has 6 days
        assert f"http://dashboard.example:8000/usage?env={env}" in body


def test_a_meter_that_climbs_brings_the_next_threshold_only(notifying, smtp, small_zone):
    inbox, _ = smtp
    owner = admin_of(small_zone)["email"]
    subscribe(notifying, "usage", owner, meter="credits", alert_thresholds="1,90,100")
    notify(notifying)
    first = len(inbox.messages)
    with duckdb.connect(str(notifying.serving_path)) as con:  # the next build: one over 100 %
        (env,) = con.execute(
            "update mart_account_usage_daily set credits_usage = credits_limit * 1.02 "
            "where usage_date = (select last_arrival_day from serving_build) "
            "and cloud_name = (select min(cloud_name) from mart_account_usage_daily) "
            "returning cloud_name"
        ).fetchone()
        con.execute("update serving_build set build_id = build_id || '-next'")
    notify(notifying)
    (climbed,) = inbox.messages[first:]
    assert f"({env}) at 102.0 % of its limit" in subject_of(climbed)
    assert "past your 100 % alert" in climbed.get_content()


def test_a_failed_delivery_is_recorded_and_tried_again_after_a_wait(notifying, webhook, small_zone):
    receiver, url = webhook
    owner = admin_of(small_zone)["email"]
    subscribe(
        notifying, "usage", owner, webhook=url, meter="background_removal", alert_thresholds="1"
    )
    receiver.failures = 100  # the receiver is down
    start = datetime.now(UTC)
    first = notify(notifying, now=start)
    assert first.delivered.sent == [] and len(first.delivered.failed) >= 1
    receiver.failures = 0  # and up again
    failed = store_of(notifying).messages()
    assert {(m.status, m.attempts) for m in failed} == {("pending", 1)}
    assert any("HTTP Error 500" in m.last_error for m in failed)
    # Not before its wait (30 s) is over; then every one goes.
    assert notify(notifying, now=start + timedelta(seconds=10)).delivered.sent == []
    assert pending_work(notifying, start + timedelta(seconds=10)) != pending_work(
        notifying, start + timedelta(seconds=31)
    )
    retried = notify(notifying, now=start + timedelta(seconds=31))
    assert len(retried.delivered.sent) == len(failed)
    assert {(m.status, m.attempts) for m in store_of(notifying).messages()} == {("sent", 2)}
    assert len(receiver.posts) == len(failed)


def test_a_delivery_that_keeps_failing_is_given_up_and_never_raises(notifying, small_zone):
    owner = admin_of(small_zone)["email"]
    subscribe(notifying, "usage", owner, meter="background_removal", alert_thresholds="1")
    down = notifying.__class__(**{**notifying.__dict__, "smtp_port": 1})  # nothing listens
    now = datetime.now(UTC)
    for _ in range(MAX_ATTEMPTS + 2):
        notify(down, now=now)
        now += timedelta(days=1)
    messages = store_of(down).messages()
    assert messages and {(m.status, m.attempts) for m in messages} == {("failed", MAX_ATTEMPTS)}
    assert all("Connection refused" in m.last_error for m in messages)


@pytest.mark.parametrize(
    "arguments, reason",
    [
        ({"owner": "nobody@example.com"}, "is not a user of this account"),
        ({"meter": "stor"}, "Unknown meter 'stor': one of transformations, storage"),
        ({"environment": "nowhere"}, "Unknown product environment 'nowhere'"),
        ({"alert_thresholds": "80,x"}, "must be whole percentages"),
        ({"webhook": "ftp://example.com/x"}, "must be an http(s) URL"),
    ],
)
def test_a_subscription_that_cannot_work_is_refused_with_the_reason(
    notifying, small_zone, arguments, reason
):
    arguments = {"owner": admin_of(small_zone)["email"], **arguments}
    with pytest.raises(SubscriptionRefused, match=reason.replace("(", r"\(").replace(")", r"\)")):
        subscribe(notifying, "usage", **arguments)
    assert store_of(notifying).subscriptions() == []


def test_before_todays_usage_report_lands_the_latest_one_is_used(notifying, smtp, small_zone):
    inbox, _ = smtp
    days = landing_days(small_zone)
    with duckdb.connect(str(notifying.serving_path)) as con:  # today's reports not in yet
        for mart in ("mart_account_usage_daily", "mart_add_on_usage_daily"):
            con.execute(f"delete from {mart} where usage_date = $day", {"day": days[-1]})
    subscribe(notifying, "usage", admin_of(small_zone)["email"], alert_thresholds=",".join(
        map(str, THRESHOLDS)
    ))  # fmt: skip
    notify(notifying)
    expected = expected_alerts(small_zone, THRESHOLDS, days[-2])
    assert len(inbox.messages) == len(expected) > 0
    assert all(f"limit on {days[-2]} (UTC)" in m.get_content() for m in inbox.messages)
