"""Ingest of landing files into raw tables: counts against an independent parse of the
files, idempotency, redelivery, and each kind of bad input."""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pytest

from orchestration.ingest.feeds import FEEDS, FEEDS_BY_NAME
from orchestration.ingest.load import LandingFile, LandingZoneMissing, batches, load_feed
from tests.conftest import accepts, parse_utc, small_days, zone_lines

DAY = date(2024, 5, 1)


def load_all(con, zone, days):
    return {feed.name: load_feed(con, feed, zone, days) for feed in FEEDS}


def table(con, name: str) -> list[tuple]:
    return con.execute(f"select * from {name} order by all").fetchall()


def test_generated_zone_loads_every_good_record(con, small_zone):
    reports = load_all(con, small_zone, small_days())
    for feed in ("notifications", "dam_events"):
        lines = list(zone_lines(small_zone, feed))
        good = {(f, n) for f, n, text in lines if accepts(feed, text)}
        bad = {(f, n) for f, n, text in lines if not accepts(feed, text)}
        loaded = set(con.execute(f"select source_file, line_number from raw.{feed}").fetchall())
        quarantined = con.execute(
            "select source_file, line_number, reason from raw.quarantine where feed = ?", [feed]
        ).fetchall()
        assert loaded == good
        assert {(f, n) for f, n, _ in quarantined} == bad
        assert all(reason for _, _, reason in quarantined)
        assert reports[feed].loaded == len(good)
        assert reports[feed].quarantined == len(bad)
    for feed in ("account", "users", "usage"):
        files = list((small_zone / feed).rglob("*.json"))
        (rows,) = con.execute(f"select count(*) from raw.{feed}").fetchone()
        assert rows == len(files)


def test_payload_and_parsed_columns_match_the_file(con, small_zone):
    load_all(con, small_zone, small_days())
    rows = con.execute(
        "select source_file, line_number, event_id, occurred_at, action, cloud_name, payload "
        "from raw.dam_events"
    ).fetchall()
    lines = {(f, n): text for f, n, text in zone_lines(small_zone, "dam_events")}
    for source_file, line_number, event_id, occurred_at, action, cloud_name, payload in rows:
        assert payload == lines[(source_file, line_number)]
        doc = json.loads(payload)
        assert (event_id, action, cloud_name) == (doc["id"], doc["action"], doc["cloud_name"])
        assert occurred_at == parse_utc(doc["occurred_at"])


def test_reloading_a_day_replaces_it(con, small_zone):
    days = small_days()
    load_all(con, small_zone, days)
    before = {t: table(con, t) for t in ("raw.notifications", "raw.dam_events", "raw.quarantine")}
    load_all(con, small_zone, days[2:4])
    load_all(con, small_zone, days)
    after = {t: table(con, t) for t in before}
    assert after == before


def test_redelivered_events_are_visible_by_id_and_hash(con, small_zone):
    load_all(con, small_zone, small_days())
    expected = {}
    for _, _, text in zone_lines(small_zone, "dam_events"):
        if accepts("dam_events", text):
            event_id = json.loads(text)["id"]
            expected[event_id] = expected.get(event_id, 0) + 1
    duplicated = dict(
        con.execute(
            "select event_id, count(*) from raw.dam_events group by 1 having count(*) > 1"
        ).fetchall()
    )
    assert duplicated == {k: v for k, v in expected.items() if v > 1}
    assert duplicated
    (copies,) = con.execute(
        "select count(*) - count(distinct (cloud_name, payload_hash)) from raw.notifications"
    ).fetchone()
    assert copies > 0


def key_hashes_wrong(con, feed: str, key: str) -> int:
    """Rows whose stored key_hash is not DuckDB's hash of the key, as read from the row."""
    (wrong,) = con.execute(
        f"select count(*) from raw.{feed} where key_hash is distinct from hash({key})"
    ).fetchone()
    return wrong


def test_each_record_stores_the_hash_of_its_key(con, small_zone):
    load_all(con, small_zone, small_days())
    stored = dict(con.execute("select event_id, key_hash from raw.dam_events").fetchall())
    lines = zone_lines(small_zone, "dam_events")
    ids = {json.loads(text)["id"] for _, _, text in lines if accepts("dam_events", text)}
    hashed = dict(
        con.execute(
            "select id, hash(id) from unnest($ids) as ids (id)", {"ids": list(ids)}
        ).fetchall()
    )
    assert stored == hashed
    assert key_hashes_wrong(con, "notifications", "cloud_name, payload_hash") == 0
    (copies,) = con.execute(
        "select count(*) - count(distinct key_hash) from raw.notifications"
    ).fetchone()
    assert copies > 0  # a redelivered notification has its first copy's hash


def test_a_raw_table_without_key_hashes_or_with_stale_ones_is_hashed_again(con, small_zone):
    days = small_days()
    load_all(con, small_zone, days[:2])
    # A table from before the column, and hashes that another DuckDB version computed.
    con.execute("alter table raw.dam_events drop column key_hash")
    con.execute("update raw.notifications set key_hash = key_hash + 1")
    load_all(con, small_zone, days[2:3])
    assert key_hashes_wrong(con, "dam_events", "event_id") == 0
    assert key_hashes_wrong(con, "notifications", "cloud_name, payload_hash") == 0
    (before,) = con.execute(
        "select count(*) from raw.dam_events where arrival_date < ?", [days[2]]
    ).fetchone()
    assert before > 0


def write(root, relative: str, content: bytes | str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode())


def make_zone(root):
    for feed in FEEDS:
        (root / feed.name).mkdir(parents=True, exist_ok=True)
    return root


EVENT = {
    "id": "e1",
    "occurred_at": "2024-05-01T10:00:00Z",
    "cloud_name": "acme",
    "actor": {"type": "user", "id": "u1"},
    "action": "collection.opened",
    "target": {"type": "collection", "id": "c1"},
    "details": {"view_id": "v1"},
}


def event(**changes) -> str:
    doc = {**EVENT, **changes}
    for key, value in changes.items():
        if value is ...:
            del doc[key]
    return json.dumps(doc)


def load_events(con, tmp_path, lines: list[str] | bytes):
    zone = make_zone(tmp_path / "zone")
    content = lines if isinstance(lines, bytes) else "\n".join(lines) + "\n"
    write(zone, f"dam_events/{DAY}/events.jsonl", content)
    report = load_feed(con, FEEDS_BY_NAME["dam_events"], zone, [DAY])
    loaded = con.execute("select line_number, event_id from raw.dam_events order by 1").fetchall()
    quarantined = con.execute(
        "select line_number, reason, raw_text from raw.quarantine order by 1"
    ).fetchall()
    return report, loaded, quarantined


# Each bad DAM event line and the quarantine reason it gets.
BAD_EVENT_LINES = [
    ('{"id": "e2", "occurred_at": "2024-05-01T1', "invalid JSON"),
    (event(id="e2", occurred_at=1714557600), "occurred_at is not a string: 1714557600"),
    (event(id="e2", occurred_at=True), "occurred_at is not a string: true"),
    (event(id="e2", occurred_at="yesterday"), "unparseable occurred_at: yesterday"),
    (event(id="e2", occurred_at=...), "missing occurred_at"),
    (event(id=...), "missing id"),
    (event(id="e2", action=...), "missing action"),
    (event(id="e2", action=""), "missing action"),
    ("[1, 2, 3]", "not a JSON object"),
    (
        event(id="e2", occurred_at="2024-05-03T00:00:00Z"),
        "occurred_at after its arrival day: 2024-05-03T00:00:00Z",
    ),
    (
        event(id="e2", occurred_at="9999-12-31T23:59:59Z"),
        "occurred_at after its arrival day: 9999-12-31T23:59:59Z",
    ),
    (
        event(id="e2", occurred_at="1969-12-31T23:59:59Z"),
        "occurred_at before 1970: 1969-12-31T23:59:59Z",
    ),
    ('{"id": "e2", "occurred_at": "2024-05-01T10:00:00Z", "action": "a\x00b"}', "invalid JSON"),
]


@pytest.mark.parametrize(("bad_line", "reason"), BAD_EVENT_LINES)
def test_each_bad_line_is_quarantined_and_the_rest_loads(con, tmp_path, bad_line, reason):
    report, loaded, quarantined = load_events(con, tmp_path, [event(), bad_line, event(id="e3")])
    assert loaded == [(1, "e1"), (3, "e3")]
    assert quarantined == [(2, reason, bad_line)]
    assert (report.loaded, report.quarantined) == (2, 1)


def test_huge_deep_and_skewed_lines_load(con, tmp_path):
    huge = event(id="e2", details={"pad": "x" * 3_000_000})
    deep = event(id="e3")[:-1] + ', "nested": ' + "[" * 5000 + "]" * 5000 + "}"
    skewed = event(id="e4", occurred_at="2024-05-02T23:59:59Z")  # a day of clock skew
    report, loaded, quarantined = load_events(con, tmp_path, [event(), huge, deep, skewed])
    assert loaded == [(1, "e1"), (2, "e2"), (3, "e3"), (4, "e4")]
    assert quarantined == [] and report.records == 4


def test_invalid_utf8_line_is_quarantined_alone(con, tmp_path):
    lines = b"\n".join([event().encode(), b'{"id": "\xff\xfe"}', event(id="e3").encode()]) + b"\n"
    _, loaded, quarantined = load_events(con, tmp_path, lines)
    assert loaded == [(1, "e1"), (3, "e3")]
    assert [(n, r) for n, r, _ in quarantined] == [(2, "not valid UTF-8")]
    assert "\\xff" in quarantined[0][2]


def test_binary_garbage_file_is_quarantined_not_fatal(con, tmp_path):
    garbage = bytes(range(256)) * 8
    report, loaded, quarantined = load_events(con, tmp_path, garbage)
    assert loaded == []
    assert quarantined and report.quarantined == len(quarantined) == report.records
    assert {r for _, r, _ in quarantined} <= {"not valid UTF-8", "invalid JSON"}


def test_empty_and_blank_lines_are_not_records(con, tmp_path):
    zone = make_zone(tmp_path / "zone")
    write(zone, f"dam_events/{DAY}/empty.jsonl", b"")
    write(
        zone, f"dam_events/{DAY}/blanks.jsonl", "\n\n" + event() + "\n   \n" + event(id="e2") + "\n"
    )
    report = load_feed(con, FEEDS_BY_NAME["dam_events"], zone, [DAY])
    rows = con.execute("select source_file, line_number, event_id from raw.dam_events order by 2")
    assert rows.fetchall() == [
        (f"dam_events/{DAY}/blanks.jsonl", 3, "e1"),
        (f"dam_events/{DAY}/blanks.jsonl", 5, "e2"),
    ]
    assert report.quarantined == 0


def test_timestamps_with_offsets_or_no_zone_are_utc(con, tmp_path):
    _, _, quarantined = load_events(
        con,
        tmp_path,
        [
            event(id="a", occurred_at="2024-05-01T10:00:00+02:00"),
            event(id="b", occurred_at="2024-05-01 10:00:00"),
            event(id="c", occurred_at="2024-04-30T23:30:00-01:00"),
        ],
    )
    assert quarantined == []
    times = dict(
        con.execute("select event_id, occurred_at::varchar from raw.dam_events").fetchall()
    )
    assert times == {
        "a": "2024-05-01 08:00:00",
        "b": "2024-05-01 10:00:00",
        "c": "2024-05-01 00:30:00",
    }


NOTIFICATION_CASES = [
    (
        {"notification_type": "upload", "timestamp": "2024-05-01T10:00:00Z"},
        "upload without asset_id or resource_type",
    ),
    (
        {"notification_type": "delete", "timestamp": "2024-05-01T10:00:00Z", "resources": [{}]},
        "delete without resources[].asset_id",
    ),
    (
        {"notification_type": "delete", "timestamp": "2024-05-01T10:00:00Z", "resources": []},
        "delete without resources[].asset_id",
    ),
    ({"notification_type": "rename"}, "missing event time"),
    ({"timestamp": "2024-05-01T10:00:00Z"}, "missing notification_type"),
    (
        {"notification_type": "rename", "timestamp": 1714557600},
        "event time is not a string: 1714557600",
    ),
    # The chosen field (triggered_at) does not parse: no silent fall-back to timestamp.
    (
        {
            "notification_type": "rename",
            "timestamp": "2024-05-01T10:00:00Z",
            "notification_context": {"triggered_at": "soon"},
        },
        "unparseable event time: soon",
    ),
]


@pytest.mark.parametrize(("doc", "reason"), NOTIFICATION_CASES)
def test_bad_notifications_are_quarantined(con, tmp_path, doc, reason):
    zone = make_zone(tmp_path / "zone")
    good = {
        "notification_type": "upload",
        "asset_id": "a1",
        "resource_type": "image",
        "timestamp": "2024-05-01T10:00:00Z",
    }
    write(
        zone, f"notifications/acme/{DAY}/n.jsonl", json.dumps(good) + "\n" + json.dumps(doc) + "\n"
    )
    load_feed(con, FEEDS_BY_NAME["notifications"], zone, [DAY])
    assert con.execute("select line_number, cloud_name from raw.notifications").fetchall() == [
        (1, "acme")
    ]
    assert con.execute("select line_number, reason from raw.quarantine").fetchall() == [(2, reason)]


def test_unknown_notification_types_and_keyed_resources_load(con, tmp_path):
    zone = make_zone(tmp_path / "zone")
    docs = [
        {"notification_type": "eager_transformation_done", "timestamp": "2024-05-01T10:00:00Z"},
        {
            "notification_type": "delete",
            "created_at": "2024-05-01T11:00:00Z",
            "resources": {"folder/x": {"asset_id": "a1"}, "folder/y": {"asset_id": "a2"}},
        },
    ]
    write(zone, f"notifications/acme/{DAY}/n.jsonl", "\n".join(json.dumps(d) for d in docs))
    report = load_feed(con, FEEDS_BY_NAME["notifications"], zone, [DAY])
    assert report.quarantined == 0
    assert con.execute(
        "select notification_type, event_at::varchar from raw.notifications order by 1"
    ).fetchall() == [
        ("delete", "2024-05-01 11:00:00"),
        ("eager_transformation_done", "2024-05-01 10:00:00"),
    ]


def test_unicode_and_sql_like_text_load_verbatim(con, tmp_path):
    zone = make_zone(tmp_path / "zone")
    user = {
        "id": "u1",
        "name": 'Seán O\'Brien "Bob"; DROP TABLE raw.users;--',
        "email": "zoë.ångström@exämple.org",
        "role": "chief_curator",
    }
    snapshot = json.dumps({"users": [user], "user_groups": []}, ensure_ascii=False, indent=2)
    write(zone, f"users/{DAY}.json", snapshot)
    load_feed(con, FEEDS_BY_NAME["users"], zone, [DAY])
    (payload,) = con.execute("select payload from raw.users").fetchone()
    assert payload == snapshot
    assert json.loads(payload)["users"][0] == user


# Each bad account snapshot file and the quarantine reason it gets.
BAD_SNAPSHOTS = [
    (b"", "empty file"),
    (b'{"account_id": ', "invalid JSON"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\xff", "not valid UTF-8"),
    (b'{"plan": "free", "product_environments": []}', "missing account_id"),
    (
        b'{"account_id": "a", "plan": "free", "product_environments": {}}',
        "product_environments is not a list",
    ),
    (
        b'{"account_id": "a", "plan": "free", "product_environments": [{"id": "x"}]}',
        "a product environment has no cloud_name",
    ),
]


# Users snapshot files and the quarantine reason each gets (None: loaded).
USER_SNAPSHOTS = [
    (b'{"users": {}}', "users is not a list"),
    (b'{"users": [{"id": "u1"}, {"name": "x"}]}', "a user has no id"),
    (b'{"users": [], "user_groups": "all"}', "user_groups is not a list"),
    (
        b'{"users": [{"id": "u1", "role": "admin"}, {"id": "u2", "role": "x"}], '
        b'"user_groups": null}',
        None,
    ),
]


@pytest.mark.parametrize(("content", "reason"), USER_SNAPSHOTS)
def test_users_snapshots_are_checked_whole(con, tmp_path, content, reason):
    zone = make_zone(tmp_path / "zone")
    write(zone, f"users/{DAY}.json", content)
    load_feed(con, FEEDS_BY_NAME["users"], zone, [DAY])
    quarantined = con.execute("select reason from raw.quarantine").fetchall()
    counts = con.execute("select user_count from raw.users").fetchall()
    if reason:
        assert (quarantined, counts) == ([(reason,)], [])
    else:
        assert (quarantined, counts) == ([], [(len(json.loads(content)["users"]),)])


@pytest.mark.parametrize(("content", "reason"), BAD_SNAPSHOTS)
def test_bad_snapshot_files_are_quarantined_whole(con, tmp_path, content, reason):
    zone = make_zone(tmp_path / "zone")
    write(zone, f"account/{DAY}.json", content)
    report = load_feed(con, FEEDS_BY_NAME["account"], zone, [DAY])
    assert con.execute("select count(*) from raw.account").fetchone() == (0,)
    assert con.execute(
        "select feed, source_file, line_number, reason from raw.quarantine"
    ).fetchall() == [("account", f"account/{DAY}.json", None, reason)]
    assert report.over_limit(0.5)[0].source_file == f"account/{DAY}.json"


def test_a_file_that_cannot_be_read_is_quarantined(con, tmp_path):
    zone = make_zone(tmp_path / "zone")
    (zone / f"dam_events/{DAY}/odd.jsonl").mkdir(parents=True)
    write(zone, f"dam_events/{DAY}/good.jsonl", event() + "\n")
    report = load_feed(con, FEEDS_BY_NAME["dam_events"], zone, [DAY])
    assert report.loaded == 1
    assert con.execute("select source_file, reason from raw.quarantine").fetchall() == [
        (f"dam_events/{DAY}/odd.jsonl", "not a regular file")
    ]


def test_a_missing_day_is_an_empty_partition(con, tmp_path):
    zone = make_zone(tmp_path / "zone")
    report = load_feed(con, FEEDS_BY_NAME["dam_events"], zone, [DAY])
    assert (report.records, report.files) == (0, [])
    assert con.execute("select count(*) from raw.dam_events").fetchone() == (0,)


def test_a_missing_landing_folder_names_the_expected_path(con, tmp_path):
    with pytest.raises(LandingZoneMissing, match=str(tmp_path / "nowhere" / "usage")):
        load_feed(con, FEEDS_BY_NAME["usage"], tmp_path / "nowhere", [DAY])


def test_batches_keep_days_whole_and_within_the_budget(tmp_path):
    days = [date(2024, 5, d) for d in range(1, 8)]
    sizes = {1: 4, 2: 4, 3: 9, 4: 1, 5: 1, 6: 1, 7: 0}  # day 3 alone exceeds the budget
    files = [
        LandingFile(tmp_path / f"{d}", f"f{d}", day, None, sizes[d], None)
        for d, day in enumerate(days, start=1)
    ]
    found = list(batches(days, files, budget=8))
    assert [[day.day for day in batch_days] for batch_days, _ in found] == [
        [1, 2], [3], [4, 5, 6, 7]
    ]  # fmt: skip
    assert [[f.source_file for f in batch_files] for _, batch_files in found] == [
        ["f1", "f2"], ["f3"], ["f4", "f5", "f6", "f7"]
    ]  # fmt: skip


def test_large_snapshot_documents_load_within_a_small_memory_limit(tmp_path):
    """Every check reads the whole document; a month of large user snapshots at once
    once needed several times its size in memory."""
    days = [date(2024, 5, d) for d in range(1, 31)]
    users = [{"id": f"u{i}", "email": f"user{i}@example.com", "role": "admin",
              "enabled": True, "name": "x" * 200} for i in range(4000)]  # fmt: skip
    (tmp_path / "users").mkdir()
    for day in days:
        doc = {"users": users, "user_groups": [{"id": "g", "users": users[:100]}]}
        (tmp_path / "users" / f"{day}.json").write_text(json.dumps(doc))
    con = duckdb.connect(config={"memory_limit": "1GB"})
    report = load_feed(con, FEEDS_BY_NAME["users"], tmp_path, days)
    assert (report.records, report.quarantined) == (30, 0)
    assert con.execute("select sum(user_count) from raw.users").fetchone()[0] == 30 * 4000
