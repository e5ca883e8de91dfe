"""A new build is served without a restart, and a Free plan sees the limited dashboard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.dashboard.conftest import ARTIFACTS, copy_serving, get, master_admin, serve, visit


@pytest.fixture
def republished(built, small_zone, tmp_path):
    """The page on a serving file of its own, which the test publishes anew."""
    target = copy_serving(built["serving"], tmp_path / "serving" / "marts.duckdb")
    with serve(built["data"], small_zone, tmp_path, DAM_SERVING_PATH=str(target)) as base:
        yield {"base": base, "serving": target}


def test_a_new_free_plan_build_is_served_without_a_restart(republished, built, page, served):
    visit(page, republished["base"] + "/")
    assert page.locator(".chart").count() > 0
    built_at = served["serving_build"][0]["built_at"] + timedelta(hours=1)
    copy_serving(
        built["serving"],
        republished["serving"],
        "update dim_account set plan = 'free'; "
        f"update serving_build set built_at = timestamp '{built_at}'",
    )

    visit(page, republished["base"] + "/")
    assert f"built {built_at:%Y-%m-%d %H:%M}" in page.inner_text("#freshness")
    assert "available on paid plans" in page.inner_text("#upgrade")
    assert page.locator(".chart").count() == 0
    page.screenshot(path=ARTIFACTS / "free-plan.png", full_page=True)

    day = served["serving_build"][0]["complete_through"]

    def on(mart: str, column: str, day_column: str = "calendar_date") -> str:
        return f"{sum(r[column] for r in served[mart] if r[day_column] == day):,}"

    assert [tile for tile in page.eval_on_selector_all(
        ".tile", "tiles => tiles.map(t => [t.dataset.metric, t.querySelector('.value').innerText])"
    )] == [
        ["assets", on("mart_assets_daily", "asset_count")],
        ["users", on("mart_users_daily", "users")],
        ["collections", on("mart_collections_daily", "collections")],
        ["live_portals", on("mart_portals_daily", "live_portals")],
    ]  # fmt: skip
    assert page.locator("nav a").all_inner_texts() == ["Overview", "Activity reports"]
    for path, reason in (
        ("/collections", "not in the Free plan"),
        ("/downloads/published-collections.csv", "not in the Free plan"),
        ("/reports", "not available on the Free plan"),
    ):
        response = page.goto(republished["base"] + path)
        assert response.status == 403
        assert reason in page.inner_text("#reason")


def test_an_open_day_and_an_old_build_are_said_so(republished, built, page, served):
    visit(page, republished["base"] + "/")
    assert page.locator("#stale").count() == 0  # built minutes ago
    last = served["serving_build"][0]["last_arrival_day"]
    built_at = datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=30, minutes=10)
    copy_serving(
        built["serving"],
        republished["serving"],
        f"update serving_build set built_at = timestamp '{built_at}', "
        f"partial_day = date '{last}', complete_through = date '{last}' - 1, "
        f"data_through = timestamp '{last} 13:45'",
    )
    visit(page, republished["base"] + "/")
    freshness = " ".join(page.inner_text("#freshness").split())
    assert (
        f"Complete through {last - timedelta(days=1)}, {last} in part "
        f"(data through {last} 13:45 UTC)"
    ) in freshness
    assert "These numbers are 30 hours old" in page.inner_text("#stale")
    page.screenshot(path=ARTIFACTS / "stale-build.png")


def test_before_the_first_build_the_page_says_what_to_run(built, small_zone, tmp_path):
    missing = tmp_path / "serving" / "marts.duckdb"
    with serve(built["data"], small_zone, tmp_path, DAM_SERVING_PATH=str(missing)) as base:
        status, body = get(base, "/", "anyone@example.com")
    assert status == 503
    assert f"No published marts at {missing} yet: run `dam-usage run` first" in body


def test_marts_published_by_an_older_version_ask_for_a_new_build(
    built, small_zone, served, tmp_path
):
    older = copy_serving(
        built["serving"],
        tmp_path / "serving" / "marts.duckdb",
        "alter table serving_build drop column partial_day",
    )
    with serve(built["data"], small_zone, tmp_path, DAM_SERVING_PATH=str(older)) as base:
        status, body = get(base, "/", master_admin(served))
    assert status == 503
    assert "come from an older version of the warehouse: run `dam-usage run`" in body
