"""The Spark loader keeps the DuckDB loader's rules: every bad record the DuckDB loader's
tests know gets the same reason from both, and the good ones load alike."""

from __future__ import annotations

import json

import duckdb
import pytest

from orchestration.ingest.feeds import FEEDS_BY_NAME
from orchestration.ingest.load import load_feed
from orchestration.spark.load import load_feed_spark
from tests.orchestration.ingest.test_load import (
    BAD_EVENT_LINES,
    BAD_SNAPSHOTS,
    DAY,
    NOTIFICATION_CASES,
    USER_SNAPSHOTS,
    event,
    make_zone,
    write,
)

GOOD_NOTIFICATION = {
    "notification_type": "upload",
    "asset_id": "a1",
    "resource_type": "image",
    "timestamp": "2024-05-01T10:00:00Z",
}


def loaded_by_both(spark, zone, workdir, feed_name: str, columns: str = "") -> dict[str, dict]:
    """(source_file, line_number) -> reason (None: loaded), from each loader; with
    `columns`, the loaded rows' values of those columns instead of None."""
    feed = FEEDS_BY_NAME[feed_name]
    results = {}
    workdir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(workdir / "warehouse.duckdb")) as con:
        con.execute("set TimeZone = 'UTC'")
        load_feed(con, feed, zone, [DAY])
        results["duckdb"] = _outcomes(lambda sql: con.execute(sql).fetchall(), feed, columns)
    load_feed_spark(spark, feed, zone, [DAY])
    results["spark"] = _outcomes(
        lambda sql: [tuple(row) for row in spark.sql(sql).collect()], feed, columns
    )
    return results


def _outcomes(rows_of, feed, columns: str) -> dict:
    day = f"arrival_date = date '{DAY}'"
    line = "line_number" if feed.per_line else "null"
    values = columns or "null"
    rows = rows_of(f"select source_file, {line}, {values} from {feed.table} where {day}")
    rows += rows_of(
        f"select source_file, line_number, reason from raw.quarantine "
        f"where feed = '{feed.name}' and {day}"
    )
    return {(source_file, number): value for source_file, number, value in rows}


def test_bad_event_lines_get_the_same_reasons(spark, tmp_path):
    zone = make_zone(tmp_path / "zone")
    expected = {}
    for index, (bad, reason) in enumerate(BAD_EVENT_LINES):
        name = f"dam_events/{DAY}/case_{index:02}.jsonl"
        write(zone, name, "\n".join([event(id=f"a{index}"), bad, event(id=f"b{index}")]) + "\n")
        expected |= {(name, 1): None, (name, 2): reason, (name, 3): None}
    name = f"dam_events/{DAY}/not_utf8.jsonl"
    write(zone, name, b"\n".join([event().encode(), b'{"id": "\xff\xfe"}', b""]))
    expected |= {(name, 1): None, (name, 2): "not valid UTF-8"}
    both = loaded_by_both(spark, zone, tmp_path, "dam_events")
    assert both["duckdb"] == expected
    assert both["spark"] == expected


def test_bad_notifications_get_the_same_reasons(spark, tmp_path):
    zone = make_zone(tmp_path / "zone")
    expected = {}
    for index, (doc, reason) in enumerate(NOTIFICATION_CASES):
        name = f"notifications/acme/{DAY}/case_{index:02}.jsonl"
        write(zone, name, json.dumps(GOOD_NOTIFICATION) + "\n" + json.dumps(doc) + "\n")
        expected |= {(name, 1): None, (name, 2): reason}
    both = loaded_by_both(spark, zone, tmp_path, "notifications")
    assert both["duckdb"] == expected
    assert both["spark"] == expected


@pytest.mark.parametrize(
    ("feed", "cases"),
    [("account", BAD_SNAPSHOTS), ("users", USER_SNAPSHOTS)],
    ids=["account", "users"],
)
def test_bad_snapshots_get_the_same_reasons(spark, tmp_path, feed, cases):
    for index, (content, reason) in enumerate(cases):
        # One snapshot file a day: each case is a landing zone of its own.
        zone = make_zone(tmp_path / f"zone_{index}")
        write(zone, f"{feed}/{DAY}.json", content)
        expected = {(f"{feed}/{DAY}.json", None): reason}
        both = loaded_by_both(spark, zone, tmp_path / f"case_{index}", feed)
        assert both == {"duckdb": expected, "spark": expected}, content


def test_line_numbers_and_times_load_alike(spark, tmp_path):
    zone = make_zone(tmp_path / "zone")
    lines = [
        "",
        event(id="a", occurred_at="2024-05-01T10:00:00+02:00"),
        "   ",
        event(id="b", occurred_at="2024-05-01 10:00:00") + "\r",
        event(id="c", occurred_at="2024-04-30T23:30:00-01:00"),
        event(id="d", occurred_at="2024-05-01T10:00:00.123456Z"),
        event(id=42, occurred_at="2024-05-01"),
    ]
    write(zone, f"dam_events/{DAY}/times.jsonl", "\n".join(lines))
    columns = "event_id || ' ' || cast(occurred_at as string)"
    both = loaded_by_both(spark, zone, tmp_path, "dam_events", columns)
    name = f"dam_events/{DAY}/times.jsonl"
    assert both["duckdb"] == {
        (name, 2): "a 2024-05-01 08:00:00",
        (name, 4): "b 2024-05-01 10:00:00",
        (name, 5): "c 2024-05-01 00:30:00",
        (name, 6): "d 2024-05-01 10:00:00.123456",
        (name, 7): "42 2024-05-01 00:00:00",
    }
    assert both["spark"] == both["duckdb"]


def test_type_checks_give_the_same_reasons(spark, tmp_path):
    """Types at the door: every case of the DuckDB loader's tests, through both loaders."""
    from tests.orchestration.ingest.test_hostile_landing import (
        ACCOUNT_TYPE_CASES,
        EVENT_TYPE_CASES,
        NOTIFICATION_TYPE_CASES,
        UPLOAD,
        USAGE_TYPE_CASES,
        USERS_TYPE_CASES,
    )

    zone = make_zone(tmp_path / "lines")
    expected = {"notifications": {}, "dam_events": {}}
    for index, (changes, reason) in enumerate(NOTIFICATION_TYPE_CASES):
        doc = {k: v for k, v in {**UPLOAD, **changes}.items() if v is not ...}
        name = f"notifications/acme/{DAY}/case_{index:02}.jsonl"
        write(zone, name, json.dumps(doc) + "\n")
        expected["notifications"][(name, 1)] = reason
    for index, (changes, reason) in enumerate(EVENT_TYPE_CASES):
        name = f"dam_events/{DAY}/case_{index:02}.jsonl"
        write(zone, name, event(id=f"t{index}", **changes) + "\n\t\n")
        expected["dam_events"][(name, 1)] = reason
    for feed, cases in expected.items():
        both = loaded_by_both(spark, zone, tmp_path / feed, feed)
        assert both == {"duckdb": cases, "spark": cases}, feed
    snapshots = [
        *(("users", {"users": users}, reason) for users, reason in USERS_TYPE_CASES),
        *(("usage", report, reason) for report, reason in USAGE_TYPE_CASES),
        *(
            (
                "account",
                {"account_id": "a", "plan": "plus", "product_environments": [{"cloud_name": "x"}]}
                | changes,
                reason,
            )
            for changes, reason in ACCOUNT_TYPE_CASES
        ),
    ]
    for index, (feed, doc, reason) in enumerate(snapshots):
        case = make_zone(tmp_path / f"snapshot_{index}")
        name = f"usage/acme/{DAY}.json" if feed == "usage" else f"{feed}/{DAY}.json"
        write(case, name, json.dumps(doc))
        both = loaded_by_both(spark, case, tmp_path / f"snapshot_case_{index}", feed)
        assert both == {"duckdb": {(name, None): reason}, "spark": {(name, None): reason}}, doc
