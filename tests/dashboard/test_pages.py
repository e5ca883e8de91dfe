"""Every page renders from this host alone, and what it draws equals the served marts."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest

from tests.dashboard.conftest import ARTIFACTS, table, traces, visit

PAGES = {
    "overview": "/",
    "collection-views": "/collections",
    "uploads": "/uploads",
    "active-users": "/users",
    "account-usage": "/usage",
    "activity-reports": "/reports",
}


def complete_through(served) -> date:
    return served["serving_build"][0]["complete_through"]


def days_between(first: date, last: date) -> list[str]:
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def summed(rows, day_column, value, first, last, env=None, key=None) -> dict:
    """{key: {day: sum}} of a mart's rows in [first, last], for one environment or all."""
    sums: dict = defaultdict(lambda: defaultdict(int))
    for row in rows:
        day = row[day_column]
        if first <= day <= last and env in (None, row.get("cloud_name")):
            sums[row[key] if key else None][day.isoformat()] += row[value]
    return sums


def test_every_page_renders_from_this_host_only(dashboard, browser, page, served):
    built = served["serving_build"][0]
    for name, path in PAGES.items():
        visit(page, dashboard["base"] + path)
        assert page.locator("h1").first.is_visible()
        freshness = page.inner_text("#freshness")
        assert f"Complete through {built['complete_through']}" in freshness
        assert built["built_at"].strftime("%Y-%m-%d %H:%M") in freshness
        page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
    assert page.errors == []
    assert browser.hosts == {dashboard["base"].split("/")[2]}


@pytest.mark.parametrize("env", [None, "acme-production"])
def test_the_overview_charts_equal_the_marts(dashboard, page, served, env):
    last = complete_through(served)
    first = last - timedelta(days=3)  # a period inside the data: its bounds are kept
    query = f"?first={first}&last={last}" + (f"&env={env}" if env else "")
    visit(page, f"{dashboard['base']}/{query}")
    days = days_between(first, last)

    assets = summed(served["mart_assets_daily"], "calendar_date", "asset_count", first, last, env,
                    "asset_type")  # fmt: skip
    drawn = traces(page, "chart-assets")
    assert set(drawn) == set(assets)
    for asset_type, by_day in assets.items():
        assert drawn[asset_type]["x"] == days
        assert drawn[asset_type]["y"] == [by_day[d] for d in days]

    size = summed(served["mart_assets_daily"], "calendar_date", "total_bytes", first, last, env,
                  "asset_type")  # fmt: skip
    for asset_type, gigabytes in traces(page, "chart-bytes").items():
        assert gigabytes["y"] == pytest.approx([size[asset_type][d] / 1e9 for d in days])

    users = summed(served["mart_users_daily"], "calendar_date", "users", first, last)[None]
    assert traces(page, "chart-users")["users"]["y"] == [users[d] for d in days]

    for chart, mart, columns in (
        ("chart-collections", "mart_collections_daily", (
            "collections", "published_collections", "assets_in_collections",
            "assets_in_published_collections")),
        ("chart-portals", "mart_portals_daily", ("live_portals", "assets_in_live_portals")),
    ):  # fmt: skip
        drawn = traces(page, chart)
        for column in columns:
            expected = summed(served[mart], "calendar_date", column, first, last, env)[None]
            assert drawn[column]["x"] == days
            assert drawn[column]["y"] == [expected[d] for d in days], column

    tile = page.inner_text("[data-metric=assets] .value").replace(",", "")
    assert int(tile) == sum(by_day[last.isoformat()] for by_day in assets.values())


def test_upload_filters_combine(dashboard, page, served):
    last = complete_through(served)
    visit(page, f"{dashboard['base']}/uploads?days=7")
    page.select_option("#source", "api")
    page.wait_for_selector("body[data-charts-ready]")
    page.select_option("#type", "video")
    page.wait_for_selector("body[data-charts-ready]")
    assert "source=api" in page.url and "type=video" in page.url

    first = last - timedelta(days=6)
    chosen = [
        r for r in served["mart_uploads_daily"]
        if r["upload_source"] == "api" and r["asset_type"] == "video"
    ]  # fmt: skip
    per_day = summed(chosen, "calendar_date", "uploads", first, last)[None]
    days = [d for d in days_between(first, last) if d in per_day]
    drawn = traces(page, "chart-uploads")["Uploads per day"]
    assert drawn["x"] == days
    assert drawn["y"] == [per_day[d] for d in days]
    # The past 7 days as of the last day: the days last - 6 ... last, whatever the mart says.
    tile = int(page.inner_text("[data-metric=uploads_past_7_days] .value").replace(",", ""))
    assert tile == sum(per_day.values())
    assert table(page, "#uploads-by-source") == [["api", "video", f"{tile:,}"]]
    everything = summed(served["mart_uploads_daily"], "calendar_date", "uploads", first, last)
    assert sum(everything[None].values()) > tile  # the filters did narrow it


def top_ten(served, first: date, last: date) -> dict[str, list[tuple[str, int]]]:
    views: dict = defaultdict(lambda: defaultdict(int))
    for row in served["mart_collection_views_daily"]:
        if first <= row["view_date"] <= last:
            views[row["cloud_name"]][row["collection_id"]] += row["views"]
    return {
        env: sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:10]
        for env, counts in views.items()
    }


def listed(page) -> dict[str, list[tuple[str, int]]]:
    return page.eval_on_selector_all(
        ".top-list",
        "lists => Object.fromEntries(lists.map(l => [l.dataset.env, [...l.querySelectorAll("
        "'tbody tr')].map(r => [r.dataset.collection, Number(r.cells[2].innerText"
        ".replaceAll(',', ''))])]))",
    )


def test_changing_the_period_changes_the_top_10(dashboard, page, served):
    last = complete_through(served)
    first_day = min(r["view_date"] for r in served["mart_collection_views_daily"])
    visit(page, f"{dashboard['base']}/collections?days=30")
    whole = {env: [list(item) for item in items] for env, items in top_ten(
        served, last - timedelta(days=29), last).items()}  # fmt: skip
    assert listed(page) == whole

    page.fill("input[name=first]", (last - timedelta(days=1)).isoformat())
    page.fill("input[name=last]", last.isoformat())
    page.click("#selectors button[type=submit]")
    page.wait_for_selector("body[data-charts-ready]")
    recent = {env: [list(item) for item in items] for env, items in top_ten(
        served, last - timedelta(days=1), last).items()}  # fmt: skip
    assert listed(page) == recent
    assert recent != whole and first_day < last - timedelta(days=1)

    env, items = next(iter(recent.items()))
    collection_id, views = items[0]
    page.click(f".top-list[data-env='{env}'] tr[data-collection='{collection_id}'] a")
    page.wait_for_selector("body[data-charts-ready]")
    drawn = traces(page, "chart-views")
    (series,) = drawn.values()
    assert series["x"] == days_between(last - timedelta(days=1), last)
    assert sum(series["y"]) == views
    page.screenshot(path=ARTIFACTS / "collection.png", full_page=True)


def test_the_active_users_lists_equal_the_marts(dashboard, page, served):
    last = complete_through(served)
    visit(page, f"{dashboard['base']}/users?window=7")
    scopes = sorted({r["activity_scope"] for r in served["mart_active_users_daily"]})
    for scope in scopes:
        rows = [
            r for r in served["mart_active_users_daily"]
            if r["calendar_date"] == last and r["activity_scope"] == scope and r["actions_7d"] > 0
        ]  # fmt: skip
        rows.sort(key=lambda r: (-r["actions_7d"], r["email"] or ""))
        shown = table(page, f".top-users[data-scope='{scope}']")
        if not rows:
            assert shown == [["No user activity in this window."]]
            continue
        assert [(s[0], s[5], s[6]) for s in shown] == [
            (r["email"], f"{r['actions_7d']:,}", f"{100 * r['share_7d']:,.1f} %") for r in rows[:10]
        ]


def test_the_usage_meters_equal_the_marts(dashboard, page, served):
    last = complete_through(served)
    visit(page, f"{dashboard['base']}/usage?env=acme-production&days=30")
    rows = [r for r in served["mart_account_usage_daily"] if r["cloud_name"] == "acme-production"]
    rows.sort(key=lambda r: r["usage_date"])
    drawn = traces(page, "chart-used-1")
    assert drawn["Credits"]["y"] == [r["credits_used_percent"] for r in rows]
    assert traces(page, "chart-sizes-1")["storage"]["y"] == pytest.approx(
        [r["storage_usage"] / 1e9 for r in rows]
    )
    latest = rows[-1]
    assert latest["usage_date"] == last
    storage = page.inner_text("[data-meter=storage_usage] .value")
    assert (
        storage
        == f"{latest['storage_usage'] / 1e9:,.2f} GB of {latest['storage_limit'] / 1e9:,.2f} GB"
    )
