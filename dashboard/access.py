"""Who may see what, by the rules the command line applies: the dashboard is for enabled,
non-pending master admins; activity reports for the requesters the plan and role allow.

The page keeps no passwords. The viewer's e-mail comes from the header an authenticating
proxy sets, or is the one viewer a local session was started for.
"""

from __future__ import annotations

from starlette.requests import Request

from dashboard.config import DashboardConfig
from orchestration.dashboard import NotAllowed, check_viewer
from orchestration.reports.requests import RequestRefused, check_may_request


class Refused(Exception):
    """The request may not be served; the message says why (a 403 page)."""


def viewer_of(request: Request, config: DashboardConfig) -> str:
    if config.viewer_header:
        email = _text(request.headers.get(config.viewer_header, "")).strip()
        if not email:
            raise Refused(
                f"No e-mail in the {config.viewer_header} header: open the dashboard through "
                "the sign-in proxy in front of it"
            )
        return email
    return config.viewer or ""


def _text(header: str) -> str:
    """A header's value as the proxy wrote it: UTF-8 (e-mails may hold any letter), read by
    the server as Latin-1; a value that is not UTF-8 is taken as Latin-1."""
    try:
        return header.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return header


def check_dashboard(cursor, email: str) -> None:
    try:
        check_viewer(cursor, email)
    except NotAllowed as error:
        raise Refused(str(error)) from None


def check_reports(cursor, email: str) -> None:
    try:
        check_may_request(cursor, email)
    except RequestRefused as error:
        raise Refused(str(error)) from None


def same_origin(request: Request) -> bool:
    """A form posted from this page, not from another site the viewer has open."""
    origin = request.headers.get("origin")
    if origin is None:
        return request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")
    return origin.split("://", 1)[-1] == request.headers.get("host")
