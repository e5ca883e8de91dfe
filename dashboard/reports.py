"""The activity reports page: request a report, follow it, download it. Requests go through
the reports service the command line uses, which starts the report's run at once."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from pathlib import Path
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response

from dashboard.access import Refused, same_origin
from dashboard.page import BadRequest, Page, viewed
from orchestration.reports import service
from orchestration.reports.requests import ReportRange, RequestRefused


@viewed(reports=True)
def reports(page: Page) -> Response:
    registry = service.registry_of(page.site.config.settings)
    service.fail_abandoned(registry)
    listed = sorted(registry.all(), key=lambda r: r.requested_at, reverse=True)
    return page.render("reports.html", reports=listed, message=None)


async def request_report(request: Request) -> Response:
    if not same_origin(request):
        raise Refused("A report can only be requested from this dashboard's own page")
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    first = (form.get("first") or [""])[0]
    last = (form.get("last") or [""])[0]
    return await run_in_threadpool(viewed(reports=True)(partial(_request, first, last)), request)


def _request(first: str, last: str, page: Page) -> Response:
    try:
        start, end = exclusive_bounds(first, last)
        service.apply_retention(page.site.config.settings)
        report, _ = service.request_report(page.site.config.settings, start, end, page.viewer)
    except RequestRefused as error:
        registry = service.registry_of(page.site.config.settings)
        listed = sorted(registry.all(), key=lambda r: r.requested_at, reverse=True)
        return page.render("reports.html", 400, reports=listed, message=str(error))
    return RedirectResponse(f"/reports?report={report.report_id}", status_code=303)


@viewed(reports=True)
def report_status(page: Page) -> Response:
    report = _report(page)
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
    report = _report(page)
    kind = page.request.path_params["kind"]
    path = {"csv": report.csv_path, "parquet": report.parquet_path}.get(kind)
    if report.status != "ready" or not path or not Path(path).is_file():
        raise HTTPException(404, f"Report {report.report_id} is {report.status}, not ready")
    return FileResponse(path, filename=Path(path).name)


def _report(page: Page):
    key = page.request.path_params["report_id"]
    try:
        ReportRange.from_key(key)
    except RequestRefused as error:
        raise BadRequest(str(error)) from None
    report = service.registry_of(page.site.config.settings).get(key)
    if report is None:
        raise HTTPException(404, f"No report {key}")
    return report


def exclusive_bounds(first: str, last: str) -> tuple[str, str]:
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


def report_days(report_id: str) -> str:
    """A report's days as people say them: the first and last included."""
    report = ReportRange.from_key(report_id)
    one = timedelta(days=1)
    return f"{report.start + one} to {report.end - one}"
