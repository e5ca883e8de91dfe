"""Drill: the sample zone with a landing zone's worst added to it (names that are patterns,
links out of the zone, a pipe, folders that are not days, whitespace lines, values of the
wrong type, users snapshots with a repeated id or e-mail) is loaded end to end.

Per landing file, the records found are the records loaded plus those quarantined; nothing
outside the landing root is read; the build succeeds; and every served table equals the
one built from the same zone without the bad records.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_cli, small_days
from tests.drills.conftest import tables
from tests.orchestration.ingest.test_load import event

OUTSIDE_MARK = "outside-the-landing-zone"


def notification(**changes) -> str:
    doc = {
        "notification_type": "upload",
        "asset_id": "hostile-asset",
        "resource_type": "image",
        "bytes": 10,
        "timestamp": f"{small_days()[1]}T10:00:00Z",
    }
    return json.dumps({**doc, **changes})


def clean_zone(small_zone: Path, root: Path) -> Path:
    """The sample zone with good records under a pattern-like name, and without the two
    snapshot files the hostile zone replaces with bad ones."""
    zone = root / "clean"
    shutil.copytree(small_zone, zone)
    day = small_days()[2]
    good = [event(id=f"bracketed-{n}", occurred_at=f"{day}T0{n}:00:00Z") for n in range(3)]
    (zone / f"dam_events/{day}/part-00[0].jsonl").write_text("\n".join(good) + "\n")
    (zone / f"users/{small_days()[3]}.json").unlink()
    (zone / f"account/{small_days()[4]}.json").unlink()
    return zone


def hostile_zone(clean: Path, root: Path) -> tuple[Path, list[str]]:
    """The clean zone and the worst of a landing zone; (zone, files holding bad records)."""
    zone = root / "hostile"
    shutil.copytree(clean, zone, symlinks=True)
    days = [d.isoformat() for d in small_days()]
    outside = root / "outside"
    (outside / days[1]).mkdir(parents=True)
    secret = event(id=OUTSIDE_MARK, action=OUTSIDE_MARK)
    (outside / "secret.jsonl").write_text(secret + "\n")
    (outside / days[1] / "events.jsonl").write_text(secret + "\n")
    env = sorted(p.name for p in (zone / "notifications").iterdir())[0]
    bad = {
        f"dam_events/{days[2]}/part-00[1].jsonl": [
            event(id="typed-1", cloud_name=5),
            event(id="typed-2", actor={"type": ["user"], "id": "u"}),
            event(id="typed-3", target={"type": "asset", "id": {"a": 1}}),
            "\t",
            "not json",
        ],
        f"notifications/{env}/{days[1]}/bad-types.jsonl": [
            notification(bytes="abc"),
            notification(bytes=-5),
            notification(bytes=1.5),
            notification(bytes=10**30),
            notification(public_id=7),
        ],
        f"usage/ghost/{days[1]}.json": [json.dumps({"storage": {"usage": "12 GB"}})],
        f"users/{days[3]}.json": [
            json.dumps({"users": [{"id": "u1", "role": "admin"}, {"id": "u1", "role": "x"}]})
        ],
        f"account/{days[4]}.json": [
            json.dumps(
                {
                    "account_id": "a",
                    "plan": "plus",
                    "features": {"activity_reports": 1},
                    "product_environments": [{"cloud_name": env}],
                }
            )
        ],
    }
    for relative, lines in bad.items():
        path = zone / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")
    # Whitespace lines in a file of good records are not records.
    some_file = sorted((zone / "dam_events" / days[0]).glob("*.jsonl"))[0]
    some_file.write_text(some_file.read_text() + "\t\n \n\r\n")
    os.symlink(outside / "secret.jsonl", zone / f"dam_events/{days[0]}/linked.jsonl")
    os.symlink(outside, zone / "notifications" / "linked-environment")
    os.mkfifo(zone / f"dam_events/{days[0]}/pipe.jsonl")
    for folder in ("dam_events/backup", "dam_events/2024-13-01"):
        (zone / folder).mkdir()
        (zone / folder / "events.jsonl").write_text(secret + "\n")
    return zone, list(bad)


def regular_files(zone: Path, feed: str) -> list[Path]:
    found = []
    for folder, _, names in os.walk(zone / feed):  # links are not followed
        found += [Path(folder) / n for n in names if (Path(folder) / n).is_file()]
    return [p for p in found if not p.is_symlink()]


@pytest.fixture(scope="module")
def both(small_zone, tmp_path_factory):
    root = tmp_path_factory.mktemp("adversarial")
    clean = clean_zone(small_zone, root)
    hostile, bad_files = hostile_zone(clean, root)
    results = {}
    for name, zone in (("clean", clean), ("hostile", hostile)):
        data = root / f"data-{name}"
        result = run_cli("run", data=data, landing=zone, DAM_MAX_QUARANTINE_RATE="1")
        results[name] = {"zone": zone, "data": data, "result": result}
    results["bad_files"] = bad_files
    return results


def test_both_builds_succeed(both):
    for name in ("clean", "hostile"):
        result = both[name]["result"]
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        assert "Traceback" not in result.stdout + result.stderr


def test_every_record_of_every_file_is_loaded_or_quarantined(both):
    zone, data = both["hostile"]["zone"], both["hostile"]["data"]
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        for feed in ("dam_events", "notifications", "users", "usage", "account"):
            loaded = dict(
                con.execute(f"select source_file, count(*) from raw.{feed} group by 1").fetchall()
            )
            held = dict(
                con.execute(
                    "select source_file, count(*) from raw.quarantine where feed = ? group by 1",
                    [feed],
                ).fetchall()
            )
            for path in regular_files(zone, feed):
                name = path.relative_to(zone).as_posix()
                if path.suffix == ".jsonl":
                    text = path.read_bytes().decode("utf-8", errors="replace")
                    records = sum(1 for line in text.split("\n") if line.strip(" \t\r"))
                else:
                    records = 1
                found = loaded.get(name, 0) + held.get(name, 0)
                if "backup" in name or "2024-13-01" in name:
                    assert found == 0, name  # not a day: reported, not read
                else:
                    assert found == records, name


def test_the_bad_records_are_quarantined_with_their_field(both):
    data = both["hostile"]["data"]
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        reasons = con.execute(
            "select source_file, reason from raw.quarantine where list_contains(?, source_file)",
            [both["bad_files"]],
        ).fetchall()
    said = " | ".join(reason for _, reason in reasons)
    for words in (
        "cloud_name must be a string",
        "actor.type must be a string",
        "target.id must be a string or an integer",
        "invalid JSON",
        "bytes must be an integer >= 0",
        "public_id must be a string",
        "storage.usage must be a number",
        "users[].id: a user id is listed twice",
        "features.activity_reports must be true or false",
    ):
        assert words in said, words
    assert {f for f, _ in reasons} == set(both["bad_files"])


def test_nothing_outside_the_landing_zone_is_read(both):
    data = both["hostile"]["data"]
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        for table in ("raw.dam_events", "raw.notifications", "raw.quarantine"):
            (count,) = con.execute(
                f"select count(*) from {table} t where contains(t::varchar, ?)", [OUTSIDE_MARK]
            ).fetchone()
            assert count == 0, table
        links = con.execute(
            "select source_file, reason from raw.quarantine where reason like 'symbolic link%'"
        ).fetchall()
        pipes = con.execute(
            "select source_file from raw.quarantine where reason = 'not a regular file'"
        ).fetchall()
    days = small_days()
    assert (f"dam_events/{days[0]}/linked.jsonl", "symbolic link: not followed") in links
    assert {f for f, _ in links} >= {"notifications/linked-environment"}
    assert pipes == [(f"dam_events/{days[0]}/pipe.jsonl",)]


def test_folders_that_are_not_days_are_reported(both):
    output = both["hostile"]["result"].stdout
    assert "Not read, not a day's folder or file of a feed:" in output
    assert "dam_events/2024-13-01" in output and "dam_events/backup" in output


def test_the_served_tables_equal_those_of_the_zone_without_the_bad_records(both):
    clean = tables(both["clean"]["data"] / "serving" / "marts.duckdb")
    hostile = tables(both["hostile"]["data"] / "serving" / "marts.duckdb")
    assert clean.keys() == hostile.keys()
    assert len(clean) >= 17
    for table, rows in clean.items():
        assert hostile[table] == rows, table
