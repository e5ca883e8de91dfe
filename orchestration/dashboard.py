"""Who may see the usage dashboard, and its text form, read from the published marts.

The DAM shows its dashboard to master admins only; so do these: every read names a
viewer, who must be an enabled, non-pending master admin of the latest users snapshot.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb


class NotAllowed(PermissionError):
    """The viewer may not see the dashboard."""


def open_serving(path: Path) -> duckdb.DuckDBPyConnection:
    if not path.exists():
        raise FileNotFoundError(
            f"No published marts at {path}: run `dam-usage run` (or the load_warehouse job) first"
        )
    return duckdb.connect(str(path), read_only=True)


def user_by_email(con: duckdb.DuckDBPyConnection, email: str, columns: str) -> tuple | None:
    """The user of the latest snapshot with this e-mail, compared case-insensitively. The
    ingest refuses a snapshot that lists one e-mail twice; should a warehouse hold one from
    before that rule, nobody with that e-mail is let in, whatever the rows' order."""
    rows = con.execute(
        f"select {columns} from dim_users where lower(email) = lower(?)", [email]
    ).fetchall()
    if len(rows) > 1:
        raise NotAllowed(
            f"{len(rows)} users of the latest snapshot have the e-mail {email} (compared "
            "case-insensitively): fix the users snapshot and load it again"
        )
    return rows[0] if rows else None


def check_viewer(con: duckdb.DuckDBPyConnection, email: str) -> None:
    row = user_by_email(con, email, "can_view_dashboard")
    if row is None:
        raise NotAllowed(f"{email} is not a user of this account")
    if not row[0]:
        raise NotAllowed(
            f"{email} may not see the usage dashboard: it is for enabled master admins only"
        )


def viewers(con: duckdb.DuckDBPyConnection) -> str:
    """The e-mail addresses that may see the dashboard, comma separated."""
    (emails,) = con.execute(
        "select string_agg(email, ', ' order by email) from dim_users where can_view_dashboard"
    ).fetchone()
    return emails or ""


def latest_day(con: duckdb.DuckDBPyConnection) -> date:
    """The last day whose data is complete in the published marts."""
    (day,) = con.execute("select complete_through from serving_build").fetchone()
    if day is None:
        raise LookupError("The published marts are empty")
    return day


COLLECTION_TILE = (
    "collections",
    "assets_in_collections",
    "published_collections",
    "assets_in_published_collections",
)


def dashboard(con: duckdb.DuckDBPyConnection, day: date) -> dict[str, list[tuple]]:
    """Every tile of the dashboard as of the end of `day`, account-wide, from the queries of
    the dashboard page; windows end with that day (the past 7 days are day - 6 to day)."""
    from orchestration.queries import marts
    from orchestration.queries.marts import Period

    on_day = Period(day, day)
    (collections,) = marts.collections_trend(con, None, on_day) or [{}]
    (portals,) = marts.portals_trend(con, None, on_day) or [{}]
    return {
        "Assets by type (count, size)": [
            (r["asset_type"], r["assets"], f"{r['bytes'] / 1e9:.1f} GB")
            for r in marts.assets_by_type(con, None, day)
        ],
        "Users by role": [(r["user_role"], r["users"]) for r in marts.users_by_role(con, day)],
        "Collections (total, assets, published, assets in published)": [
            tuple(collections.get(name) for name in COLLECTION_TILE)
        ],
        "Live portals (portals, assets)": [
            (portals.get("live_portals"), portals.get("assets_in_live_portals"))
        ],
        "Uploads, past 7 days (source, type)": [
            (r["upload_source"], r["asset_type"], r["uploads"])
            for r in marts.uploads_past_7_days(con, None, None, None, day)
        ],
        "Top 3 active users per scope, past 30 days (scope, e-mail, actions, share)": [
            (scope, r["email"], r["actions"], f"{100 * r['share']:.1f} %")
            for scope in marts.scopes(con, None)
            for r in marts.top_users(con, scope, 30, day, top_n=3)
        ],
        "Top 3 viewed collections per environment, past 30 days (environment, collection, views)": [
            (r["cloud_name"], r["collection_name"], r["views"])
            for r in marts.top_collections(con, None, Period.ending(day, 30), top_n=3)
        ],
    }


def format_dashboard(day: date, tiles: dict[str, list[tuple]]) -> str:
    lines = [f"DAM usage dashboard, as of the end of {day} (UTC)"]
    for title, rows in tiles.items():
        lines.append(f"  {title}:")
        lines.extend("    " + "  ".join(_cell(v) for v in row) for row in rows)
        if not rows:
            lines.append("    (none)")
    return "\n".join(lines)


def _cell(value) -> str:
    if isinstance(value, int):
        return f"{value:,}"
    return "-" if value is None else str(value)
