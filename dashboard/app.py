"""The dashboard's routes: one function per page, each a query, a chart or two, a template.

Pages are rendered on the server from the serving file; the browser gets HTML, the
figures' data and the plotly.js this app serves. Downloads stream CSV from the same macros
BI tools call.
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from urllib.parse import parse_qs, urlencode

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from dashboard import charts, queries
from dashboard.access import Refused, check_dashboard, check_reports, same_origin, viewer_of
from dashboard.config import DashboardConfig
from dashboard.queries import Period
from dashboard.serving import NotPublished, ServingFile, build_of
from dashboard.units import FILTERS, GB
from orchestration.reports import service
from orchestration.reports.requests import ReportRange, RequestRefused

HERE = Path(__file__).parent
PERIODS = (7, 30, 90, 365)
WINDOWS = (7, 30)


class BadRequest(Exception):
    """A parameter the page cannot use; the message says what to give instead."""


def plotly_js() -> Path:
    """The plotly.js bundle shipped inside the plotly package: served from here, no CDN."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the dashboard needs plotly: install the project's dashboard extra")
    return Path(spec.submodule_search_locations[0]) / "package_data" / "plotly.min.js"


def create_app(config: DashboardConfig) -> Starlette:
    serving = ServingFile(config.settings.serving_path)
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters.update(FILTERS, report_days=_report_days)
    script = plotly_js()

    class Page:
        """What every page knows: the viewer, the build, the environment and the period."""

        def __init__(self, request: Request, cursor, default_days: int, reports: bool):
            self.request = request
            self.cursor = cursor
            self.viewer = viewer_of(request, config)
            if reports:
                check_reports(self.cursor, self.viewer)
            else:
                check_dashboard(self.cursor, self.viewer)
            self.build = build_of(self.cursor)
            self.account = queries.account(self.cursor)
            self.free = self.account.get("plan") == "free"
            self.environments = queries.environments(self.cursor)
            self.env = self.environment_named(request.query_params.get("env") or None)
            self.day = self.build.complete_through
            if self.day is None:
                raise NotPublished("The published marts hold no complete day yet")
            self.period = self._period(default_days)

        def environment_named(self, env: str | None) -> str | None:
            known = [e["cloud_name"] for e in self.environments]
            if env is not None and env not in known:
                raise BadRequest(f"Unknown product environment {env!r}: one of {', '.join(known)}")
            return env

        def _period(self, default_days: int) -> Period:
            params = self.request.query_params
            if params.get("first") or params.get("last"):
                first, last = (_day(params, name) for name in ("first", "last"))
                if first > last:
                    raise BadRequest(f"The first day ({first}) is after the last day ({last})")
                return Period(first, min(last, self.day))
            days = _int(params, "days", default_days)
            if days < 1:
                raise BadRequest(f"days must be at least 1, got {days}")
            return Period.ending(self.day, days)

        def link(self, path: str, **changes) -> str:
            """This page's query, changed: environment and period carry over between pages."""
            params = {k: v for k, v in self.request.query_params.items()}
            params.update({k: v for k, v in changes.items()})
            kept = {k: v for k, v in params.items() if v not in (None, "")}
            return f"{path}?{urlencode(kept)}" if kept else path

        def render(self, template: str, status_code: int = 200, **context) -> Response:
            return templates.TemplateResponse(
                self.request,
                template,
                {"page": self, "periods": PERIODS, **context},
                status_code=status_code,
            )

        def paid_only(self) -> None:
            if self.free:
                raise Refused(
                    "This part of the dashboard is not in the Free plan; more is available "
                    "on paid plans"
                )

    def viewed(default_days: int = 30, reports: bool = False):
        """A page's endpoint: the handler gets the request's Page, on a cursor of its own."""

        def wrap(handler):
            def endpoint(request: Request) -> Response:
                with serving.cursor() as cursor:
                    return handler(Page(request, cursor, default_days, reports))

            return endpoint

        return wrap

    @viewed()
    def overview(page: Page) -> Response:
        if page.free:
            numbers = queries.summary_numbers(page.cursor, page.env, page.period.last)
            return page.render("limited.html", numbers=numbers)
        period, env, cur = page.period, page.env, page.cursor
        assets = queries.assets_by_type(cur, env, period.last)
        trend = queries.grouped(queries.assets_trend(cur, env, period), "asset_type")
        users = queries.users_by_role(cur, period.last)
        users_trend = queries.users_trend(cur, period)
        collections = queries.collections_trend(cur, env, period)
        portals = queries.portals_trend(cur, env, period)
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
            "users": charts.lines(
                "Users", _column(users_trend, "day"), _series(users_trend, "users")
            ),
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
        return page.render(
            "overview.html", assets=assets, users=users, latest=latest, figures=figures
        )

    @viewed()
    def collection_views(page: Page) -> Response:
        page.paid_only()
        top = queries.grouped(
            queries.top_collections(page.cursor, page.env, page.period), "cloud_name"
        )
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
        found = queries.collection(page.cursor, env, collection_id, page.period)
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
            partial(queries.published_collections, page.cursor, page.env, period),
        )

    @viewed(default_days=7)
    def uploads(page: Page) -> Response:
        page.paid_only()
        choices = queries.upload_choices(page.cursor)
        source = _choice(page.request, "source", choices["sources"])
        asset_type = _choice(page.request, "type", choices["types"])
        per_day = queries.uploads_per_day(page.cursor, page.env, source, asset_type, page.period)
        week = queries.uploads_past_7_days(
            page.cursor, page.env, source, asset_type, page.period.last
        )
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
        window = _int(page.request.query_params, "window", 30)
        if window not in WINDOWS:
            raise BadRequest(f"window must be 7 or 30 days, got {window}")
        lists = {
            scope: queries.top_users(page.cursor, scope, window, page.period.last)
            for scope in queries.scopes(page.cursor, page.env)
        }
        return page.render("users.html", lists=lists, window=window, windows=WINDOWS)

    @viewed()
    def all_users_csv(page: Page) -> Response:
        page.paid_only()
        scope = page.request.query_params.get("scope") or ""
        allowed = queries.scopes(page.cursor, None)
        if scope not in allowed:
            raise BadRequest(f"scope must be one of {', '.join(allowed)}, got {scope!r}")
        window = _int(page.request.query_params, "window", 30)
        if window not in WINDOWS:
            raise BadRequest(f"window must be 7 or 30 days, got {window}")
        day = page.period.last
        return _download(
            f"users_{scope.strip('()')}_{window}d_{day}.csv",
            partial(queries.all_users, page.cursor, scope, window, day),
        )

    @viewed()
    def account_usage(page: Page) -> Response:
        page.paid_only()
        by_env = queries.grouped(queries.usage(page.cursor, page.env, page.period), "cloud_name")
        add_ons = queries.grouped(
            queries.add_on_usage(page.cursor, page.env, page.period), "cloud_name"
        )
        panels = []
        for env, days in by_env.items():
            latest = days[-1]
            extras = queries.grouped(add_ons.get(env, []), "add_on")
            on_day = [d["usage_date"] for d in days]
            percents = {
                label: [d[pct] for d in days] for label, _, _, pct, _ in queries.METERS if pct
            }
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
        return page.render("usage.html", panels=panels, meters=queries.METERS)

    @viewed(reports=True)
    def reports(page: Page) -> Response:
        registry = service.registry_of(config.settings)
        service.fail_abandoned(registry)
        listed = sorted(registry.all(), key=lambda r: r.requested_at, reverse=True)
        return page.render("reports.html", reports=listed, message=None)

    async def request_report(request: Request) -> Response:
        if not same_origin(request):
            raise Refused("A report can only be requested from this dashboard's own page")
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        first = (form.get("first") or [""])[0]
        last = (form.get("last") or [""])[0]
        return await run_in_threadpool(
            viewed(reports=True)(partial(_request, first, last)), request
        )

    def _request(first: str, last: str, page: Page) -> Response:
        try:
            start, end = _exclusive_bounds(first, last)
            service.apply_retention(config.settings)
            report, _ = service.request_report(config.settings, start, end, page.viewer)
        except RequestRefused as error:
            registry = service.registry_of(config.settings)
            listed = sorted(registry.all(), key=lambda r: r.requested_at, reverse=True)
            return page.render("reports.html", 400, reports=listed, message=str(error))
        return RedirectResponse(f"/reports?report={report.report_id}", status_code=303)

    @viewed(reports=True)
    def report_status(page: Page) -> Response:
        report = _report(page.request)
        return JSONResponse(
            {
                "report_id": report.report_id,
                "status": report.status,
                "rows": report.row_count,
                "data_through": report.data_through,
                "expires_at": report.expires_at,
                "error": report.error,
            }
        )

    @viewed(reports=True)
    def report_download(page: Page) -> Response:
        report = _report(page.request)
        kind = page.request.path_params["kind"]
        path = {"csv": report.csv_path, "parquet": report.parquet_path}.get(kind)
        if report.status != "ready" or not path or not Path(path).is_file():
            raise HTTPException(404, f"Report {report.report_id} is {report.status}, not ready")
        return FileResponse(path, filename=Path(path).name)

    def _report(request: Request):
        key = request.path_params["report_id"]
        try:
            ReportRange.from_key(key)
        except RequestRefused as error:
            raise BadRequest(str(error)) from None
        report = service.registry_of(config.settings).get(key)
        if report is None:
            raise HTTPException(404, f"No report {key}")
        return report

    def plotly(request: Request) -> Response:
        return FileResponse(script, media_type="text/javascript", headers=CACHE)

    async def refused(request: Request, error: Exception) -> Response:
        return _error_page(request, 403, "Not allowed", str(error))

    async def bad_request(request: Request, error: Exception) -> Response:
        return _error_page(request, 400, "Cannot show this", str(error))

    async def not_published(request: Request, error: Exception) -> Response:
        return _error_page(request, 503, "No data yet", str(error))

    async def not_found(request: Request, error: HTTPException) -> Response:
        return _error_page(request, error.status_code, "Not found", str(error.detail))

    def _error_page(request: Request, status: int, title: str, reason: str) -> Response:
        return templates.TemplateResponse(
            request, "refused.html", {"title": title, "reason": reason}, status_code=status
        )

    routes = [
        Route("/", overview),
        Route("/collections", collection_views),
        Route("/collections/{env}/{collection_id}", collection_page),
        Route("/uploads", uploads),
        Route("/users", active_users),
        Route("/usage", account_usage),
        Route("/reports", reports),
        Route("/reports", request_report, methods=["POST"]),
        Route("/reports/{report_id}/status", report_status),
        Route("/reports/{report_id}/download.{kind}", report_download),
        Route("/downloads/published-collections.csv", published_collections_csv),
        Route("/downloads/users.csv", all_users_csv),
        Route("/static/plotly.min.js", plotly),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    return Starlette(
        routes=routes,
        exception_handlers={
            Refused: refused,
            BadRequest: bad_request,
            NotPublished: not_published,
            HTTPException: not_found,
        },
    )


CACHE = {"Cache-Control": "public, max-age=86400"}


def _day(params, name: str) -> date:
    value = params.get(name) or ""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{name} must be a date, YYYY-MM-DD, got {value!r}") from None


def _int(params, name: str, default: int) -> int:
    value = params.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number, got {value!r}") from None


def _choice(request: Request, name: str, allowed: list[str]) -> str | None:
    value = request.query_params.get(name) or None
    if value is not None and value not in allowed:
        raise BadRequest(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def _days(groups: dict[str, list[dict]]) -> list[date]:
    return _column(next(iter(groups.values()), []), "day")


def _column(rows: list[dict], name: str, per: float = 1) -> list:
    """One column of a query's rows; divided by `per` to show a unit (GB)."""
    return [row[name] if per == 1 else row[name] / per for row in rows]


def _series(rows: list[dict], *names: str) -> dict[str, list]:
    return {name: _column(rows, name) for name in names}


def _exclusive_bounds(first: str, last: str) -> tuple[str, str]:
    """The page asks for the first and last day included; a report's range excludes its
    bounds (start < day < end)."""
    try:
        first_day, last_day = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError:
        raise RequestRefused(
            f"Give the first and last day as dates (YYYY-MM-DD), got {first!r} and {last!r}"
        ) from None
    if first_day > last_day:
        raise RequestRefused(f"The first day ({first_day}) is after the last day ({last_day})")
    one = timedelta(days=1)
    return (first_day - one).isoformat(), (last_day + one).isoformat()


def _report_days(report_id: str) -> str:
    """A report's days as people say them: the first and last included."""
    report = ReportRange.from_key(report_id)
    one = timedelta(days=1)
    return f"{report.start + one} to {report.end - one}"


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
