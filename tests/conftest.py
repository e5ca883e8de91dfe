"""Shared fixtures: a small generated landing zone with every awkward case, and helpers
that check raw input independently of the SQL under test (plain Python json)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from sample_data import MANIFEST_NAME, SampleConfig, generate

SMALL = SampleConfig.awkward(
    days=6, environments=3, users=20, events_per_day=500, malformed_share=0.01
)


@pytest.fixture(scope="session")
def small_zone(tmp_path_factory) -> Path:
    zone = tmp_path_factory.mktemp("landing")
    generate(SMALL, zone)
    return zone


@pytest.fixture(scope="session")
def small_manifest(small_zone) -> dict:
    return json.loads((small_zone / MANIFEST_NAME).read_text())


def cli_env(data: Path, landing: Path, **env: str) -> dict[str, str]:
    """The environment of a `dam-usage` process of the tests, on its own data folder."""
    environment = {
        **os.environ,
        "DAM_DATA_DIR": str(data),
        "DAM_LANDING_DIR": str(landing),
        "DAGSTER_HOME": str(data / "dagster_home"),
        "DAM_MAX_QUARANTINE_RATE": "0.5",
        **env,
    }
    for inherited in ("DAM_WAREHOUSE_PATH", "DAM_SERVING_PATH", "DAM_SPARK_DIR"):
        if inherited not in env:
            environment.pop(inherited, None)
    return environment


def run_cli(*args: str, data: Path, landing: Path, timeout: int = 600, **env: str):
    """Run `dam-usage` in a fresh process, as a user would, on its own data folder."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "dam-usage"), *args],
        env=cli_env(data, landing, **env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def load_and_build(data: Path, zone: Path, first: date | None = None, last: date | None = None):
    """What `dam-usage run [--start FIRST] [--end LAST]` leaves in the warehouse, without a
    Dagster run: every feed's files of the arrival days loaded by the ingest's `load_feed`,
    then `dbt build` over their window (every day, without bounds). For tests of what the
    models make of the deliveries; the command itself is tested as a user runs it."""
    from orchestration.dbt.project import DBT_PROJECT_DIR, dbt_executable
    from orchestration.ingest.feeds import FEEDS
    from orchestration.ingest.load import load_feed
    from orchestration.landing import landing_days
    from orchestration.resources import Warehouse

    days, window = landing_days(zone), {}
    if first or last:
        first, last = first or days[0], last or days[-1]
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        end = last + timedelta(days=1)
        window = {"DAM_MIN_ARRIVAL_DATE": str(first), "DAM_MAX_ARRIVAL_DATE": str(end)}
    warehouse = Warehouse(path=str(data / "warehouse.duckdb"))
    with warehouse.connect() as con:
        for feed in FEEDS:
            load_feed(con, feed, zone, days)
    target = data / "dbt_target"  # kept between a test's runs, so dbt parses once
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DAM_")}
    result = subprocess.run(
        [dbt_executable(), "build", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target)],
        env={**environment, "DAM_WAREHOUSE_PATH": warehouse.path,
             "DAM_DUCKDB_TEMP_DIR": str(data / "duckdb_tmp"),
             "DBT_LOG_PATH": str(data / "dbt_logs"), **window},
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def warehouse_rows(warehouse: Path, sql: str) -> list[tuple]:
    """The rows of a query on a warehouse, opened read-only: its DuckDB file, or the data
    folder that holds it."""
    if warehouse.is_dir():
        warehouse = warehouse / "warehouse.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def table_rows_sql(relation: str) -> str:
    """Every row of a table, ordered, without what names the build that wrote it (dbt's
    invocation_id, the serving file's build_id and built_at): two builds of the same rows
    differ there."""
    return (
        "select columns(lambda c: c not in ('invocation_id', 'build_id', 'built_at')) "
        f"from {relation} order by all"
    )


def table_rows(warehouse: Path, relation: str) -> list[tuple]:
    return warehouse_rows(warehouse, table_rows_sql(relation))


READER_OF_A_MOMENT = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
"""


@contextmanager
def read_in_another_process(warehouse: Path, seconds: float) -> Iterator[subprocess.Popen]:
    """A reader of a moment (`dam-usage summary`, a BI query): another process holds the
    DuckDB file open for reading for `seconds` from the start of the block."""
    reader = subprocess.Popen(
        [sys.executable, "-c", READER_OF_A_MOMENT, str(warehouse), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "holding"
        yield reader
    finally:
        reader.kill()
        reader.wait()


def admin_of(zone: Path) -> dict:
    """The first user of the zone's latest users snapshot: an enabled master admin."""
    return json.loads(sorted((zone / "users").glob("*.json"))[-1].read_text())["users"][0]


def final_report_status(report_id: str, data: Path, zone: Path, seconds=300, **env) -> str:
    """`dam-usage report status` once the report is ready or failed ("timed out" if never)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = run_cli("report", "status", report_id, data=data, landing=zone, **env).stdout
        if " ready" in status or " failed" in status:
            return status.strip()
        time.sleep(0.5)
    return "timed out"


def ready(report_id: str) -> str:
    """The status of a ready report of the small zone: its data is complete through the
    zone's last arrival day."""
    return f"{report_id} ready (data through {small_days()[-1]})"


@pytest.fixture(scope="session")
def built(small_zone, tmp_path_factory) -> dict:
    """The small zone loaded by the main command: warehouse, serving file and output."""
    data = tmp_path_factory.mktemp("data")
    result = run_cli("run", data=data, landing=small_zone)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return {
        "data": data,
        "warehouse": data / "warehouse.duckdb",
        "serving": data / "serving" / "marts.duckdb",
        "output": result.stdout,
    }


@pytest.fixture(scope="session")
def reference(small_zone):
    """The independent replay of the small zone (tests/reference.py)."""
    from tests.reference import Reference

    return Reference(small_zone)


def small_days() -> list[date]:
    return [date.fromordinal(SMALL.start.toordinal() + d) for d in range(SMALL.days)]


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    connection.execute("set TimeZone = 'UTC'")
    yield connection
    connection.close()


def parse_utc(value) -> datetime | None:
    """The reference parser for event times: ISO 8601 strings; naive means UTC."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(tzinfo=None)


def _text(value) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _optional(value, kind) -> bool:
    """Absent (None) or of the type; JSON's true and false are not integers."""
    return value is None or (isinstance(value, kind) and (kind is not int or _integer(value)))


def _typed_members(value, types: dict) -> bool:
    """Each named member of an object, where given, has one of its types."""
    if not isinstance(value, dict):
        return True
    return all(
        value.get(name) is None
        or (isinstance(value[name], kinds) and not isinstance(value[name], bool))
        for name, kinds in types.items()
    )


def notification_time(doc: dict):
    context = doc.get("notification_context")
    if isinstance(context, dict) and context.get("triggered_at") is not None:
        return context["triggered_at"]
    if doc.get("timestamp") is not None:
        return doc["timestamp"]
    return doc.get("created_at")


def accepts(feed: str, line: str) -> bool:
    """Whether a record should load, decided by plain Python (the independent check)."""
    try:
        doc = json.loads(line)
    except ValueError:
        return False
    if not isinstance(doc, dict):
        return False
    if feed == "dam_events":
        actor, target = doc.get("actor"), doc.get("target")
        return (
            (_text(doc.get("id")) or isinstance(doc.get("id"), int))
            and parse_utc(doc.get("occurred_at")) is not None
            and _text(doc.get("action"))
            and _optional(doc.get("cloud_name"), str)
            and _typed_members(actor, {"type": (str,), "id": (str, int)})
            and _typed_members(target, {"type": (str,), "id": (str, int)})
        )
    if not _text(doc.get("notification_type")) or parse_utc(notification_time(doc)) is None:
        return False
    context = doc.get("notification_context")
    triggered_by = context.get("triggered_by") if isinstance(context, dict) else None
    size = doc.get("bytes")
    if size is not None and not (_integer(size) and 0 <= size < 2**63):
        return False
    if not all(
        _optional(doc.get(name), str)
        for name in ("asset_id", "public_id", "resource_type", "format")
    ) or not _typed_members(triggered_by, {"source": (str,), "id": (str, int)}):
        return False
    if doc["notification_type"] == "upload":
        return _text(doc.get("asset_id")) and _text(doc.get("resource_type"))
    if doc["notification_type"] == "delete":
        resources = doc.get("resources")
        items = resources.values() if isinstance(resources, dict) else resources
        return bool(items) and all(_text(r.get("asset_id")) for r in items)
    return True


def zone_lines(zone: Path, feed: str):
    """(relative file, line number, text) of every non-blank line of a JSONL feed."""
    for path in sorted((zone / feed).rglob("*.jsonl")):
        for number, text in enumerate(path.read_text().splitlines(), start=1):
            if text.strip():
                yield path.relative_to(zone).as_posix(), number, text
