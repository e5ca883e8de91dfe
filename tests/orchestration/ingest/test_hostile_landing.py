"""A landing zone that works against the loader: names that look like patterns, links out
of the zone, things that are not files, folders that are not days, whitespace lines, and
values of the wrong type. Nothing is lost in silence, nothing outside the zone is read, and
a wrong type is a quarantined record that names its field, not a failed build later."""

from __future__ import annotations

import json
import os

import pytest

from orchestration.ingest.discovery import unexpected_entries
from orchestration.ingest.feeds import FEEDS_BY_NAME
from orchestration.ingest.load import load_feed
from tests.orchestration.ingest.test_load import DAY, event, make_zone, write

UPLOAD = {
    "notification_type": "upload",
    "asset_id": "a1",
    "public_id": "p1",
    "resource_type": "image",
    "bytes": 10,
    "timestamp": "2024-05-01T10:00:00Z",
}


def load(con, zone, feed: str):
    return load_feed(con, FEEDS_BY_NAME[feed], zone, [DAY])


def quarantine(con) -> list[tuple]:
    return con.execute(
        "select source_file, line_number, reason from raw.quarantine order by all"
    ).fetchall()


def test_a_name_that_looks_like_a_pattern_is_read_as_its_name(con, tmp_path):
    zone = make_zone(tmp_path / "zone")
    write(zone, f"dam_events/{DAY}/part-000.jsonl", event(id="plain") + "\n")
    write(zone, f"dam_events/{DAY}/part-00[0].jsonl", event(id="brackets") + "\n")
    write(zone, f"dam_events/{DAY}/p*rt.jsonl", event(id="star") + "\n")
    report = load(con, zone, "dam_events")
    loaded = con.execute("select source_file, event_id from raw.dam_events order by 1").fetchall()
    assert loaded == [
        (f"dam_events/{DAY}/p*rt.jsonl", "star"),
        (f"dam_events/{DAY}/part-000.jsonl", "plain"),
        (f"dam_events/{DAY}/part-00[0].jsonl", "brackets"),
    ]
    assert (report.records, report.quarantined) == (3, 0)


def test_a_snapshot_named_like_a_pattern_is_read_as_its_name(con, tmp_path):
    zone = make_zone(tmp_path / "zone")
    good = {"transformations": {"usage": 1, "limit": 10}}
    write(zone, f"usage/acme[1]/{DAY}.json", json.dumps(good))
    write(zone, f"usage/acme1/{DAY}.json", json.dumps({"requests": 7}))
    load(con, zone, "usage")
    found = con.execute("select cloud_name, payload from raw.usage order by 1").fetchall()
    assert [(c, json.loads(p)) for c, p in found] == [
        ("acme1", {"requests": 7}),
        ("acme[1]", good),
    ]


def test_links_are_quarantined_and_never_followed(con, tmp_path):
    zone = make_zone(tmp_path / "zone")
    outside = tmp_path / "outside"
    write(outside, "secret.jsonl", event(id="from-outside") + "\n")
    write(outside, "day/events.jsonl", event(id="from-a-linked-day") + "\n")
    write(zone, f"dam_events/{DAY}/good.jsonl", event(id="inside") + "\n")
    os.symlink(outside / "secret.jsonl", zone / f"dam_events/{DAY}/linked.jsonl")
    other_day = "2024-05-02"
    os.symlink(outside / "day", zone / f"dam_events/{other_day}")
    load(con, zone, "dam_events")
    from datetime import date

    load_feed(con, FEEDS_BY_NAME["dam_events"], zone, [date(2024, 5, 2)])
    ids = [row[0] for row in con.execute("select event_id from raw.dam_events").fetchall()]
    assert ids == ["inside"]
    assert quarantine(con) == [
        (f"dam_events/{DAY}/linked.jsonl", None, "symbolic link: not followed"),
        (f"dam_events/{other_day}", None, "symbolic link: not followed"),
    ]
    texts = con.execute("select raw_text from raw.quarantine").fetchall()
    assert texts == [(None,), (None,)]  # nothing of the targets is kept


def test_a_fifo_is_not_opened(con, tmp_path):
    zone = make_zone(tmp_path / "zone")
    (zone / f"dam_events/{DAY}").mkdir(parents=True)
    os.mkfifo(zone / f"dam_events/{DAY}/pipe.jsonl")  # opening it would block the load
    load(con, zone, "dam_events")
    assert quarantine(con) == [(f"dam_events/{DAY}/pipe.jsonl", None, "not a regular file")]


def test_whitespace_lines_are_not_records(con, tmp_path):
    zone = make_zone(tmp_path / "zone")
    write(zone, f"dam_events/{DAY}/a.jsonl", "\t\n" + event() + "\n \r\n\t \n")
    report = load(con, zone, "dam_events")
    assert (report.records, report.quarantined) == (1, 0)


def test_entries_that_are_not_days_are_listed(tmp_path):
    zone = make_zone(tmp_path / "zone")
    write(zone, f"dam_events/{DAY}/a.jsonl", "")
    write(zone, f"dam_events/{DAY}/notes.txt", "")
    write(zone, "dam_events/2024-13-01/a.jsonl", "")
    write(zone, "dam_events/backup/a.jsonl", "")
    write(zone, f"users/{DAY}.json", "{}")
    write(zone, "users/latest.json", "{}")
    write(zone, f"notifications/acme/{DAY}/a.jsonl", "")
    write(zone, "notifications/acme/May/a.jsonl", "")
    write(zone, "notifications/README", "")
    assert unexpected_entries(FEEDS_BY_NAME["dam_events"], zone) == [
        "dam_events/2024-05-01/notes.txt",
        "dam_events/2024-13-01",
        "dam_events/backup",
    ]
    assert unexpected_entries(FEEDS_BY_NAME["users"], zone) == ["users/latest.json"]
    assert unexpected_entries(FEEDS_BY_NAME["notifications"], zone) == [
        "notifications/README",
        "notifications/acme/May",
    ]


NOTIFICATION_TYPE_CASES = [
    ({"bytes": "abc"}, 'bytes must be an integer >= 0, got "abc"'),
    ({"bytes": -5}, "bytes must be an integer >= 0, got -5"),
    ({"bytes": 1.5}, "bytes must be an integer >= 0, got 1.5"),
    ({"bytes": 10**30}, "bytes must be an integer >= 0, got 1" + "0" * 30),
    ({"bytes": 2**63}, "bytes must be an integer >= 0, got 9223372036854775808"),
    ({"public_id": 7}, "public_id must be a string, got 7"),
    ({"format": ["jpg"]}, 'format must be a string, got ["jpg"]'),
    (
        {"notification_context": {"triggered_by": {"source": 1}}},
        "notification_context.triggered_by.source must be a string, got 1",
    ),
    ({"bytes": 0}, None),
    ({"bytes": None}, None),
    ({"bytes": ...}, None),
]


@pytest.mark.parametrize(("changes", "reason"), NOTIFICATION_TYPE_CASES)
def test_notification_fields_are_type_checked(con, tmp_path, changes, reason):
    doc = {**UPLOAD, **changes}
    doc = {k: v for k, v in doc.items() if v is not ...}
    zone = make_zone(tmp_path / "zone")
    write(zone, f"notifications/acme/{DAY}/a.jsonl", json.dumps(doc) + "\n")
    load(con, zone, "notifications")
    found = [r for _, _, r in quarantine(con)]
    assert found == ([reason] if reason else [])


EVENT_TYPE_CASES = [
    ({"cloud_name": 5}, "cloud_name must be a string, got 5"),
    ({"actor": {"type": ["user"], "id": "u1"}}, 'actor.type must be a string, got ["user"]'),
    (
        {"target": {"type": "asset", "id": {"a": 1}}},
        'target.id must be a string or an integer, got {"a":1}',
    ),
    ({"actor": {"type": "user", "id": 42}}, None),
]


@pytest.mark.parametrize(("changes", "reason"), EVENT_TYPE_CASES)
def test_dam_event_fields_are_type_checked(con, tmp_path, changes, reason):
    zone = make_zone(tmp_path / "zone")
    write(zone, f"dam_events/{DAY}/a.jsonl", event(**changes) + "\n")
    load(con, zone, "dam_events")
    assert [r for _, _, r in quarantine(con)] == ([reason] if reason else [])


def user(**changes) -> dict:
    doc = {"id": "u1", "email": "a@x.example", "role": "admin", "enabled": True}
    return {**doc, **changes}


USERS_TYPE_CASES = [
    ([user(role=None)], "users[].role must be a non-empty string, got nothing"),
    (
        [{"id": "u1", "email": "a@x.example"}],
        "users[].role must be a non-empty string, got nothing",
    ),
    ([user(role=3)], "users[].role must be a non-empty string, got 3"),
    (
        [user(), user(email="b@x.example")],
        "users[].id: a user id is listed twice in the snapshot",
    ),
    (
        [user(), user(id="u2", email="A@X.example")],
        "users[].email: an e-mail is listed twice in the snapshot (compared case-insensitively)",
    ),
    ([user(enabled="yes")], 'users[].enabled must be true or false, got "yes"'),
    (
        [user(last_login="yesterday")],
        'users[].last_login must be an ISO 8601 time, got "yesterday"',
    ),
    ([user(id=17)], "users[].id must be a non-empty string, got 17"),
    ([user(), user(id="u2", email=None)], None),
]


@pytest.mark.parametrize(("users", "reason"), USERS_TYPE_CASES)
def test_a_users_snapshot_with_a_bad_user_is_quarantined_whole(con, tmp_path, users, reason):
    zone = make_zone(tmp_path / "zone")
    write(zone, f"users/{DAY}.json", json.dumps({"users": users}))
    load(con, zone, "users")
    assert [r for _, _, r in quarantine(con)] == ([reason] if reason else [])
    assert con.execute("select count(*) from raw.users").fetchone() == (0 if reason else 1,)


USAGE_TYPE_CASES = [
    ({"storage": {"usage": "12 GB"}}, 'storage.usage must be a number, got "12 GB"'),
    ({"objects": {"usage": 2.5}}, "objects.usage must be an integer >= 0, got 2.5"),
    ({"requests": -1}, "requests must be an integer >= 0, got -1"),
    ({"last_updated": "soon"}, 'last_updated must be a date, got "soon"'),
    (
        {"adv_ocr": {"usage": "many", "limit": 5}},
        "add-on usage and limit must be numbers: adv_ocr",
    ),
    ({"adv_ocr": {"usage": 3, "limit": 5}, "storage": {"usage": 1.5e9}}, None),
]


@pytest.mark.parametrize(("report", "reason"), USAGE_TYPE_CASES)
def test_usage_reports_are_type_checked(con, tmp_path, report, reason):
    zone = make_zone(tmp_path / "zone")
    write(zone, f"usage/acme/{DAY}.json", json.dumps(report))
    load(con, zone, "usage")
    assert [r for _, _, r in quarantine(con)] == ([reason] if reason else [])


ACCOUNT_TYPE_CASES = [
    (
        {"features": {"activity_reports": "yes"}},
        'features.activity_reports must be true or false, got "yes"',
    ),
    (
        {"product_environments": [{"cloud_name": "acme", "tracking_enabled": 1}]},
        "product_environments[].tracking_enabled must be true or false, got 1",
    ),
    (
        {"product_environments": [{"cloud_name": 12}]},
        "product_environments[].cloud_name must be a non-empty string, got 12",
    ),
]


@pytest.mark.parametrize(("changes", "reason"), ACCOUNT_TYPE_CASES)
def test_account_snapshots_are_type_checked(con, tmp_path, changes, reason):
    doc = {"account_id": "acc", "plan": "plus", "product_environments": [{"cloud_name": "acme"}]}
    zone = make_zone(tmp_path / "zone")
    write(zone, f"account/{DAY}.json", json.dumps({**doc, **changes}))
    load(con, zone, "account")
    assert [r for _, _, r in quarantine(con)] == [reason]
