"""Drill: the sample zone with a file of every kind of bad DAM event added, run end to end.
Every line is loaded or quarantined with a reason, the counts add up to the lines read,
dbt's tests still pass, and an id delivered twice with different content counts once."""

from __future__ import annotations

import json
import shutil

import duckdb

from tests.conftest import run_cli
from tests.orchestration.ingest.test_load import BAD_EVENT_LINES, DAY, event

HOSTILE_FILE = f"dam_events/{DAY}/hostile.jsonl"


def hostile_lines() -> list[bytes]:
    first = event(id="twice", action="collection.opened")
    return [
        first.encode(),
        *(line.encode() for line, _ in BAD_EVENT_LINES),
        event(id="huge", details={"pad": "x" * 2_000_000}).encode(),
        (event(id="deep")[:-1] + ', "nested": ' + "[" * 3000 + "]" * 3000 + "}").encode(),
        b'{"id": "\xff\xfe", "action": "x"}',  # not UTF-8
        event(id="offset", occurred_at="2024-05-01T10:00:00+02:00").encode(),
        event(id="naive", occurred_at="2024-05-01 10:00:00").encode(),
        event(id="twice", action="collection.closed").encode(),  # same id, other content
    ]


def test_a_hostile_zone_loads_or_quarantines_every_line(small_zone, tmp_path):
    zone = tmp_path / "zone"
    shutil.copytree(small_zone, zone)
    lines = hostile_lines()
    (zone / HOSTILE_FILE).write_bytes(b"\n".join(lines) + b"\n")
    data = tmp_path / "data"
    result = run_cli("run", data=data, landing=zone, DAM_MAX_QUARANTINE_RATE="1")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        (loaded,) = con.execute(
            "select count(*) from raw.dam_events where source_file = ?", [HOSTILE_FILE]
        ).fetchone()
        reasons = con.execute(
            "select reason from raw.quarantine where source_file = ?", [HOSTILE_FILE]
        ).fetchall()
        stored = con.execute(
            "select action from intermediate.int_activity_unioned where activity_id = 'twice'"
        ).fetchall()
    assert loaded + len(reasons) == len(lines)
    assert all(reason for (reason,) in reasons)
    assert len(reasons) == len(BAD_EVENT_LINES) + 1  # and the line that is not UTF-8
    assert stored == [("collection.opened",)]  # the first delivery, once
    assert json.loads(lines[0])["id"] == "twice"
