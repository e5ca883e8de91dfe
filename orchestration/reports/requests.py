"""What a report request is: a validated date range, its partition key, and who may ask.

The key is built from the parsed dates only, so nothing a user types reaches a file name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from orchestration.dashboard import NotAllowed, open_serving, user_by_email
from orchestration.queries import marts

KEY = re.compile(r"^(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})$")


# What check_requester reads from dim_users.
REQUESTER_COLUMNS = "user_role, is_active, can_request_reports"


class RequestRefused(ValueError):
    """The request cannot be accepted; the message says why, in one line."""


@dataclass(frozen=True)
class ReportRange:
    """Days strictly between start and end are in the report."""

    start: date
    end: date

    @property
    def key(self) -> str:
        return f"{self.start.isoformat()}_{self.end.isoformat()}"

    @classmethod
    def parse(cls, start: str, end: str) -> ReportRange:
        try:
            first, last = date.fromisoformat(start), date.fromisoformat(end)
        except (TypeError, ValueError):
            raise RequestRefused(
                f"Dates must be YYYY-MM-DD, got start={start!r} and end={end!r}"
            ) from None
        if first >= last:
            raise RequestRefused(
                f"The start date ({first}) must be before the end date ({last}); "
                "the report covers the days strictly between them"
            )
        return cls(first, last)

    @classmethod
    def from_key(cls, key: str) -> ReportRange:
        match = KEY.match(key)
        if not match:
            raise RequestRefused(f"Not a report id: {key!r} (expected START_END dates)")
        return cls.parse(match.group(1), match.group(2))


def check_plan(plan: str | None, plan_allows: bool | None, feature_enabled: bool | None) -> None:
    if plan is None:
        raise RequestRefused("The account is not loaded yet: run the warehouse job first")
    if plan == "free" or plan_allows is False:
        raise RequestRefused(
            "Activity reports are not available on the Free plan; contact support for options"
        )
    if not feature_enabled:
        raise RequestRefused(
            f"Activity reports are not enabled for this account ({plan} plan): ask your "
            "Customer Success Manager to enable the activity_reports feature"
        )


def check_requester(email: str, user: tuple[str, bool, bool] | None) -> None:
    """`user` is (role, is_active, can_request_reports) from the users dimension, which
    decides them."""
    if user is None:
        raise RequestRefused(f"{email} is not a user of this account")
    role, active, allowed = user
    if not active:
        raise RequestRefused(f"{email} is not an active user (disabled or pending)")
    if not allowed:
        raise RequestRefused(
            f"{email} has the role {role}; only master admins and admins may request reports"
        )


def check_request(serving_path: Path, requested_by: str) -> None:
    """Refuse what the plan or the requester does not allow (RequestRefused)."""
    try:
        con = open_serving(serving_path)
    except FileNotFoundError as error:
        raise RequestRefused(str(error)) from error
    with con:
        check_may_request(con, requested_by)


def check_may_request(con, requested_by: str) -> None:
    """The gate of every report request, on a connection to the published marts: the
    account's plan and feature, then the requester (RequestRefused)."""
    account = marts.account(con)
    try:
        user = user_by_email(con, requested_by, REQUESTER_COLUMNS)
    except NotAllowed as error:
        raise RequestRefused(str(error)) from error
    check_plan(
        account["plan"], account.get("plan_allows_reports"), account.get("activity_reports_enabled")
    )
    check_requester(requested_by, user)
