"""A landing zone small enough to check by eye, loaded one arrival day at a time, as the
daily schedule does: redelivered and late records, zero-view collections, who may look."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.dbt.project import DBT_PROJECT_DIR, dbt_executable
from tests.conftest import load_and_build, run_cli, table_rows, table_rows_sql, warehouse_rows

ENV = "acme"
ADMIN = {"id": "u-admin", "email": "ada@acme.example", "role": "master_admin"}
EDITOR = {"id": "u-edit", "email": "eve@acme.example", "role": "media_library_user"}


def user(person: dict) -> dict:
    return {
        **person,
        "name": person["email"].split("@")[0],
        "enabled": True,
        "pending": False,
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-01T00:00:00Z",
        "last_login": None,
        "sub_account_ids": [],
    }


def upload(asset: str, kind: str, at: str, source: str) -> dict:
    trigger = {"source": source, "id": EDITOR["id"] if source == "ui" else "key-1"}
    return {
        "notification_type": "upload", "asset_id": asset, "public_id": f"p/{asset}",
        "resource_type": kind, "type": "upload", "bytes": 100, "created_at": at,
        "timestamp": at, "notification_context": {"triggered_at": at, "triggered_by": trigger},
    }  # fmt: skip


def event(event_id: str, at: str, action: str, target: str, **details) -> dict:
    return {
        "id": event_id, "occurred_at": at, "cloud_name": ENV,
        "actor": {"type": "user", "id": EDITOR["id"]}, "action": action,
        "target": {"type": "collection", "id": target}, "details": details,
    }  # fmt: skip


DAY1 = "2024-05-01T10:00:00Z"
FILES = {
    # Day 1: three uploads (two API images, one user video), one of them delivered twice.
    f"notifications/{ENV}/2024-05-01/a.jsonl": [
        upload("a1", "image", DAY1, "api"),
        upload("a2", "image", DAY1, "api"),
        upload("a3", "video", DAY1, "ui"),
        upload("a1", "image", DAY1, "api"),
    ],
    # Day 3 brings a day-1 upload that arrived late.
    f"notifications/{ENV}/2024-05-03/a.jsonl": [upload("a4", "raw", DAY1, "ui")],
    "dam_events/2024-05-01/e.jsonl": [
        event("e1", "2024-05-01T09:00:00Z", "collection.created", "c1"),
        event("e2", "2024-05-01T09:01:00Z", "collection.published", "c1"),
        event("e3", "2024-05-01T09:02:00Z", "collection.created", "c2"),
        event("e4", "2024-05-01T09:03:00Z", "collection.published", "c2"),
        event("e5", "2024-05-01T11:00:00Z", "collection.opened", "c1", view_id="v1"),
        event("e6", "2024-05-01T11:30:00Z", "collection.closed", "c1", view_id="v1"),
        event("e7", "2024-05-01T12:00:00Z", "collection.opened", "c1", view_id="v2"),
    ],
    # Day 2: the first open delivered again, by id and under another id with its view_id.
    "dam_events/2024-05-02/e.jsonl": [
        event("e5", "2024-05-01T11:00:00Z", "collection.opened", "c1", view_id="v1"),
        event("e8", "2024-05-01T11:00:00Z", "collection.opened", "c1", view_id="v1"),
        event(
            "e9", "2024-05-02T08:00:00Z", "collection.assets_added", "c1", asset_ids=["a1", "a2"]
        ),
    ],
    "dam_events/2024-05-03/e.jsonl": [],
}


@pytest.fixture(scope="module")
def zone(tmp_path_factory):
    root = tmp_path_factory.mktemp("hand")
    for relative, docs in FILES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(d) + "\n" for d in docs))
    for day in ("2024-05-01", "2024-05-02", "2024-05-03"):
        for feed, doc in (
            ("account", {"account_id": "acc", "plan": "enterprise",
                         "features": {"activity_reports": True},
                         "product_environments": [{"id": "pe1", "cloud_name": ENV, "name": "A",
                                                   "enabled": True, "created_at": DAY1,
                                                   "tracking_enabled": True}]}),
            ("users", {"users": [user(ADMIN), user(EDITOR)], "user_groups": []}),
        ):  # fmt: skip
            (root / feed).mkdir(exist_ok=True)
            (root / feed / f"{day}.json").write_text(json.dumps(doc))
        (root / "usage" / ENV).mkdir(parents=True, exist_ok=True)
        (root / "usage" / ENV / f"{day}.json").write_text(json.dumps({"objects": {"usage": 1}}))
    return root


@pytest.fixture(scope="module")
def daily(zone, tmp_path_factory):
    """Loaded by `dam-usage run`, one arrival day per run, as the schedule does; returns the
    data folder, with the serving file."""
    data = tmp_path_factory.mktemp("daily")
    for day in ("2024-05-01", "2024-05-02", "2024-05-03"):
        result = run_cli("run", "--start", day, "--end", day, data=data, landing=zone)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return data


def load_days(data: Path, zone: Path, days) -> None:
    """Each arrival day loaded and built in the order given, as the daily runs load them."""
    for day in days:
        load_and_build(data, zone, date.fromisoformat(day), date.fromisoformat(day))


def built_whole(zone: Path, data: Path) -> Path:
    """The whole zone loaded and built in one go, from scratch: what the daily runs must
    equal."""
    load_and_build(data, zone)
    return data


def query(data, sql, *params):
    with duckdb.connect(str(data / "serving" / "marts.duckdb"), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_uploads_by_source_and_type_with_the_late_one(daily):
    found = query(
        daily,
        "select upload_source, asset_type, uploads from mart_uploads_daily "
        "where calendar_date = ? and uploads > 0 order by all",
        date(2024, 5, 1),
    )
    assert found == [("api", "image", 2), ("user", "raw", 1), ("user", "video", 1)]


def test_a_redelivered_open_is_one_view(daily):
    found = query(daily, "select collection_id, views from mart_collection_views_daily")
    assert found == [("c1", 2)]


def test_download_lists_published_collections_with_zero_views(daily):
    found = query(
        daily,
        "select collection_id, views from published_collections_by_views(?, ?)",
        date(2024, 5, 1),
        date(2024, 5, 3),
    )
    assert found == [("c1", 2), ("c2", 0)]


def test_assets_in_collections_as_of_each_day(daily):
    found = query(
        daily,
        "select calendar_date, collections, assets_in_collections, published_collections "
        "from mart_collections_daily order by calendar_date",
    )
    assert found == [
        (date(2024, 5, 1), 2, 0, 2),
        (date(2024, 5, 2), 2, 2, 2),
        (date(2024, 5, 3), 2, 2, 2),
    ]


def test_the_incremental_path_equals_a_full_refresh(daily, zone, tmp_path):
    result = run_cli("run", "--full-refresh", data=tmp_path, landing=zone)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with duckdb.connect(str(tmp_path / "serving" / "marts.duckdb"), read_only=True) as full:
        tables = [t for (t,) in full.execute("select table_name from duckdb_tables()").fetchall()]
        assert "mart_uploads_daily" in tables
        for table in tables:
            expected = full.execute(table_rows_sql(table)).fetchall()
            assert query(daily, table_rows_sql(table)) == expected, table


def test_days_backfilled_out_of_order_keep_the_first_delivery(zone, tmp_path):
    # The redelivery is loaded before the original.
    load_days(tmp_path, zone, ("2024-05-02", "2024-05-01"))
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        stored = con.execute(
            "select activity_id, arrival_date, source_file from intermediate.int_activity_unioned "
            "where activity_id = 'e5'"
        ).fetchall()
    assert stored == [("e5", date(2024, 5, 1), "dam_events/2024-05-01/e.jsonl")]


def test_a_day_loaded_again_without_some_records_drops_them(zone, tmp_path):
    """Day 1's files lose e5 (delivered again on day 2), e7 (day 1 only), a3's upload (day 1
    only) and all of collection c2's events (e3, e4), and day 1 is loaded again: e5 now
    counts from its day-2 copy, e7, a3 and c2 not at all, as a build from scratch of the
    changed zone has it."""
    changed = tmp_path / "zone"
    shutil.copytree(zone, changed)
    daily = tmp_path / "daily"
    load_days(daily, changed, ("2024-05-01", "2024-05-02", "2024-05-03"))
    c2_rows = (
        "select count(*) from intermediate.int_container_state_intervals where container_id = 'c2'"
    )
    assert warehouse_rows(daily, c2_rows) == [(2,)]  # it existed and was published
    dropped = ("e3", "e4", "e5", "e7")
    drop_lines(changed / "dam_events/2024-05-01/e.jsonl", lambda doc: doc["id"] in dropped)
    drop_lines(
        changed / f"notifications/{ENV}/2024-05-01/a.jsonl", lambda doc: doc["asset_id"] == "a3"
    )
    load_days(daily, changed, ("2024-05-01",))
    whole = built_whole(changed, tmp_path / "whole")

    stored = warehouse_rows(
        daily, "select activity_id, arrival_date from intermediate.int_activity_unioned "
        "where activity_id in ('e5', 'e7') or target_id = 'a3'"
    )  # fmt: skip
    assert stored == [("e5", date(2024, 5, 2))]
    assert warehouse_rows(daily, c2_rows) == [(0,)]
    for relation in ("staging.stg_dam__events", "staging.stg_dam__notifications",
                     "staging.stg_dam__notification_assets", "intermediate.int_activity_unioned",
                     "intermediate.int_container_events",
                     "intermediate.int_container_state_intervals",
                     "intermediate.int_container_daily_counts", "core.dim_assets",
                     "marts.mart_collections_daily", "marts.mart_collection_views_daily",
                     "marts.mart_collection_publications",
                     "marts.mart_uploads_daily", "marts.mart_user_actions_daily",
                     "marts.mart_scope_actions_daily",
                     "marts.mart_active_users_daily"):  # fmt: skip
        assert table_rows(daily, relation) == table_rows(whole, relation), relation


def deletion(asset: str, at: str) -> dict:
    trigger = {"source": "api", "id": "key-1"}
    resource = {"asset_id": asset, "public_id": f"p/{asset}", "resource_type": "image"}
    return {
        "notification_type": "delete", "resources": [resource], "timestamp": at,
        "notification_context": {"triggered_at": at, "triggered_by": trigger},
    }  # fmt: skip


def test_a_deletion_reloaded_away_no_longer_ends_its_asset(zone, tmp_path):
    """a1 is deleted on day 2; a2 on day 2 at noon, and on day 3 comes a late deletion of a2
    from that morning, which ends a2 earlier. Days 2 and 3 are then loaded again without
    a1's and the morning's deletion: a1 exists again and a2 ends at noon, as a build from
    scratch of the changed zone has it."""
    changed = tmp_path / "zone"
    shutil.copytree(zone, changed)
    day2, day3 = (
        changed / f"notifications/{ENV}/{day}/d.jsonl" for day in ("2024-05-02", "2024-05-03")
    )
    day2.parent.mkdir(parents=True, exist_ok=True)
    day2.write_text(
        "".join(
            json.dumps(doc) + "\n"
            for doc in (
                deletion("a1", "2024-05-02T09:00:00Z"),
                deletion("a2", "2024-05-02T12:00:00Z"),
            )
        )
    )
    day3.write_text(json.dumps(deletion("a2", "2024-05-02T08:00:00Z")) + "\n")
    daily = tmp_path / "daily"
    load_days(daily, changed, ("2024-05-01", "2024-05-02", "2024-05-03"))
    assets = (
        "select asset_id, deleted_at from core.dim_assets where asset_id in ('a1', 'a2') order by 1"
    )
    assert [(asset, str(at)) for asset, at in warehouse_rows(daily, assets)] == [
        ("a1", "2024-05-02 09:00:00"),
        ("a2", "2024-05-02 08:00:00"),
    ]
    drop_lines(day2, lambda doc: doc["resources"][0]["asset_id"] == "a1")
    drop_lines(day3, lambda doc: True)
    load_days(daily, changed, ("2024-05-02", "2024-05-03"))
    whole = built_whole(changed, tmp_path / "whole")

    assert [(asset, str(at)) for asset, at in warehouse_rows(daily, assets)] == [
        ("a1", "None"),
        ("a2", "2024-05-02 12:00:00"),
    ]
    for relation in ("core.dim_assets", "marts.mart_assets_daily"):
        assert table_rows(daily, relation) == table_rows(whole, relation), relation


def loaded_with_late_events(zone, tmp_path, *late):
    """A copy of the zone whose day 3 brings the late events given, loaded day by day:
    (the changed zone, day 3's event file, the daily runs' data folder)."""
    changed = tmp_path / "zone"
    shutil.copytree(zone, changed)
    day3 = changed / "dam_events/2024-05-03/e.jsonl"
    day3.write_text("".join(json.dumps(doc) + "\n" for doc in late))
    daily = tmp_path / "daily"
    load_days(daily, changed, ("2024-05-01", "2024-05-02", "2024-05-03"))
    return changed, day3, daily


def test_late_events_that_undo_a_state_drop_it_from_the_counts(zone, tmp_path):
    """Day 3 brings two late events: a1 taken out of c1 half an hour after day 2 put it in
    (an empty stay), and a deletion of c2 from before its creation (so it never existed).
    Both leave a subject with no interval at all, and the counts lose it. Day 3 loaded again
    without them gives both back, as a build from scratch of the changed zone has it."""
    changed, day3, daily = loaded_with_late_events(
        zone,
        tmp_path,
        event("e10", "2024-05-02T08:30:00Z", "collection.assets_removed", "c1", asset_ids=["a1"]),
        event("e11", "2024-05-01T08:00:00Z", "collection.deleted", "c2"),
    )
    counts = (
        "select metric, calendar_date, subjects from intermediate.int_container_daily_counts "
        "where container_type = 'collection' and metric in ('containers', 'assets_in_containers')"
        " order by 1, 2"
    )
    by_day = [
        ("assets_in_containers", date(2024, 5, 1)), ("assets_in_containers", date(2024, 5, 2)),
        ("assets_in_containers", date(2024, 5, 3)), ("containers", date(2024, 5, 1)),
        ("containers", date(2024, 5, 2)), ("containers", date(2024, 5, 3)),
    ]  # fmt: skip
    assert warehouse_rows(daily, counts) == [
        (*day, subjects) for day, subjects in zip(by_day, (0, 1, 1, 1, 1, 1), strict=True)
    ]
    drop_lines(day3, lambda doc: True)
    load_days(daily, changed, ("2024-05-03",))
    whole = built_whole(changed, tmp_path / "whole")

    assert warehouse_rows(daily, counts) == [
        (*day, subjects) for day, subjects in zip(by_day, (0, 2, 2, 2, 2, 2), strict=True)
    ]
    for relation in (
        "intermediate.int_container_subject_islands",
        "intermediate.int_container_daily_counts",
        "marts.mart_collections_daily",
        "marts.mart_collection_publications",
    ):
        assert table_rows(daily, relation) == table_rows(whole, relation), relation


def test_a_late_open_moves_its_view_to_an_earlier_day(zone, tmp_path):
    """Day 3 brings an open of view v2 from 2024-04-30, the day before v2's first open: the
    view counts on 2024-04-30, no longer on 2024-05-01. Day 3 loaded again without it
    gives the view back to 2024-05-01, as a build from scratch of the changed zone has it."""
    late = event("e13", "2024-04-30T10:00:00Z", "collection.opened", "c1", view_id="v2")
    changed, day3, daily = loaded_with_late_events(zone, tmp_path, late)
    views = (
        "select view_date, views from marts.mart_collection_views_daily"
        " where collection_id = 'c1' order by 1"
    )
    assert warehouse_rows(daily, views) == [(date(2024, 4, 30), 1), (date(2024, 5, 1), 1)]
    drop_lines(day3, lambda doc: True)
    load_days(daily, changed, ("2024-05-03",))
    whole = built_whole(changed, tmp_path / "whole")

    assert warehouse_rows(daily, views) == [(date(2024, 5, 1), 2)]
    relation = "marts.mart_collection_views_daily"
    assert table_rows(daily, relation) == table_rows(whole, relation)


def test_a_day_whose_only_action_is_reloaded_away_loses_its_rows(zone, tmp_path):
    """Day 3 brings a late open from 2024-04-28, a day with no other activity: the user and
    scope actions gain that day. Day 3 loaded again without it leaves the day with no
    action, and the marts recomputed by day with no row for it, as a build from scratch
    of the changed zone has it."""
    late = event("e12", "2024-04-28T10:00:00Z", "collection.opened", "c1", view_id="v9")
    changed, day3, daily = loaded_with_late_events(zone, tmp_path, late)
    early = (
        "select 'user', user_id, actions from marts.mart_user_actions_daily"
        " where activity_date = '2024-04-28'"
        " union all select 'scope', activity_scope, actions from marts.mart_scope_actions_daily"
        " where activity_date = '2024-04-28' order by 1"
    )
    assert warehouse_rows(daily, early) == [("scope", ENV, 1), ("user", EDITOR["id"], 1)]
    drop_lines(day3, lambda doc: True)
    load_days(daily, changed, ("2024-05-03",))
    whole = built_whole(changed, tmp_path / "whole")

    assert warehouse_rows(daily, early) == []
    for relation in (
        "marts.mart_user_actions_daily",
        "marts.mart_scope_actions_daily",
        "marts.mart_active_users_daily",
        "marts.mart_collection_views_daily",
    ):
        assert table_rows(daily, relation) == table_rows(whole, relation), relation


def drop_lines(path, unwanted) -> None:
    kept = [line for line in path.read_text().splitlines() if not unwanted(json.loads(line))]
    path.write_text("".join(line + "\n" for line in kept))


def test_only_enabled_master_admins_see_the_dashboard(daily, zone):
    allowed = run_cli("dashboard", "--viewer", ADMIN["email"], data=daily, landing=zone)
    assert allowed.returncode == 0, allowed.stderr
    assert "Assets by type" in allowed.stdout
    refused = run_cli("dashboard", "--viewer", EDITOR["email"], data=daily, landing=zone)
    assert refused.returncode == 2
    assert "master admins only" in refused.stderr
    stranger = run_cli("download", "collections", "--viewer", "x@y.z", "--first", "2024-05-01",
                       "--last", "2024-05-03", data=daily, landing=zone)  # fmt: skip
    assert stranger.returncode == 2
    assert "not a user of this account" in stranger.stderr


def failing_checks(warehouse, tmp_path, model: str, first: str, end: str) -> set[str]:
    """The data tests of `model` that fail, run alone on `warehouse` for the arrival
    window [first, end)."""
    target = tmp_path / "target"
    window = json.dumps({"min_arrival_date": first, "max_arrival_date": end})
    subprocess.run(
        [dbt_executable(), "test", "--select", model, "--vars", window,
         "--target-path", str(target), "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR)],
        env={**os.environ, "DAM_WAREHOUSE_PATH": str(warehouse),
             "DAM_DUCKDB_TEMP_DIR": str(tmp_path / "spill")},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    results = json.loads((target / "run_results.json").read_text())["results"]
    assert {r["status"] for r in results} <= {"pass", "fail"}, results
    return {r["unique_id"].split(".")[2] for r in results if r["status"] == "fail"}


def test_a_window_key_repeating_a_stored_one_fails_its_check(daily, tmp_path):
    """An increment checks its keys against the whole table without grouping all of it: a
    window row that repeats a stored key fails, a repeat among older rows is left to a run
    whose window holds them (a first build checks everything)."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(daily / "warehouse.duckdb", warehouse)

    def failing(first: str, end: str) -> set[str]:
        return failing_checks(warehouse, tmp_path, "int_activity_unioned", first, end)

    key_check = "unique_from_window_int_activity_unioned_activity_id__record_hash"
    assert failing("2024-05-03", "2024-05-04") == set()
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "insert into intermediate.int_activity_unioned select * from "
            "intermediate.int_activity_unioned where activity_id = 'e1'"
        )
    assert failing("2024-05-03", "2024-05-04") == set()
    assert failing("2024-05-01", "2024-05-04") == {key_check}
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "insert into intermediate.int_activity_unioned select * replace "
            "(date '2024-05-03' as arrival_date) from intermediate.int_activity_unioned "
            "where activity_id = 'e2' limit 1"
        )
    assert failing("2024-05-03", "2024-05-04") == {key_check}


def test_a_repeated_view_fails_its_check_when_its_collection_was_touched(daily, tmp_path):
    """A collection-keyed mart checks the rows of the collections the run replaced (its
    container list), without grouping the whole mart."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(daily / "warehouse.duckdb", warehouse)
    views = "mart_collection_views_daily"
    key_check = (
        "unique_from_touched_collections_mart_collection_views_daily_view_date__cloud_name"
        "__collection_id"
    )

    def touch_only(*collections: str) -> set[str]:
        with duckdb.connect(str(warehouse)) as con:
            con.execute("delete from run_state.int_containers_touched")
            for collection in collections:
                con.execute(
                    "insert into run_state.int_containers_touched values (?, 'collection', ?)",
                    [ENV, collection],
                )
        return failing_checks(warehouse, tmp_path, views, "2024-05-03", "2024-05-04")

    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            f"insert into marts.{views} select view_date, cloud_name, 'c9', views"
            f" from marts.{views} union all select view_date, cloud_name, 'c9', views"
            f" from marts.{views}"
        )
    assert touch_only("c1") == set()
    assert touch_only("c1", "c9") == {key_check}
