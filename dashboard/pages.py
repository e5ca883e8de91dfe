"""The dashboard's pages and downloads, for master admins: one function per page, each a
few queries on the served marts, a chart or two and a template."""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from functools import partial
from pathlib import Path

from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, Response

from dashboard import charts
from dashboard.page import WINDOWS, BadRequest, Page, choice_param, int_param, viewed
from dashboard.units import GB
from orchestration.queries import marts


@viewed()
def overview(page: Page) -> Response:
    if page.free:
        numbers = marts.summary_numbers(page.cursor, page.env, page.period.last)
        return page.render("limited.html", numbers=numbers)
    period, env, cur = page.period, page.env, page.cursor
    assets = marts.assets_by_type(cur, env, period.last)
    trend = marts.grouped(marts.assets_trend(cur, env, period), "asset_type")
    users = marts.users_by_role(cur, period.last)
    users_trend = marts.users_trend(cur, period)
    collections = marts.collections_trend(cur, env, period)
    portals = marts.portals_trend(cur, env, period)
    figures = {
        "assets": charts.lines(
            "Assets by type",
            _days(trend),
            {t: _column(rs, "assets") for t, rs in trend.items()},
        ),
        "bytes": charts.lines(
            "Storage by type (GB)",
            _days(trend),
            {t: _column(rs, "bytes", GB) for t, rs in trend.items()},
            "GB",
        ),
        "users": charts.lines("Users", _column(users_trend, "day"), _series(users_trend, "users")),
        "collections": charts.lines(
            "Collections",
            _column(collections, "day"),
            _series(
                collections,
                "collections",
                "published_collections",
                "assets_in_collections",
                "assets_in_published_collections",
            ),
        ),
        "portals": charts.lines(
            "Live portals",
            _column(portals, "day"),
            _series(portals, "live_portals", "assets_in_live_portals"),
        ),
    }
    latest = {
        "collections": collections[-1] if collections else {},
        "portals": portals[-1] if portals else {},
    }
    return page.render("overview.html", assets=assets, users=users, latest=latest, figures=figures)


@viewed()
def collection_views(page: Page) -> Response:
    page.paid_only()
    top = marts.grouped(marts.top_collections(page.cursor, page.env, page.period), "cloud_name")
    figures = {
        env: charts.horizontal_bars(
            f"Most viewed collections, {env}",
            [r["collection_name"] for r in items],
            [r["views"] for r in items],
        )
        for env, items in top.items()
    }
    return page.render("collections.html", top=top, figures=figures)


@viewed()
def collection_page(page: Page) -> Response:
    page.paid_only()
    env, collection_id = (
        page.request.path_params["env"],
        page.request.path_params["collection_id"],
    )
    page.environment_named(env)
    found = marts.collection(page.cursor, env, collection_id, page.period)
    if found is None:
        raise HTTPException(404, f"No collection {collection_id} in {env}")
    views = found["views"]
    figure = charts.bars(
        f"Views of {found['name']}", [r["day"] for r in views], [r["views"] for r in views]
    )
    return page.render(
        "collection.html", env=env, collection_id=collection_id, found=found, figure=figure
    )


@viewed()
def published_collections_csv(page: Page) -> Response:
    page.paid_only()
    period = page.period
    return _download(
        f"published_collections_{period.first}_{period.last}.csv",
        partial(marts.published_collections, page.cursor, page.env, period),
    )


@viewed(default_days=7)
def uploads(page: Page) -> Response:
    page.paid_only()
    choices = marts.upload_choices(page.cursor)
    source = choice_param(page.request, "source", choices["sources"])
    asset_type = choice_param(page.request, "type", choices["types"])
    per_day = marts.uploads_per_day(page.cursor, page.env, source, asset_type, page.period)
    week = marts.uploads_past_7_days(page.cursor, page.env, source, asset_type, page.period.last)
    figure = charts.bars(
        "Uploads per day", [r["day"] for r in per_day], [r["uploads"] for r in per_day]
    )
    return page.render(
        "uploads.html",
        choices=choices,
        source=source,
        asset_type=asset_type,
        per_day=per_day,
        week=week,
        week_total=sum(r["uploads"] for r in week),
        figure=figure,
    )


@viewed()
def active_users(page: Page) -> Response:
    page.paid_only()
    window = int_param(page.request.query_params, "window", 30)
    if window not in WINDOWS:
        raise BadRequest(f"window must be 7 or 30 days, got {window}")
    lists = {
        scope: marts.top_users(page.cursor, scope, window, page.period.last)
        for scope in marts.scopes(page.cursor, page.env)
    }
    return page.render("users.html", lists=lists, window=window, windows=WINDOWS)


@viewed()
def all_users_csv(page: Page) -> Response:
    page.paid_only()
    scope = page.request.query_params.get("scope") or ""
    allowed = marts.known_scopes(page.cursor)
    if scope not in allowed:
        raise BadRequest(f"scope must be one of {', '.join(allowed)}, got {scope!r}")
    window = int_param(page.request.query_params, "window", 30)
    if window not in WINDOWS:
        raise BadRequest(f"window must be 7 or 30 days, got {window}")
    day = page.period.last
    return _download(
        f"users_{scope.strip('()')}_{window}d_{day}.csv",
        partial(marts.all_users, page.cursor, scope, window, day),
    )


@viewed()
def account_usage(page: Page) -> Response:
    page.paid_only()
    by_env = marts.grouped(marts.usage(page.cursor, page.env, page.period), "cloud_name")
    add_ons = marts.grouped(marts.add_on_usage(page.cursor, page.env, page.period), "cloud_name")
    panels = []
    for env, days in by_env.items():
        latest = days[-1]
        extras = marts.grouped(add_ons.get(env, []), "add_on")
        on_day = [d["usage_date"] for d in days]
        percents = {label: [d[pct] for d in days] for label, _, _, pct, _ in marts.METERS if pct}
        percents.update(
            {name: [d["used_percent"] for d in items] for name, items in extras.items()}
        )
        panels.append(
            {
                "env": env,
                "latest": latest,
                "add_ons": [items[-1] for items in extras.values()],
                "used": charts.lines(f"Share of each limit used, {env}", on_day, percents, "%"),
                "sizes": charts.lines(
                    f"Storage and bandwidth, {env}",
                    on_day,
                    {
                        "storage": [d["storage_usage"] / GB for d in days],
                        "bandwidth": [d["bandwidth_usage"] / GB for d in days],
                    },
                    "GB",
                ),
            }
        )
    return page.render("usage.html", panels=panels, meters=marts.METERS)


def _days(groups: dict[str, list[dict]]) -> list[date]:
    return _column(next(iter(groups.values()), []), "day")


def _column(rows: list[dict], name: str, per: float = 1) -> list:
    """One column of a query's rows; divided by `per` to show a unit (GB)."""
    return [row[name] if per == 1 else row[name] / per for row in rows]


def _series(rows: list[dict], *names: str) -> dict[str, list]:
    return {name: _column(rows, name) for name in names}


def _download(filename: str, write) -> Response:
    """A CSV download: `write(path)` writes it into a folder of its own, removed once sent."""
    folder = Path(tempfile.mkdtemp(prefix="dam-dashboard-"))
    try:
        write(folder / filename)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(
        folder / filename,
        media_type="text/csv; charset=utf-8",
        filename=filename,
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )
