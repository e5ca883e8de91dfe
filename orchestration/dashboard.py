"""The usage dashboard and its downloads, read from the published marts.

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


def dashboard(con: duckdb.DuckDBPyConnection, day: date) -> dict[str, list[tuple]]:
    """Every tile of the dashboard as of the end of `day`, account-wide; windows end with
    that day (the past 7 days are day - 6 to day)."""
    queries = {
        "Assets by type (count, size)": (
            "select asset_type, sum(asset_count), "
            "format('{:.1f} GB', sum(total_bytes) / 1e9) from mart_assets_daily "
            "where calendar_date = $day group by asset_type order by asset_type"
        ),
        "Users by role": (
            "select user_role, users from mart_users_daily "
            "where calendar_date = $day and users > 0 order by users desc, user_role"
        ),
        "Collections (total, assets, published, assets in published)": (
            "select sum(collections), sum(assets_in_collections), sum(published_collections), "
            "sum(assets_in_published_collections) from mart_collections_daily "
            "where calendar_date = $day"
        ),
        "Live portals (portals, assets)": (
            "select sum(live_portals), sum(assets_in_live_portals) from mart_portals_daily "
            "where calendar_date = $day"
        ),
        "Uploads, past 7 days (source, type)": (
            "select upload_source, asset_type, sum(uploads_past_7_days) "
            "from mart_uploads_daily where calendar_date = $day group by all order by all"
        ),
        "Top 5 active users, past 30 days (scope, e-mail, actions, share)": (
            "select activity_scope, email, actions_30d, format('{:.1f} %', 100 * share_30d) "
            "from mart_active_users_daily where calendar_date = $day "
            "order by actions_30d desc, email limit 5"
        ),
        "Top 3 viewed collections per environment, past 30 days (environment, collection, views)": (
            "select cloud_name, collection_id, views "
            "from top_collections($day - 29, $day, top_n := 3)"
        ),
    }
    params = {"day": day}
    return {
        title: con.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql}).fetchall()
        for title, sql in queries.items()
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
