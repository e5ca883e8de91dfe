"""Shared fixtures: a small generated landing zone with every awkward case, and helpers
that check raw input independently of the SQL under test (plain Python json)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
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
        return (
            (_text(doc.get("id")) or isinstance(doc.get("id"), int))
            and parse_utc(doc.get("occurred_at")) is not None
            and _text(doc.get("action"))
        )
    if not _text(doc.get("notification_type")) or parse_utc(notification_time(doc)) is None:
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
