"""What every page knows: the viewer, the build, the product environment and the period,
read from the request on a cursor of its own, with the access rules applied first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from dashboard.access import Refused, check_dashboard, check_reports, viewer_of
from dashboard.config import DashboardConfig
from dashboard.serving import NotPublished, ServingFile, build_of
from orchestration.queries import marts
from orchestration.queries.marts import Period

PERIODS = (7, 30, 90, 365)
WINDOWS = (7, 30)


class BadRequest(Exception):
    """A parameter the page cannot use; the message says what to give instead."""


@dataclass(frozen=True)
class Site:
    """What the app holds for every request (`app.state.site`)."""

    config: DashboardConfig
    serving: ServingFile
    templates: Jinja2Templates


class Page:
    """What every page knows: the viewer, the build, the environment and the period."""

    def __init__(self, request: Request, cursor, default_days: int, reports: bool):
        self.request = request
        self.cursor = cursor
        self.site: Site = request.app.state.site
        self.viewer = viewer_of(request, self.site.config)
        if reports:
            check_reports(self.cursor, self.viewer)
        else:
            check_dashboard(self.cursor, self.viewer)
        self.build = build_of(self.cursor)
        self.account = marts.account(self.cursor)
        self.free = self.account.get("plan") == "free"
        self.environments = marts.environments(self.cursor)
        self.env = self.environment_named(request.query_params.get("env") or None)
        # Periods end with the last day served: today's, in part, once its files load.
        self.day = self.build.last_day
        if self.day is None:
            raise NotPublished("The published marts hold no arrival day yet")
        max_age = self.site.config.settings.max_serving_age_hours
        self.age_hours = self.build.age_hours(datetime.now(UTC).replace(tzinfo=None))
        self.stale = self.age_hours > max_age
        self.period = self._period(default_days)

    def environment_named(self, env: str | None) -> str | None:
        known = [e["cloud_name"] for e in self.environments]
        if env is not None and env not in known:
            raise BadRequest(f"Unknown product environment {env!r}: one of {', '.join(known)}")
        return env

    def _period(self, default_days: int) -> Period:
        params = self.request.query_params
        if params.get("first") or params.get("last"):
            first, last = (day_param(params, name) for name in ("first", "last"))
            if first > last:
                raise BadRequest(f"The first day ({first}) is after the last day ({last})")
            if first > self.day:
                raise BadRequest(
                    f"The first day ({first}) is after the last day served ({self.day})"
                )
            return Period(first, min(last, self.day))
        days = int_param(params, "days", default_days)
        if days < 1:
            raise BadRequest(f"days must be at least 1, got {days}")
        return Period.ending(self.day, days)

    def link(self, path: str, **changes) -> str:
        """This page's query, changed: environment and period carry over between pages."""
        params = dict(self.request.query_params.items())
        params.update(changes)
        kept = {k: v for k, v in params.items() if v not in (None, "")}
        return f"{path}?{urlencode(kept)}" if kept else path

    def render(self, template: str, status_code: int = 200, **context) -> Response:
        return self.site.templates.TemplateResponse(
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
            with request.app.state.site.serving.cursor() as cursor:
                return handler(Page(request, cursor, default_days, reports))

        return endpoint

    return wrap


def day_param(params, name: str) -> date:
    value = params.get(name) or ""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{name} must be a date, YYYY-MM-DD, got {value!r}") from None


def int_param(params, name: str, default: int) -> int:
    value = params.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number, got {value!r}") from None


def choice_param(request: Request, name: str, allowed: list[str]) -> str | None:
    value = request.query_params.get(name) or None
    if value is not None and value not in allowed:
        raise BadRequest(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value
