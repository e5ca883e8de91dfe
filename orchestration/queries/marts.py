"""What the dashboard page, the text dashboard and the usage alerts show, as queries on the
served marts and their table macros (downloads.sql).

Every metric is per product environment; `env` names one, or is None for all of them,
where the page sums what sums meaningfully (counts, sizes, views) and lists the rest per
environment. Periods are inclusive: first <= day <= last.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from orchestration.sql import sql_string

ACCOUNT_SCOPE = "(account)"
ENV = "($env is null or cloud_name = $env)"


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @classmethod
    def ending(cls, last: date, days: int) -> Period:
        return cls(last - timedelta(days=days - 1), last)


def rows(cursor: duckdb.DuckDBPyConnection, sql: str, **params: Any) -> list[dict]:
    relation = cursor.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql})
    names = [column[0] for column in relation.description]
    return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]


def environments(cursor) -> list[dict]:
    return rows(
        cursor,
        "select cloud_name, product_environment_name, tracking_enabled "
        "from dim_product_environments order by cloud_name",
    )


def add_ons(cursor) -> list[str]:
    """The add-ons the usage reports have named."""
    return [
        r["add_on"]
        for r in rows(cursor, "select distinct add_on from mart_add_on_usage_daily order by 1")
    ]


def account(cursor) -> dict:
    found = rows(
        cursor, "select plan, activity_reports_enabled, plan_allows_reports from dim_account"
    )
    return found[0] if found else {"plan": None}


# Overview -------------------------------------------------------------------------------


def assets_by_type(cursor, env: str | None, day: date) -> list[dict]:
    return rows(
        cursor,
        "select asset_type, sum(asset_count) as assets, sum(total_bytes) as bytes "
        f"from mart_assets_daily where calendar_date = $day and {ENV} "
        "group by asset_type order by asset_type",
        env=env,
        day=day,
    )


def assets_trend(cursor, env: str | None, period: Period) -> list[dict]:
    return rows(
        cursor,
        "select calendar_date as day, asset_type, sum(asset_count) as assets, "
        "sum(total_bytes) as bytes from mart_assets_daily "
        f"where calendar_date between $first and $last and {ENV} group by all order by all",
        env=env,
        first=period.first,
        last=period.last,
    )


def users_by_role(cursor, day: date) -> list[dict]:
    """Users belong to the account, not to a product environment."""
    return rows(
        cursor,
        "select user_role, users from mart_users_daily where calendar_date = $day "
        "and users > 0 order by users desc, user_role",
        day=day,
    )


def users_trend(cursor, period: Period) -> list[dict]:
    return rows(
        cursor,
        "select calendar_date as day, sum(users) as users from mart_users_daily "
        "where calendar_date between $first and $last group by all order by all",
        first=period.first,
        last=period.last,
    )


def collections_trend(cursor, env: str | None, period: Period) -> list[dict]:
    return rows(
        cursor,
        "select calendar_date as day, sum(collections) as collections, "
        "sum(assets_in_collections) as assets_in_collections, "
        "sum(published_collections) as published_collections, "
        "sum(assets_in_published_collections) as assets_in_published_collections "
        f"from mart_collections_daily where calendar_date between $first and $last and {ENV} "
        "group by all order by all",
        env=env,
        first=period.first,
        last=period.last,
    )


def portals_trend(cursor, env: str | None, period: Period) -> list[dict]:
    return rows(
        cursor,
        "select calendar_date as day, sum(live_portals) as live_portals, "
        "sum(assets_in_live_portals) as assets_in_live_portals "
        f"from mart_portals_daily where calendar_date between $first and $last and {ENV} "
        "group by all order by all",
        env=env,
        first=period.first,
        last=period.last,
    )


def summary_numbers(cursor, env: str | None, day: date) -> dict[str, int]:
    """The four numbers a Free plan sees: assets, users, collections, live portals."""
    (numbers,) = rows(
        cursor,
        "select "
        f"(select sum(asset_count) from mart_assets_daily where calendar_date = $day and {ENV}) "
        "as assets, "
        "(select sum(users) from mart_users_daily where calendar_date = $day) as users, "
        "(select sum(collections) from mart_collections_daily "
        f"where calendar_date = $day and {ENV}) as collections, "
        "(select sum(live_portals) from mart_portals_daily "
        f"where calendar_date = $day and {ENV}) as live_portals",
        env=env,
        day=day,
    )
    return {name: value or 0 for name, value in numbers.items()}


# Collections -----------------------------------------------------------------------------

NAMES = """
names as (
    select cloud_name, collection_id, arg_max(collection_name, published_from) as name
    from mart_collection_publications group by all
)"""


def top_collections(cursor, env: str | None, period: Period, top_n: int = 10) -> list[dict]:
    """The most viewed collections per environment, with their latest published names."""
    return rows(
        cursor,
        "with top as (select * from top_collections("
        "$first, $last, environment := $env, top_n := $top_n)), "
        "names as (select cloud_name, collection_id, "
        "arg_max(publications.collection_name, publications.published_from) as name "
        "from mart_collection_publications as publications join top using (cloud_name, "
        "collection_id) group by all) "
        "select top.cloud_name, top.position, top.collection_id, "
        "coalesce(names.name, top.collection_id) as collection_name, top.views "
        "from top left join names using (cloud_name, collection_id) "
        "order by top.cloud_name, top.position",
        env=env,
        first=period.first,
        last=period.last,
        top_n=top_n,
    )


def collection(cursor, env: str, collection_id: str, period: Period) -> dict | None:
    """A collection's name, publications and daily views (zero on days without any)."""
    found = rows(
        cursor,
        f"with {NAMES} select name from names "
        "where cloud_name = $env and collection_id = $collection_id",
        env=env,
        collection_id=collection_id,
    )
    viewed = rows(
        cursor,
        "select count(*) as days from mart_collection_views_daily "
        "where cloud_name = $env and collection_id = $collection_id",
        env=env,
        collection_id=collection_id,
    )
    if not found and not viewed[0]["days"]:
        return None
    views = rows(
        cursor,
        "with days as (select cast(unnest(generate_series(cast($first as timestamp), "
        "cast($last as timestamp), interval 1 day)) as date) as day) "
        "select days.day, coalesce(sum(views.views), 0) as views from days "
        "left join mart_collection_views_daily as views on views.view_date = days.day "
        "and views.cloud_name = $env and views.collection_id = $collection_id "
        "group by days.day order by days.day",
        env=env,
        collection_id=collection_id,
        first=period.first,
        last=period.last,
    )
    publications = rows(
        cursor,
        "select collection_name, published_from, published_to from mart_collection_publications "
        "where cloud_name = $env and collection_id = $collection_id order by published_from",
        env=env,
        collection_id=collection_id,
    )
    name = found[0]["name"] if found else collection_id
    return {"name": name, "views": views, "publications": publications}


def copy_csv(cursor, sql: str, params: dict[str, Any], target: Path) -> None:
    """A download written by DuckDB itself: faster than rows through Python."""
    cursor.execute(f"copy ({sql}) to {sql_string(target)} (format csv, header true)", params)


def published_collections(cursor, env: str | None, period: Period, target: Path) -> None:
    """The "all published collections" download: published at the end of the period, with
    their views in it."""
    copy_csv(
        cursor,
        "select * from published_collections_by_views($first, $last, environment := $env)",
        {"first": period.first, "last": period.last, "env": env},
        target,
    )


# Uploads ---------------------------------------------------------------------------------

UPLOAD_FILTER = (
    f"{ENV} and ($source is null or upload_source = $source) "
    "and ($type is null or asset_type = $type)"
)


def upload_choices(cursor) -> dict[str, list[str]]:
    (sources, types) = cursor.execute(
        "select list(distinct upload_source order by upload_source), "
        "list(distinct asset_type order by asset_type) from mart_uploads_daily"
    ).fetchone()
    return {"sources": sources or [], "types": types or []}


def uploads_per_day(cursor, env, source, asset_type, period: Period) -> list[dict]:
    return rows(
        cursor,
        "select calendar_date as day, sum(uploads) as uploads from mart_uploads_daily "
        f"where calendar_date between $first and $last and {UPLOAD_FILTER} "
        "group by all order by all",
        env=env,
        source=source,
        type=asset_type,
        first=period.first,
        last=period.last,
    )


def uploads_past_7_days(cursor, env, source, asset_type, day: date) -> list[dict]:
    """Uploads in the 7 days ending with `day`, by source and type."""
    return rows(
        cursor,
        "select upload_source, asset_type, sum(uploads_past_7_days) as uploads "
        f"from mart_uploads_daily where calendar_date = $day and {UPLOAD_FILTER} "
        "group by all order by all",
        env=env,
        source=source,
        type=asset_type,
        day=day,
    )


# Active users ----------------------------------------------------------------------------


def known_scopes(cursor) -> list[str]:
    """Every activity scope: the product environments of the account snapshot and of the
    activity, in name order, then the account level."""
    (known,) = cursor.execute(
        "select list(distinct scope order by scope) from ("
        "select activity_scope as scope from mart_scope_actions_daily "
        "union all select cloud_name from dim_product_environments) "
        "where scope <> $account",
        {"account": ACCOUNT_SCOPE},
    ).fetchone()
    return [*(known or []), ACCOUNT_SCOPE]


def scopes(cursor, env: str | None) -> list[str]:
    """The activity scopes of a page: the environment, or every scope."""
    return [env] if env else known_scopes(cursor)


def top_users(cursor, scope: str, window: int, day: date, top_n: int = 10) -> list[dict]:
    """The most active users in the `window` days ending with `day` (7 or 30)."""
    actions, share = ("actions_7d", "share_7d") if window == 7 else ("actions_30d", "share_30d")
    return rows(
        cursor,
        "select email, user_role, user_groups, last_login_at, created_at, "
        f"{actions} as actions, {share} as share from mart_active_users_daily "
        f"where calendar_date = $day and activity_scope = $scope and {actions} > 0 "
        f"order by {actions} desc, email limit $top_n",
        scope=scope,
        day=day,
        top_n=top_n,
    )


def all_users(cursor, scope: str, window: int, day: date, target: Path) -> None:
    """The "all users" download for the `window` days ending with `day`."""
    copy_csv(
        cursor,
        "select * from users_by_activity($scope, $as_of, window_days := $window)",
        {"scope": scope, "as_of": day + timedelta(days=1), "window": window},
        target,
    )


# Account usage ---------------------------------------------------------------------------

# Meter: (label, usage column, limit column or None, percent column or None, unit).
METERS = (
    (
        "Transformations",
        "transformations_usage",
        "transformations_limit",
        "transformations_used_percent",
        "count",
    ),
    ("Storage", "storage_usage", "storage_limit", "storage_used_percent", "bytes"),
    ("Bandwidth", "bandwidth_usage", "bandwidth_limit", "bandwidth_used_percent", "bytes"),
    ("Credits", "credits_usage", "credits_limit", "credits_used_percent", "credits"),
    ("Objects", "objects_usage", None, None, "count"),
    ("Requests", "requests", None, None, "count"),
)


def usage(cursor, env: str | None, period: Period) -> list[dict]:
    """Each environment's daily usage rows over the period, oldest first."""
    return rows(
        cursor,
        "select * from mart_account_usage_daily "
        f"where usage_date between $first and $last and {ENV} order by cloud_name, usage_date",
        env=env,
        first=period.first,
        last=period.last,
    )


def add_on_usage(cursor, env: str | None, period: Period) -> list[dict]:
    return rows(
        cursor,
        "select * from mart_add_on_usage_daily "
        f"where usage_date between $first and $last and {ENV} "
        "order by cloud_name, add_on, usage_date",
        env=env,
        first=period.first,
        last=period.last,
    )


# The meters with a limit, which usage alerts watch: (meter, unit); add-ons are counts.
LIMITED_METERS = (
    ("transformations", "count"),
    ("storage", "bytes"),
    ("bandwidth", "bytes"),
    ("credits", "credits"),
)


def meter_readings(cursor, day: date) -> list[dict]:
    """Every limited meter of every environment, add-ons included, on the environment's
    latest usage day up to `day` (today's report may not have landed yet), with its usage
    seven days before that (null when not reported then)."""
    meters = " union all ".join(
        f"select usage_date, cloud_name, '{meter}' as meter, '{unit}' as unit, "
        f"{meter}_usage as usage_amount, {meter}_limit as usage_limit "
        "from mart_account_usage_daily"
        for meter, unit in LIMITED_METERS
    )
    return rows(
        cursor,
        f"with meters as ({meters} union all select usage_date, cloud_name, add_on, 'count', "
        "usage_amount, usage_limit from mart_add_on_usage_daily), "
        "latest as (select cloud_name, max(usage_date) as usage_date from meters "
        "where usage_date <= $day group by cloud_name) "
        "select now.usage_date, now.cloud_name, now.meter, now.unit, now.usage_amount, "
        "now.usage_limit, before.usage_amount as usage_week_before "
        "from meters as now join latest using (cloud_name, usage_date) "
        "left join meters as before on before.cloud_name = now.cloud_name "
        "and before.meter = now.meter and before.usage_date = now.usage_date - 7 "
        "where now.usage_limit > 0 order by all",
        day=day,
    )


def grouped(items: Iterable[dict], key: str) -> dict[Any, list[dict]]:
    groups: dict[Any, list[dict]] = {}
    for item in items:
        groups.setdefault(item[key], []).append(item)
    return groups
