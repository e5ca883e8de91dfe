"""A landing zone small enough to check by eye (tests/dbt_project/hand_zone.py), loaded one
arrival day at a time, as the daily schedule does: redelivered and late records, zero-view
collections, who may look. Days loaded again and late events: test_hand_built_reloads.py and
test_hand_built_late.py."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date

import duckdb
import pytest

from orchestration.dbt.project import DBT_PROJECT_DIR, dbt_executable
from tests.conftest import run_cli, table_rows_sql
from tests.dbt_project.hand_zone import (
    ADMIN,
    EDITOR,
    ENV,
    load_days,
)


@pytest.fixture(scope="module")
def daily(zone, tmp_path_factory):
    """Loaded one arrival day per run, as the schedule does; returns the serving file."""
    data = tmp_path_factory.mktemp("daily")
    load_days(data, zone, ("2024-05-01", "2024-05-02", "2024-05-03"))
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
