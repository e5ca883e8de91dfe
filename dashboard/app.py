"""The dashboard app: its routes, its error pages and the files it serves itself.

Pages are rendered on the server from the serving file (pages.py, reports.py); the browser
gets HTML, the figures' data and the plotly.js this app serves, and nothing from another
host.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from dashboard import notifications, pages, reports
from dashboard.access import Refused
from dashboard.config import DashboardConfig
from dashboard.page import BadRequest, Site
from dashboard.serving import NotPublished, ServingFile
from dashboard.units import FILTERS

HERE = Path(__file__).parent
CACHE = {"Cache-Control": "public, max-age=86400"}
ERRORS = {
    Refused: (403, "Not allowed"),
    BadRequest: (400, "Cannot show this"),
    NotPublished: (503, "No data yet"),
}


def plotly_js() -> Path:
    """The plotly.js bundle shipped inside the plotly package: served from here, no CDN."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the dashboard needs plotly: install the project's dashboard extra")
    return Path(spec.submodule_search_locations[0]) / "package_data" / "plotly.min.js"


def create_app(config: DashboardConfig) -> Starlette:
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters.update(FILTERS, report_days=reports.report_days)
    script = plotly_js()

    def plotly(request: Request) -> Response:
        return FileResponse(script, media_type="text/javascript", headers=CACHE)

    def error_page(request: Request, status: int, title: str, reason: str) -> Response:
        return templates.TemplateResponse(
            request, "refused.html", {"title": title, "reason": reason}, status_code=status
        )

    async def known_error(request: Request, error: Exception) -> Response:
        status, title = ERRORS[type(error)]
        return error_page(request, status, title, str(error))

    async def http_error(request: Request, error: HTTPException) -> Response:
        return error_page(request, error.status_code, "Not found", str(error.detail))

    routes = [
        Route("/", pages.overview),
        Route("/collections", pages.collection_views),
        Route("/collections/{env}/{collection_id}", pages.collection_page),
        Route("/uploads", pages.uploads),
        Route("/users", pages.active_users),
        Route("/usage", pages.account_usage),
        Route("/downloads/published-collections.csv", pages.published_collections_csv),
        Route("/downloads/users.csv", pages.all_users_csv),
        Route("/reports", reports.reports),
        Route("/reports", reports.request_report, methods=["POST"]),
        Route("/reports/{report_id}/status", reports.report_status),
        Route("/reports/{report_id}/download.{kind}", reports.report_download),
        Route("/notifications", notifications.notifications),
        Route("/notifications", notifications.change, methods=["POST"]),
        Route("/static/plotly.min.js", plotly),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={**dict.fromkeys(ERRORS, known_error), HTTPException: http_error},
    )
    app.state.site = Site(config, ServingFile(config.settings.serving_path), templates)
    return app
