"""python -m bench.dashboard DATA_DIR [--repeat R] [--report]: the dashboard page's server
time per page on a built data folder's serving file, in one process.

Each page is asked for R times through the app itself (an ASGI call, no network), as the
master admin; the 50th and 95th percentiles are printed per page. The baseline, in the
same process, is the cheapest request the app serves: its stylesheet. With --report, a
month's activity report is then requested through the reports service, as the page does,
and the seconds until it is ready are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import duckdb


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def get(app, target: str) -> int:
    """The status of one GET of `target` (path and query), answered by the app in-process."""
    path, _, query = target.partition("?")
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
        "query_string": query.encode(), "headers": [(b"host", b"127.0.0.1:8000")],
        "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 50000),
    }  # fmt: skip
    sent: list[dict] = []
    requested, finished = False, asyncio.Event()

    async def receive() -> dict:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await finished.wait()  # the client stays until the response is whole
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            finished.set()

    await app(scope, receive, send)
    return sent[0]["status"]


def pages(serving: Path) -> dict[str, str]:
    with duckdb.connect(str(serving), read_only=True) as con:
        env, collection = con.execute(
            "select cloud_name, collection_id from mart_collection_views_daily "
            "group by all order by sum(views) desc limit 1"
        ).fetchone()
    return {
        "overview": "/",
        "overview, one environment, 365 days": f"/?env={env}&days=365",
        "collection views": "/collections",
        "collection views, 365 days": "/collections?days=365",
        "one collection, 365 days": f"/collections/{quote(env)}/{quote(collection)}?days=365",
        "uploads": "/uploads",
        "uploads, api and image, 90 days": "/uploads?source=api&type=image&days=90",
        "active users, 30 days": "/users",
        "active users, 7 days": "/users?window=7",
        "account usage": "/usage",
        "activity reports": "/reports",
        "download: published collections": "/downloads/published-collections.csv",
        "download: all users, account level": "/downloads/users.csv?scope=(account)",
        "baseline: the stylesheet": "/static/dashboard.css",
    }


def time_pages(app, targets: dict[str, str], repeat: int) -> dict[str, list[float]]:
    async def run() -> dict[str, list[float]]:
        times: dict[str, list[float]] = {name: [] for name in targets}
        for target in targets.values():
            assert await get(app, target) == 200, target  # and warms the connection
        for _ in range(repeat):
            for name, target in targets.items():
                started = time.perf_counter()
                await get(app, target)
                times[name].append(time.perf_counter() - started)
        return times

    return asyncio.run(run())


def time_report(settings, viewer: str, day) -> float:
    from orchestration.home import dagster_home
    from orchestration.reports import service

    dagster_home(settings)
    start, end = day - timedelta(days=31), day + timedelta(days=1)
    started = time.perf_counter()
    report, _ = service.request_report(settings, str(start), str(end), viewer, refresh=True)
    while (status := service.registry_of(settings).get(report.report_id).status) not in (
        "ready",
        "failed",
    ):
        time.sleep(0.1)
    assert status == "ready", service.registry_of(settings).get(report.report_id).error
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="a data folder `dam-usage run` has built")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--report", action="store_true", help="also time a month's report")
    args = parser.parse_args(argv)
    os.environ["DAM_DATA_DIR"] = str(args.data.resolve())
    from dashboard.app import create_app
    from dashboard.config import DashboardConfig
    from orchestration.settings import Settings

    settings = Settings.from_env()
    with duckdb.connect(str(settings.serving_path), read_only=True) as con:
        viewer, day = con.execute(
            "select (select min(email) from dim_users where can_view_dashboard), "
            "(select complete_through from serving_build)"
        ).fetchone()
    config = DashboardConfig(settings, "127.0.0.1", 8000, None, viewer)
    targets = pages(settings.serving_path)
    times = time_pages(create_app(config), targets, args.repeat)
    print(f"{settings.serving_path}, complete through {day}, {args.repeat} requests a page")
    print(f"{'page':46} {'p50 ms':>8} {'p95 ms':>8}")
    for name, values in times.items():
        p50, p95 = statistics.median(values), percentile(values, 0.95)
        print(f"{name:46} {1000 * p50:8.1f} {1000 * p95:8.1f}")
    if args.report:
        seconds = time_report(settings, viewer, day)
        print(f"a month's activity report, request to ready: {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
