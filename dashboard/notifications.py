"""The notifications page: who gets usage alerts and the monthly report, and the messages
sent. Subscribing goes through the notifications service the command line uses."""

from __future__ import annotations

from functools import partial
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from dashboard.access import Refused, same_origin
from dashboard.page import Page, viewed
from orchestration.notifications.service import (
    SubscriptionRefused,
    known_meters,
    store_of,
    subscribe,
)

RECENT_MESSAGES = 20


@viewed()
def notifications(page: Page) -> Response:
    return _render(page, 200, None)


def _render(page: Page, status: int, message: str | None) -> Response:
    page.paid_only()
    settings = page.site.config.settings
    store = store_of(settings)
    _, meters = known_meters(page.cursor)
    recent = sorted(store.messages(), key=lambda m: m.created_at, reverse=True)
    return page.render(
        "notifications.html",
        status,
        subscriptions=store.subscriptions(),
        messages=recent[:RECENT_MESSAGES],
        meters=meters,
        thresholds=",".join(map(str, settings.alert_thresholds)),
        message=message,
    )


async def change(request: Request) -> Response:
    """A subscription made or removed by a form of this page."""
    if not same_origin(request):
        raise Refused("Subscriptions can only be changed from this dashboard's own page")
    form = {
        name: values[0].strip()
        for name, values in parse_qs((await request.body()).decode("utf-8", "replace")).items()
    }
    return await run_in_threadpool(viewed()(partial(_change, form)), request)


def _change(form: dict[str, str], page: Page) -> Response:
    page.paid_only()
    settings = page.site.config.settings
    if form.get("unsubscribe"):
        store_of(settings).unsubscribe(int(form["unsubscribe"]))
        return RedirectResponse("/notifications", status_code=303)
    webhook = form.get("webhook") or None
    try:
        subscribe(
            settings,
            form.get("topic", ""),
            page.viewer,
            email=None if webhook else (form.get("email") or None),
            webhook=webhook,
            environment=form.get("env") or None,
            meter=form.get("meter") or None,
            alert_thresholds=form.get("thresholds") or None,
        )
    except SubscriptionRefused as error:
        return _render(page, 400, str(error))
    return RedirectResponse("/notifications", status_code=303)
