"""`dam-usage`: the command line for what is not done in the Dagster UI.

dam-usage generate   write a sample landing zone
dam-usage prepare    parse the dbt project (the manifest the Dagster definitions load)
dam-usage run        load the landing zone into the warehouse and build the models
dam-usage summary    print what the warehouse holds
dam-usage backup     copy the warehouse to a new file, consistently
dam-usage subscribe  usage alerts and the monthly report, by e-mail or webhook
dam-usage notify     make and send the messages due (what the notifications sensor runs)
dam-usage ui         start the Dagster UI on a persistent Dagster home
dam-usage spark-build  load the landing zone and build the models on the spark target
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib.util
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

from orchestration.home import dagster_home
from orchestration.landing import landing_days
from orchestration.settings import PROJECT_ROOT, Settings


def arrival_range(args: argparse.Namespace, days: list[date]) -> tuple[date, date]:
    """The arrival days `--start` and `--end` ask for (default: all of the landing zone)."""
    try:
        first = date.fromisoformat(args.start) if args.start else days[0]
        last = date.fromisoformat(args.end) if args.end else days[-1]
    except ValueError as error:
        raise ValueError(f"--start and --end take a date (YYYY-MM-DD): {error}") from error
    if first > last:
        raise ValueError(f"--start {first} is after --end {last}")
    return first, last


def failure_reason(event) -> str:
    """What a user needs from a failed step: its message, not the framework's wrapper."""
    data = event.event_specific_data
    if data.user_failure_data is not None and data.user_failure_data.description:
        return data.user_failure_data.description
    error = data.error
    while error is not None and error.cls_name.startswith("Dagster") and error.cause is not None:
        error = error.cause
    return error.message.strip() if error is not None else "unknown error"


def run_config(verbose: bool, full_refresh: bool, with_dbt: bool = True) -> dict:
    """Run config of the load job: how chatty, and whether dbt rebuilds from scratch."""
    # Without --verbose, a failed step is told in one FAILED line, not in Dagster's logs.
    config: dict = {
        "loggers": {"console": {"config": {"log_level": "DEBUG" if verbose else "CRITICAL"}}}
    }
    if with_dbt:
        config["ops"] = {"warehouse_dbt_assets": {"config": {"full_refresh": full_refresh}}}
    return config


# `run --only`: the asset groups of each half of the load job.
STEP_GROUPS = {"ingest": ("raw",), "build": ("reference", "staging", "core", "marts", "serving")}


def step_selection(only: str | None):
    """The assets of the load job that `--only` keeps (None: all of them)."""
    import dagster as dg

    return dg.AssetSelection.groups(*STEP_GROUPS[only]) if only else None


@contextlib.contextmanager
def quiet_dbt(log: Path):
    """dbt's console log into `log`, its progress as a counter on standard output."""
    from orchestration.progress import DbtProgress

    progress = DbtProgress(sys.stdout, log)
    try:
        with contextlib.redirect_stdout(progress):
            yield
    finally:
        progress.close()


def report_unexpected_entries(landing: Path) -> None:
    """Say which entries of the landing zone no feed reads (a folder that is not a day)."""
    from orchestration.ingest.discovery import unexpected_entries
    from orchestration.ingest.feeds import FEEDS

    ignored = [entry for feed in FEEDS for entry in unexpected_entries(feed, landing)]
    if ignored:
        listed = ", ".join(ignored[:5]) + (
            f" and {len(ignored) - 5} more" if len(ignored) > 5 else ""
        )
        print(f"Not read, not a day's folder or file of a feed: {listed}")


def cmd_generate(args: argparse.Namespace, settings: Settings) -> int:
    from sample_data import SampleConfig, generate

    faults = {
        f"{fault}_share": getattr(args, f"{fault}_share")
        for fault in ("late", "redelivery", "malformed")
        if getattr(args, f"{fault}_share") is not None
    }
    config_cls = SampleConfig.awkward if args.awkward else SampleConfig
    try:
        config = config_cls(
            seed=args.seed,
            start=date.fromisoformat(args.start),
            days=args.days,
            environments=args.environments,
            users=args.users,
            events_per_day=args.events_per_day,
            **faults,
        )
    except ValueError as error:
        print(f"Cannot generate: {error}", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else settings.landing_dir
    manifest = generate(config, out)
    feeds = manifest["feeds"]
    print(f"Wrote a sample landing zone to {out}")
    for feed, counts in feeds.items():
        print(f"  {feed:14} " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return 0


def cmd_prepare(args: argparse.Namespace, settings: Settings) -> int:
    """Set-up before Dagster services start: what a run needs, and the instance's storage,
    so that services started together (the daemon, the webserver, a launch) do not race to
    create the same tables in a shared database."""
    from dagster import DagsterInstance

    prepare_run(settings)
    with DagsterInstance.get() as instance:
        instance.upgrade()
    return 0


def prepare_run(settings: Settings) -> None:
    """What a run or the UI needs first: the Dagster home with its instance settings, and
    the parsed dbt project."""
    from orchestration.dbt.project import prepare_manifest

    print(f"Dagster home: {dagster_home(settings)} (settings from {settings.dagster_config})")
    settings.export_for_dbt()
    if prepare_manifest():
        print("dbt manifest prepared")


def landing_or_sample(settings: Settings) -> list[date]:
    """The landing zone's arrival days; with no zone at the default place, a generated
    sample's. Empty (after saying so) when DAM_LANDING_DIR names a folder with no data."""
    if not landing_days(settings.landing_dir):
        if os.environ.get("DAM_LANDING_DIR"):
            print(f"No landing data found under DAM_LANDING_DIR={settings.landing_dir}")
            return []
        print(f"No landing zone at {settings.landing_dir}: generating the sample account first")
        cmd_generate(_generate_defaults(), settings)
    return landing_days(settings.landing_dir)


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    days = landing_or_sample(settings)
    if not days:
        return 2
    # A zone generated just now moves the first arrival day when it is not set.
    settings = Settings.from_env()
    try:
        first, last = arrival_range(args, days)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    if first < settings.first_arrival_day:
        print(
            f"The landing zone starts on {first}, before DAM_FIRST_ARRIVAL_DAY="
            f"{settings.first_arrival_day}; set DAM_FIRST_ARRIVAL_DAY to {first} or earlier"
        )
        return 2
    prepare_run(settings)
    dagster_home(settings)

    import dagster as dg

    from orchestration.definitions import defs
    from orchestration.partitions import run_tags
    from orchestration.processes import announce_reclaimed, process_tags, reclaiming

    report_unexpected_entries(settings.landing_dir)
    print(f"Loading arrival days {first} to {last} from {settings.landing_dir}")
    job = defs.resolve_job_def("load_warehouse")
    log = settings.dbt_dir / "run.log"
    with (
        dg.DagsterInstance.get() as instance,
        reclaiming(instance, settings.slot_reclaim_seconds, announce_reclaimed),
        contextlib.nullcontext() if args.verbose else quiet_dbt(log),
    ):
        selection = step_selection(args.only)
        result = job.execute_in_process(
            instance=instance,
            tags={**run_tags(first, last), **process_tags()},
            run_config=run_config(args.verbose, args.full_refresh, with_dbt=args.only != "ingest"),
            raise_on_error=False,
            asset_selection=list(selection.resolve(defs.resolve_asset_graph()))
            if selection
            else None,
        )
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure:
                print(f"FAILED {event.step_key}: {failure_reason(event)}", file=sys.stderr)
        print(
            f"Details: run {result.run_id} in the Dagster UI, dbt's log in {log}; "
            "`dam-usage run --verbose` prints Dagster's and dbt's logs",
            file=sys.stderr,
        )
        return 1
    from orchestration.resources import WarehouseUnavailable

    try:
        cmd_summary(args, settings)
    except WarehouseUnavailable:
        # The run has let go of the writer slot: the next run may already be writing.
        print("Warehouse summary skipped: another run is writing the warehouse.", file=sys.stderr)
    if args.only == "ingest":
        return 0
    print()
    return cmd_dashboard(argparse.Namespace(viewer=None, day=None, who=True), settings)


def cmd_dashboard(args: argparse.Namespace, settings: Settings) -> int:
    from orchestration.dashboard import (
        NotAllowed,
        check_viewer,
        dashboard,
        format_dashboard,
        latest_day,
        open_serving,
        viewers,
    )

    day = parse_day("--day", args.day) if args.day else None
    try:
        with open_serving(settings.serving_path) as con:
            if args.viewer is not None:
                check_viewer(con, args.viewer)
            day = day or latest_day(con)
            print(format_dashboard(day, dashboard(con, day)))
            if getattr(args, "who", False):
                who = viewers(con)
                print(f"Dashboard viewers (--viewer): {who or 'nobody'}")
                if who:
                    first = who.split(", ")[0]
                    print(f"The dashboard page: python3 tasks.py serve --viewer {first}")
    except (NotAllowed, FileNotFoundError, LookupError) as error:
        print(error, file=sys.stderr)
        return 2
    return 0


def cmd_download(args: argparse.Namespace, settings: Settings) -> int:
    from orchestration.dashboard import NotAllowed, check_viewer, open_serving

    if args.what == "collections":
        sql = "select * from published_collections_by_views($first, $last)"
        params = {"first": parse_day("--first", args.first), "last": parse_day("--last", args.last)}
    else:
        if not args.scope:
            raise UsageError("download users needs --scope: a product environment or '(account)'")
        if args.days < 1:
            raise UsageError(f"--days must be at least 1, got {args.days}")
        sql = "select * from users_by_activity($scope, $as_of, window_days := $days)"
        params = {"scope": args.scope, "as_of": parse_day("--as-of", args.as_of), "days": args.days}
    try:
        with open_serving(settings.serving_path) as con:
            check_viewer(con, args.viewer)
            if args.what == "users":
                check_scope(con, args.scope)
            relation = con.execute(sql, params)
            columns = [d[0] for d in relation.description]
            rows = relation.fetchall()
    except (NotAllowed, FileNotFoundError) as error:
        print(error, file=sys.stderr)
        return 2
    with contextlib.ExitStack() as stack:
        out = (
            stack.enter_context(
                open(writable_file("--out", args.out), "w", newline="", encoding="utf-8")
            )
            if args.out
            else sys.stdout
        )
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows(rows)
    return 0


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from orchestration.reports.requests import RequestRefused
    from orchestration.reports.service import (
        apply_retention,
        fail_abandoned,
        generate,
        registry_of,
        request_report,
    )

    registry = registry_of(settings)
    fail_abandoned(registry)
    if args.action in ("request", "list"):
        # Retention holds without the daemon too: the command line applies it as it goes.
        dagster_home(settings)
        apply_retention(settings)
    if args.action == "request":
        requested_by = args.requested_by or os.environ.get("DAM_REQUESTER")
        if not requested_by:
            print("Name the requester: --requested-by EMAIL (or DAM_REQUESTER)", file=sys.stderr)
            return 2
        dagster_home(settings)
        try:
            report, launched = request_report(
                settings, args.start, args.end, requested_by, args.refresh
            )
        except RequestRefused as error:
            print(error, file=sys.stderr)
            return 2
        state = "requested" if launched else report.status
        print(f"{report.report_id} {state}")
        return 0
    if args.action == "generate":
        requested = registry.get(args.report_id)
        if requested is None or not requested.requested_by:
            print(
                f"No request for report {args.report_id}: ask for it with "
                "`dam-usage report request`, which checks the plan and the requester",
                file=sys.stderr,
            )
            return 2
        dagster_home(settings)
        failure = generate(args.report_id, settings)
        if failure:
            print(f"Report {args.report_id} failed: {failure}", file=sys.stderr)
        return 1 if failure else 0
    if args.action == "list":
        for r in registry.all():
            print(
                f"{r.report_id}  {r.status:8} rows={r.row_count}  expires={r.expires_at}  "
                f"data_through={r.data_through}"
            )
        return 0
    report = registry.get(args.report_id)
    if report is None:
        print(f"No report {args.report_id}", file=sys.stderr)
        return 2
    if args.action == "status":
        through = f" (data through {report.data_through})" if report.data_through else ""
        error = f": {report.error}" if report.error else ""
        print(f"{report.report_id} {report.status}{through}{error}")
        return 0
    if report.status != "ready" or not report.csv_path:
        print(f"{report.report_id} is {report.status}, not ready", file=sys.stderr)
        return 2
    if args.out:
        shutil.copyfile(report.csv_path, writable_file("--out", args.out))
        print(args.out)
    else:
        print(report.csv_path)
    return 0


def cmd_subscribe(args: argparse.Namespace, settings: Settings) -> int:
    from orchestration.notifications.service import SubscriptionRefused, subscribe

    try:
        subscription, new = subscribe(
            settings, args.topic, args.owner, args.email, args.webhook, args.env, args.meter,
            args.thresholds,
        )  # fmt: skip
    except SubscriptionRefused as error:
        raise UsageError(str(error)) from None
    print(f"{'Subscribed' if new else 'Already subscribed'}: {describe(subscription)}")
    return 0


def describe(s) -> str:
    """One subscription in one line."""
    scope = [
        f"{name}={value}"
        for name, value in (("env", s.environment), ("meter", s.meter), ("at", s.thresholds))
        if value
    ]
    return (
        " ".join([f"#{s.subscription_id}", s.topic, *scope, "by", s.channel, "to", s.address])
        + f" (for {s.owner})"
    )


def cmd_subscriptions(args: argparse.Namespace, settings: Settings) -> int:
    from orchestration.notifications.service import store_of

    store = store_of(settings)
    for subscription in store.subscriptions():
        print(describe(subscription))
    if args.messages:
        for m in store.messages():
            error = f"  ({m.last_error})" if m.last_error else ""
            print(f"{m.created_at[:19]}  {m.status:7} x{m.attempts}  {m.subject}{error}")
    return 0


def cmd_unsubscribe(args: argparse.Namespace, settings: Settings) -> int:
    from orchestration.notifications.service import store_of

    if not store_of(settings).unsubscribe(args.id):
        raise UsageError(f"no subscription #{args.id}: see `dam-usage subscriptions`")
    print(f"Unsubscribed #{args.id}")
    return 0


def cmd_notify(args: argparse.Namespace, settings: Settings) -> int:
    from orchestration.notifications.service import notify

    dagster_home(settings)  # a monthly report's run records itself there
    outcome = notify(settings)
    for note in outcome.notes:
        print(note)
    print(outcome.summary())
    for key, error in outcome.delivered.failed:
        print(f"  {key}: {error}")
    return 0


def _generate_defaults() -> argparse.Namespace:
    return build_parser().parse_args(["generate", "--awkward"])


def cmd_summary(args: argparse.Namespace, settings: Settings) -> int:
    from orchestration.resources import WarehouseUnavailable
    from orchestration.summary import warehouse_summary

    if not settings.warehouse_path.exists():
        print(
            f"No warehouse at {settings.warehouse_path}: run `dam-usage run` first", file=sys.stderr
        )
        return 2
    try:
        print(warehouse_summary(settings))
    except WarehouseUnavailable as error:
        print(error, file=sys.stderr)
        return 1
    return 0


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from orchestration.backup import backup_notifications, backup_warehouse, default_target
    from orchestration.resources import WarehouseUnavailable

    if not settings.warehouse_path.exists():
        print(f"No warehouse at {settings.warehouse_path}", file=sys.stderr)
        return 2
    target = Path(args.out).expanduser().resolve() if args.out else default_target(settings)
    try:
        print(backup_warehouse(settings, target))
    except (FileExistsError, WarehouseUnavailable) as error:
        print(error, file=sys.stderr)
        return 2
    subscriptions = backup_notifications(settings, target)
    if subscriptions:
        print(subscriptions)
    return 0


def cmd_spark_build(args: argparse.Namespace, settings: Settings) -> int:
    """The spark target: every landing day into Spark's raw tables, then every dbt model."""
    from orchestration.spark.build import SparkBuildFailed, build_models, load_landing

    days = landing_or_sample(settings)
    if not days:
        return 2
    try:
        first, last = arrival_range(args, days)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    days = [day for day in days if first <= day <= last]
    print(f"Loading {len(days)} arrival day(s) into Spark tables under {settings.spark_dir}")
    try:
        load_landing(settings, days)
        print("Building the dbt models on the spark target")
        build_models(settings, full_refresh=args.full_refresh)
    except SparkBuildFailed as error:
        print(error, file=sys.stderr)
        return 1
    print(f"Marts built on Spark: tables of the `marts` database under {settings.spark_dir}")
    return 0


def cmd_ui(args: argparse.Namespace, settings: Settings) -> int:
    prepare_run(settings)
    dagster = Path(sys.executable).parent / "dagster"
    command = [
        str(dagster), "dev", "--port", str(args.port),
        "-m", "orchestration.definitions", "--working-directory", str(PROJECT_ROOT),
    ]  # fmt: skip
    # Started from the Dagster home, which holds a copy of the instance settings.
    return subprocess.call(command, cwd=settings.dagster_home)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from dashboard.config import ConfigError, DashboardConfig

    if importlib.util.find_spec("plotly") is None:
        raise UsageError(
            "the dashboard needs the dashboard extra: start it with `python3 tasks.py serve`, "
            "or pip install 'dam-usage-warehouse[dashboard]'"
        )
    from dashboard.server import serve

    try:
        serve(DashboardConfig.from_env(settings, args.host, args.port, args.viewer))
    except ConfigError as error:
        raise UsageError(str(error)) from None
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dam-usage", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write a sample landing zone")
    gen.add_argument("--out", help="landing zone folder (default: DAM_LANDING_DIR)")
    gen.add_argument("--seed", type=int, default=7)
    gen.add_argument("--start", default="2024-05-01", help="first day (YYYY-MM-DD)")
    gen.add_argument("--days", type=int, default=30)
    gen.add_argument("--environments", type=int, default=4)
    gen.add_argument("--users", type=int, default=40)
    gen.add_argument("--events-per-day", type=int, default=2000)
    gen.add_argument(
        "--awkward",
        action="store_true",
        help="add late, redelivered and malformed records, as real feeds have",
    )
    for fault in ("late", "redelivery", "malformed"):
        gen.add_argument(
            f"--{fault}-share", type=float, help=f"share of {fault} records (overrides --awkward)"
        )
    gen.set_defaults(handler=cmd_generate)

    sub.add_parser(
        "prepare", help="set up the Dagster home and parse the dbt project"
    ).set_defaults(handler=cmd_prepare)

    run = sub.add_parser("run", help="load the landing zone and build the models in one run")
    run.add_argument("--start", help="first arrival day (default: the earliest in the zone)")
    run.add_argument("--end", help="last arrival day, included (default: the latest)")
    run.add_argument("--verbose", action="store_true", help="print Dagster's and dbt's logs")
    run.add_argument(
        "--full-refresh", action="store_true", help="rebuild the incremental models from scratch"
    )
    run.add_argument(
        "--only",
        choices=sorted(STEP_GROUPS),
        help="ingest: load the landing files only; build: the dbt models and publishing only",
    )
    run.set_defaults(handler=cmd_run)

    sub.add_parser("summary", help="print what the warehouse holds").set_defaults(
        handler=cmd_summary
    )

    backup = sub.add_parser("backup", help="copy the warehouse to a new file, consistently")
    backup.add_argument("--out", help="the new file (default: DAM_DATA_DIR/backups/...)")
    backup.set_defaults(handler=cmd_backup)

    board = sub.add_parser("dashboard", help="print the usage dashboard")
    board.add_argument("--viewer", required=True, help="e-mail of an enabled master admin")
    board.add_argument("--day", help="as of the end of this day (default: the latest)")
    board.set_defaults(handler=cmd_dashboard)

    down = sub.add_parser("download", help="a dashboard download as CSV")
    down.add_argument("what", choices=["collections", "users"])
    down.add_argument("--viewer", required=True, help="e-mail of an enabled master admin")
    down.add_argument("--first", help="collections: first day of the window (included)")
    down.add_argument("--last", help="collections: last day of the window (included)")
    down.add_argument("--scope", help="users: product environment, or '(account)'")
    down.add_argument("--as-of", help="users: the window ends the day before this date")
    down.add_argument("--days", type=int, default=30, help="users: window length (7 or 30)")
    down.add_argument("--out", help="CSV file to write (default: standard output)")
    down.set_defaults(handler=cmd_download)

    report = sub.add_parser("report", help="activity reports").add_subparsers(
        dest="action", required=True
    )
    ask = report.add_parser("request", help="request a report; returns its id at once")
    ask.add_argument("--start", required=True, help="the day before the first day included")
    ask.add_argument("--end", required=True, help="the day after the last day included")
    ask.add_argument("--requested-by", help="e-mail of a master admin or admin")
    ask.add_argument("--refresh", action="store_true", help="generate again even if ready")
    for action, text in (
        ("status", "a report's status"),
        ("download", "copy a ready report's CSV, or print its path"),
        ("generate", "generate a report in this process (what a request launches)"),
    ):
        one = report.add_parser(action, help=text)
        one.add_argument("report_id")
        if action == "download":
            one.add_argument("--out", help="where to copy the CSV")
    report.add_parser("list", help="every report and its status")
    sub.choices["report"].set_defaults(handler=cmd_report)

    subscribe = sub.add_parser("subscribe", help="subscribe to usage alerts or the monthly report")
    subscribe.add_argument("topic", choices=["usage", "monthly-report"])
    subscribe.add_argument("--owner", required=True, help="e-mail of the account user it is for")
    subscribe.add_argument("--email", help="send to this address (default: the owner's)")
    subscribe.add_argument("--webhook", help="POST to this URL instead (JSON, Slack-compatible)")
    subscribe.add_argument("--env", help="usage: one product environment (default: all)")
    subscribe.add_argument("--meter", help="usage: one meter, e.g. storage (default: all)")
    subscribe.add_argument(
        "--thresholds", help="usage: % of the limit, e.g. 80,90,100 (default: DAM_ALERT_THRESHOLDS)"
    )
    subscribe.set_defaults(handler=cmd_subscribe)

    unsubscribe = sub.add_parser("unsubscribe", help="remove a subscription")
    unsubscribe.add_argument("id", type=int, help="its number, from `dam-usage subscriptions`")
    unsubscribe.set_defaults(handler=cmd_unsubscribe)

    listing = sub.add_parser("subscriptions", help="list subscriptions")
    listing.add_argument("--messages", action="store_true", help="also every message and its state")
    listing.set_defaults(handler=cmd_subscriptions)

    sub.add_parser(
        "notify",
        help="make the messages the marts call for and send those due (what the sensor runs)",
    ).set_defaults(handler=cmd_notify)

    spark = sub.add_parser(
        "spark-build", help="load the landing zone and build the models on Spark (spark extra)"
    )
    spark.add_argument("--start", help="first arrival day (default: the earliest in the zone)")
    spark.add_argument("--end", help="last arrival day, included (default: the latest)")
    spark.add_argument(
        "--full-refresh", action="store_true", help="rebuild the incremental models from scratch"
    )
    spark.set_defaults(handler=cmd_spark_build)

    ui = sub.add_parser("ui", help="start the Dagster UI (dagster dev)")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(handler=cmd_ui)

    page = sub.add_parser("serve", help="serve the usage dashboard page (dashboard extra)")
    page.add_argument("--viewer", help="for local use: the e-mail of the one viewer")
    page.add_argument("--host", help="address (default: DAM_DASHBOARD_HOST, or 127.0.0.1)")
    page.add_argument("--port", type=int, help="port (default: DAM_DASHBOARD_PORT, 8000)")
    page.set_defaults(handler=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    try:
        return args.handler(args, settings)
    except UsageError as error:
        print(f"dam-usage {args.command}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except (OSError, sqlite3.Error, ValueError, LookupError) as error:
        # An environment problem (a folder that cannot be written, a file in the way): one
        # line that names it. DAM_TRACEBACK=1 shows where it happened.
        if os.environ.get("DAM_TRACEBACK") == "1":
            raise
        print(f"dam-usage {args.command}: {error}", file=sys.stderr)
        return 1


class UsageError(ValueError):
    """A wrong argument: the message says what to give instead."""


def parse_day(option: str, value: str | None) -> date:
    if not value:
        raise UsageError(f"{option} is needed: a date, YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} must be a date, YYYY-MM-DD, got {value!r}") from None


def writable_file(option: str, value: str) -> Path:
    """A file path to write: not a folder, in a folder that exists."""
    path = Path(value).expanduser()
    if path.is_dir():
        raise UsageError(f"{option} {value} is a folder: name a file in it")
    if not path.parent.is_dir():
        raise UsageError(f"{option} {value}: the folder {path.parent} does not exist")
    return path


def check_scope(con, scope: str) -> None:
    """A users download is for a product environment, or the account level."""
    from orchestration.queries.marts import known_scopes

    known = known_scopes(con)
    if scope not in known:
        raise UsageError(f"unknown --scope {scope!r}: one of {', '.join(known)}")


if __name__ == "__main__":
    sys.exit(main())
