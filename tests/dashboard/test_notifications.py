"""Subscriptions managed from the dashboard page, in a browser: subscribe, see the messages
made for them, unsubscribe; the same rules as the command line."""

from __future__ import annotations

import dataclasses

import pytest

from orchestration.notifications.service import notify, store_of
from orchestration.settings import Settings
from tests.dashboard.conftest import ARTIFACTS, get, master_admin, serve, table, visit


@pytest.fixture
def own_store(built, small_zone, tmp_path):
    """The page with a notification store of its own, and settings that reach it."""
    store = tmp_path / "notifications.sqlite"
    with serve(built["data"], small_zone, tmp_path, DAM_NOTIFICATIONS_PATH=str(store)) as base:
        yield {
            "base": base,
            "settings": dataclasses.replace(
                Settings.from_env(), serving_path=built["serving"], notifications_path=store
            ),
        }


def test_subscribe_see_the_messages_and_unsubscribe_from_the_page(own_store, page, served):
    base, settings = own_store["base"], own_store["settings"]
    viewer = master_admin(served)
    visit(page, base + "/notifications")
    assert page.input_value("#email") == viewer
    page.select_option("#alert-meter", "background_removal")
    page.fill("#thresholds", "1")
    page.click("#subscribe button[type=submit]")
    page.wait_for_url(base + "/notifications")
    (subscription,) = store_of(settings).subscriptions()
    assert (subscription.topic, subscription.meter, subscription.thresholds) == (
        "usage",
        "background_removal",
        "1",
    )
    assert (subscription.address, subscription.owner) == (viewer, viewer)
    assert table(page, "#subscriptions")[0][:6] == [
        "1", "usage", "all", "background_removal", "1", f"email: {viewer}",
    ]  # fmt: skip

    made = notify(settings)  # no SMTP server is set: recorded, to be tried again
    page.reload()
    rows = table(page, "#messages")
    assert len(rows) == len(made.made) > 0
    assert all("pending: NotConfigured: DAM_SMTP_HOST is not set" in row[3] for row in rows)
    page.screenshot(path=ARTIFACTS / "notifications.png", full_page=True)

    page.fill("#webhook", "ftp://hooks.example.com/x")
    page.click("#subscribe button[type=submit]")
    assert "The webhook must be an http(s) URL" in page.inner_text("#message")

    page.goto(base + "/notifications")
    page.click("[data-subscription='1'] button")
    page.wait_for_url(base + "/notifications")
    assert store_of(settings).subscriptions() == []
    assert table(page, "#subscriptions") == [["No subscriptions yet."]]


def test_a_subscription_posted_from_another_site_is_refused(own_store, served):
    status, body = get(
        own_store["base"],
        "/notifications",
        master_admin(served),
        method="POST",
        Origin="https://elsewhere.example",
    )
    assert status == 403
    assert "only be changed from this dashboard&#39;s own page" in body
    assert store_of(own_store["settings"]).subscriptions() == []
