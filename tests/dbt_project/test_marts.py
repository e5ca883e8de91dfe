"""Every mart against an independent replay of the raw landing files (tests/reference.py),
on a small generated account with late, redelivered and malformed records."""

from __future__ import annotations

import json
from datetime import date, timedelta

import duckdb
import pytest


@pytest.fixture(scope="module")
def marts(built):
    with duckdb.connect(str(built["serving"]), read_only=True) as con:
        yield con


def rows(con, sql: str, *params) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


def test_assets_by_type_at_the_end_of_each_day(marts, reference):
    for day in reference.days:
        expected = reference.assets(day)
        found = {
            (env, kind): (count, size)
            for env, kind, count, size in rows(
                marts,
                "select cloud_name, asset_type, asset_count, total_bytes from mart_assets_daily "
                "where calendar_date = ?",
                day,
            )
        }
        assert {k: v for k, v in found.items() if v != (0, 0)} == expected, day


def test_uploads_by_day_source_and_type(marts, reference):
    expected = reference.uploads_per_day()
    found = rows(
        marts,
        "select calendar_date, cloud_name, upload_source, asset_type, uploads, "
        "uploads_past_7_days from mart_uploads_daily",
    )
    assert {(d, e, s, t): n for d, e, s, t, n, _ in found if n} == dict(expected)
    # A daily row's window is as of the end of its day: D - 6 to D.
    for day, env, source, kind, _, past_week in found:
        window = sum(
            expected.get((day - timedelta(days=k), env, source, kind), 0) for k in range(0, 7)
        )
        assert past_week == window
    # Every combination is answerable: the grid has no holes.
    envs = {e for _, e, *_ in found}
    days = {d for d, *_ in found}
    assert len(found) == len(envs) * len(days) * 2 * 3


def test_collection_views_per_day(marts, reference):
    found = rows(
        marts, "select view_date, cloud_name, collection_id, views from mart_collection_views_daily"
    )
    assert {(d, e, c): n for d, e, c, n in found} == dict(reference.views_per_day())


@pytest.mark.parametrize("kind", ["collection", "portal"])
def test_collections_and_portals_at_the_end_of_each_day(marts, reference, kind):
    expected = reference.containers(kind)
    if kind == "collection":
        sql = (
            "select calendar_date, cloud_name, collections, assets_in_collections, "
            "published_collections, assets_in_published_collections from mart_collections_daily"
        )
    else:
        sql = (
            "select calendar_date, cloud_name, portals, null, live_portals, "
            "assets_in_live_portals from mart_portals_daily"
        )
    found = {(d, e): values for d, e, *values in rows(marts, sql)}
    for key, (existing, assets, live, live_assets) in expected.items():
        got = found[key]
        if kind == "portal":
            assert (got[0], got[2], got[3]) == (existing, live, live_assets), key
        else:
            assert tuple(got) == (existing, assets, live, live_assets), key
    assert any(v[2] for v in expected.values()), "the sample publishes something"


def test_users_by_role(marts, reference):
    for day in reference.days:
        found = dict(
            rows(
                marts, "select user_role, users from mart_users_daily where calendar_date = ?", day
            )
        )
        assert {r: n for r, n in found.items() if n} == dict(reference.users_by_role(day)), day


def test_the_users_dimension_says_who_may_do_what(marts, reference):
    """Active: enabled and not pending. The dashboard: active master admins. Reports: active
    master admins and admins. From the latest snapshot's raw records."""
    latest = sorted((reference.zone / "users").glob("*.json"))[-1]
    expected = {}
    for user in json.loads(latest.read_text())["users"]:
        active = user["enabled"] is True and not user.get("pending")
        expected[user["id"]] = (
            active,
            active and user["role"] == "master_admin",
            active and user["role"] in ("master_admin", "admin"),
        )
    found = rows(
        marts, "select user_id, is_active, can_view_dashboard, can_request_reports from dim_users"
    )
    assert {user_id: tuple(flags) for user_id, *flags in found} == expected
    assert {flags for flags in expected.values()} >= {
        (True, True, True),
        (True, False, True),
        (True, False, False),
        (False, False, False),
    }  # every case is in the sample


def test_active_users_and_share_of_activity(marts, reference):
    last = reference.days[-1]
    for day in (last - timedelta(days=3), last):
        for days, column in ((7, "7d"), (30, "30d")):
            # The row of day D counts D - N + 1 to D: the N days before D + 1.
            expected = reference.active_users(day + timedelta(days=1), days)
            found = {
                (scope, user): (n, share)
                for scope, user, n, share in rows(
                    marts,
                    f"select activity_scope, user_id, actions_{column}, share_{column} "
                    "from mart_active_users_daily where calendar_date = ?",
                    day,
                )
                if n
            }
            assert found.keys() == expected.keys()
            for key, (n, share) in expected.items():
                assert found[key][0] == n
                assert found[key][1] == pytest.approx(share)


def test_account_usage_and_add_ons_match_the_reports(marts, small_zone):
    for path in sorted((small_zone / "usage").rglob("*.json")):
        env, day = path.parent.name, date.fromisoformat(path.stem)
        report = json.loads(path.read_text())
        (usage,) = rows(
            marts,
            "select transformations_usage, storage_usage, bandwidth_usage, credits_usage, "
            "objects_usage, requests from mart_account_usage_daily "
            "where cloud_name = ? and usage_date = ?",
            env,
            day,
        )
        assert usage == (
            report["transformations"]["usage"],
            report["storage"]["usage"],
            report["bandwidth"]["usage"],
            report["credits"]["usage"],
            report["objects"]["usage"],
            report["requests"],
        )
        add_ons = {
            name: (value["usage"], value["limit"])
            for name, value in report.items()
            if isinstance(value, dict) and set(value) == {"usage", "limit"}
        }
        found = rows(
            marts,
            "select add_on, usage_amount, usage_limit from mart_add_on_usage_daily "
            "where cloud_name = ? and usage_date = ?",
            env,
            day,
        )
        assert {a: (u, lim) for a, u, lim in found} == add_ons


def test_published_collections_download_lists_every_published_one(marts, reference):
    first, last = reference.days[0], reference.days[-1]
    found = rows(
        marts,
        "select cloud_name, collection_id, views from published_collections_by_views(?, ?)",
        first,
        last,
    )
    state = reference.containers("collection")
    assert len(found) == sum(v[2] for (d, _), v in state.items() if d == last)
    views = reference.views_per_day()
    for env, collection, n in found:
        assert n == sum(
            v
            for (d, e, c), v in views.items()
            if (e, c) == (env, collection) and first <= d <= last
        )
    for env in {e for e, *_ in found}:
        listed = [n for e, _, n in found if e == env]
        assert listed == sorted(listed, reverse=True), env
    assert [e for e, *_ in found] == sorted(e for e, *_ in found), "grouped by environment"


def test_all_users_download_ranks_ties_together(marts, reference, small_zone):
    scope = max({a.scope for a in reference.actions if a.scope != "(account)"})
    as_of = reference.days[-1] + timedelta(days=1)
    found = rows(
        marts,
        "select rank, user_id, actions from users_by_activity(?, ?, window_days := 30)",
        scope,
        as_of,
    )
    last_snapshot = json.loads(sorted((small_zone / "users").glob("*.json"))[-1].read_text())
    expected = reference.active_users(as_of, 30)
    assert {u["id"] for u in last_snapshot["users"]} <= {u for _, u, _ in found}
    for rank, user, n in found:
        assert n == expected.get((scope, user), (0, 0))[0]
        assert rank == 1 + sum(1 for _, _, m in found if m > n)
