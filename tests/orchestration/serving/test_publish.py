"""Publishing the marts: a new file and a new Parquet set swapped into place, never a
half-built one; only complete days; and a reader that holds the old file open blocks
nothing."""

from __future__ import annotations

import struct
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import dagster as dg
import duckdb
import pytest

from orchestration.resources import Warehouse
from orchestration.serving import assets as serving_assets
from orchestration.serving import publish as publishing
from orchestration.serving.assets import ServingFile, build_publish_asset
from orchestration.settings import Settings
from tests.conftest import read_in_another_process, run_cli


def model(name: str, folder: str, columns: dict[str, str], **serving) -> dict:
    """A model's entry in dbt's manifest, as publishing reads it."""
    return {
        "resource_type": "model",
        "fqn": ["dam_usage", folder, name],
        "name": name,
        "alias": name,
        "schema": "marts" if folder == "marts" else "core",
        "description": f"The {name} table.",
        "columns": {c: {"name": c, "description": d} for c, d in columns.items()},
        "meta": {"serving": serving} if serving else {},
    }


MANIFEST = {
    "nodes": {
        "model.dam_usage.mart_x": model(
            "mart_x", "marts", {"n": "A count.", "day": "The day."}, day_column="day"
        ),
        "model.dam_usage.mart_spans": model(
            "mart_spans",
            "marts",
            {"since": "First day.", "until": "First day after."},
            day_column="since",
            open_end_column="until",
        ),
        "model.dam_usage.dim_users": model("dim_users", "core", {"user_id": "The user."}),
        "model.dam_usage.fct_hidden": model("fct_hidden", "core", {"n": "Not served."}),
    }
}


def warehouse_with_a_mart(path, rows: int) -> duckdb.DuckDBPyConnection:
    """Arrival days 2024-05-01 and 2024-05-02; mart_x has a row on 2024-05-03 too (an event
    stamped after the last arrival day), as a hugeint count."""
    con = duckdb.connect(str(path))
    for schema in ("marts", "core", "staging"):
        con.execute(f"create schema if not exists {schema}")
    con.execute(
        "create or replace table marts.mart_x as select cast(range as hugeint) as n, "
        f"date '2024-05-01' + cast(range % 3 as integer) as day from range({rows})"
    )
    con.execute(
        "create or replace table marts.mart_spans as select * from (values "
        "(date '2024-05-01', date '2024-05-02'), (date '2024-05-01', date '2024-05-03'), "
        "(date '2024-05-03', null)) as spans (since, until)"
    )
    con.execute("create or replace table core.dim_users as select 'u' as user_id")
    con.execute("create or replace table core.fct_hidden as select 1 as n")
    con.execute(
        "create or replace view staging.stg_dam__arrival_days as select * from (values "
        "('users', date '2024-05-01'), ('users', date '2024-05-02'), "
        "('dam_events', date '2024-05-02')) as arrivals (feed, arrival_date)"
    )
    return con


def publish(con, target):
    return publishing.publish(con, target, MANIFEST)


def test_publish_copies_marts_and_dimensions_only(tmp_path, monkeypatch):
    monkeypatch.setattr(publishing, "DOWNLOADS_SQL", tmp_path / "none.sql")
    (tmp_path / "none.sql").write_text("select 1;")
    con = warehouse_with_a_mart(tmp_path / "w.duckdb", 3)
    target = tmp_path / "serving" / "marts.duckdb"
    published = publish(con, target)
    assert set(published.rows) == {
        "dim_users",
        "mart_spans",
        "mart_x",
        "serving_build",
        "serving_tables",
    }
    with duckdb.connect(str(target), read_only=True) as served:
        tables = {t for (t,) in served.execute("select table_name from duckdb_tables()").fetchall()}
        assert tables == set(published.rows)
        kinds = dict(
            served.execute(
                "select column_name, data_type from duckdb_columns() where table_name = 'mart_x'"
            ).fetchall()
        )
        assert kinds == {"n": "BIGINT", "day": "DATE"}
        comments = served.execute(
            "select comment from duckdb_columns() where table_name = 'mart_x' order by all"
        ).fetchall()
        assert comments == [("A count.",), ("The day.",)]


def test_only_complete_days_are_served(tmp_path, monkeypatch):
    monkeypatch.setattr(publishing, "DOWNLOADS_SQL", tmp_path / "none.sql")
    (tmp_path / "none.sql").write_text("select 1;")
    con = warehouse_with_a_mart(tmp_path / "w.duckdb", 6)
    target = tmp_path / "marts.duckdb"
    published = publish(con, target)
    assert published.complete_through == date(2024, 5, 2)
    with duckdb.connect(str(target), read_only=True) as served:
        assert served.execute("select max(day), count(*) from mart_x").fetchone() == (
            date(2024, 5, 2),
            4,
        )
        # An interval that ends after the last day served is served as open; one that
        # starts after it is not served.
        assert served.execute("select * from mart_spans order by all").fetchall() == [
            (date(2024, 5, 1), date(2024, 5, 2)),
            (date(2024, 5, 1), None),
        ]
        assert served.execute(
            "select first_arrival_day, last_arrival_day, arrival_days, complete_through "
            "from serving_build"
        ).fetchone() == (date(2024, 5, 1), date(2024, 5, 2), 2, date(2024, 5, 2))
        assert served.execute(
            "select row_count, first_day, last_day from serving_tables where table_name = 'mart_x'"
        ).fetchone() == (4, date(2024, 5, 1), date(2024, 5, 2))


def test_an_open_day_is_served_in_part_and_is_not_complete(tmp_path, monkeypatch):
    monkeypatch.setattr(publishing, "DOWNLOADS_SQL", tmp_path / "none.sql")
    (tmp_path / "none.sql").write_text("select 1;")
    today = datetime.now(UTC).date()
    con = warehouse_with_a_mart(tmp_path / "w.duckdb", 6)
    con.execute(
        "create or replace view staging.stg_dam__arrival_days as select 'users' as feed, "
        f"unnest([date '{today}' - 1, date '{today}']) as arrival_date"
    )
    con.execute(
        "update marts.mart_x set day = $today - 2 + cast(n % 3 as integer)", {"today": today}
    )
    con.execute(
        "create or replace table core.fct_dam_activity as select * from (values "
        "(timestamp '2024-05-02 10:00'), (timestamp '2024-05-02 23:10'), "
        f"(timestamp '{today + timedelta(days=1)} 01:00')) as a (occurred_at)"
    )  # the last one is stamped after the last arrival day: loaded, not served
    published = publish(con, tmp_path / "marts.duckdb")
    assert (published.complete_through, published.partial_day) == (today - timedelta(1), today)
    with duckdb.connect(str(tmp_path / "marts.duckdb"), read_only=True) as served:
        # Today's rows are served; tomorrow's (none here) would not be.
        assert served.execute("select max(day), count(*) from mart_x").fetchone() == (today, 6)
        assert served.execute(
            "select complete_through, partial_day, data_through from serving_build"
        ).fetchone() == (today - timedelta(1), today, datetime(2024, 5, 2, 23, 10))


def test_the_parquet_set_is_swapped_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(publishing, "DOWNLOADS_SQL", tmp_path / "none.sql")
    (tmp_path / "none.sql").write_text("select 1;")
    con = warehouse_with_a_mart(tmp_path / "w.duckdb", 3)
    target = tmp_path / "serving" / "marts.duckdb"
    builds = []
    for rows in (3, 4, 5):
        con.execute(
            "create or replace table marts.mart_x as select cast(range as hugeint) as n, "
            f"date '2024-05-01' as day from range({rows})"
        )
        builds.append(publish(con, target).build_id)
    link = target.parent / "parquet"
    # The link names the newest set; the set before it stays for readers that listed it.
    assert link.resolve().name == f".parquet-{builds[-1]}"
    kept = sorted(p.name for p in target.parent.glob(".parquet-*"))
    assert kept == [f".parquet-{builds[1]}", f".parquet-{builds[2]}"]
    parquet = str(link / "mart_x.parquet")
    build = str(link / "serving_build.parquet")
    assert con.execute(f"select count(*) from '{parquet}'").fetchone() == (5,)
    assert con.execute(f"select build_id from '{build}'").fetchone() == (builds[-1],)


def test_the_served_file_has_duckdb_1_0s_storage_version(tmp_path, monkeypatch):
    monkeypatch.setattr(publishing, "DOWNLOADS_SQL", tmp_path / "none.sql")
    (tmp_path / "none.sql").write_text("select 1;")
    target = tmp_path / "marts.duckdb"
    publish(warehouse_with_a_mart(tmp_path / "w.duckdb", 3), target)
    # The file header: b"DUCK" at byte 8, then the storage version number. 64 is DuckDB
    # 1.0's, the oldest a maintained client reads (the CLI 1.5 reads 64 to 68, Node 1.4 to 67).
    header = target.read_bytes()[:20]
    assert header[8:12] == b"DUCK"
    assert struct.unpack("<Q", header[12:20]) == (64,)


def test_a_failed_publish_leaves_the_previous_file(tmp_path, monkeypatch):
    monkeypatch.setattr(publishing, "DOWNLOADS_SQL", tmp_path / "macros.sql")
    (tmp_path / "macros.sql").write_text("select 1;")
    con = warehouse_with_a_mart(tmp_path / "w.duckdb", 3)
    target = tmp_path / "marts.duckdb"
    publish(con, target)
    con.execute(
        "create or replace table marts.mart_x as "
        "select range as n, date '2024-05-01' as day from range(5)"
    )
    (tmp_path / "macros.sql").write_text("create macro broken( as table select;")
    with pytest.raises(duckdb.Error):
        publish(con, target)
    with duckdb.connect(str(target), read_only=True) as served:
        assert served.execute("select count(*) from mart_x").fetchone() == (2,)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    assert len(list(tmp_path.glob(".parquet-*"))) == 1


READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
query = "select count(*), sum(asset_count) from mart_assets_daily"
print(con.execute(query).fetchone(), flush=True)
sys.stdin.readline()
print(con.execute(query).fetchone(), flush=True)
"""


def test_a_reader_holding_the_marts_does_not_block_a_run(built, small_zone):
    serving = built["serving"]
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(serving)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        before = reader.stdout.readline().strip()
        day = date(2024, 5, 6).isoformat()
        result = run_cli(
            "run", "--start", day, "--end", day, data=built["data"], landing=small_zone
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        reader.stdin.write("\n")
        reader.stdin.flush()
        # The reader still sees the build it opened, whole.
        assert reader.stdout.readline().strip() == before
    finally:
        reader.kill()
        reader.wait()
    with duckdb.connect(str(serving), read_only=True) as fresh:
        assert (
            str(
                fresh.execute("select count(*), sum(asset_count) from mart_assets_daily").fetchone()
            )
            == before
        )  # the same data, rebuilt: a re-run changes nothing


def test_publishing_waits_for_a_reader_of_the_warehouse(tmp_path, monkeypatch):
    monkeypatch.setattr(publishing, "DOWNLOADS_SQL", tmp_path / "none.sql")
    (tmp_path / "none.sql").write_text("select 1;")
    warehouse_with_a_mart(tmp_path / "w.duckdb", 3).close()
    monkeypatch.setattr(serving_assets, "load_manifest", lambda: MANIFEST)
    with read_in_another_process(tmp_path / "w.duckdb", 3):
        result = dg.materialize(
            [build_publish_asset([], Settings.from_env())],
            resources={
                "warehouse": Warehouse(path=str(tmp_path / "w.duckdb"), lock_wait_seconds=30),
                "serving": ServingFile(path=str(tmp_path / "marts.duckdb")),
            },
            raise_on_error=False,
        )
    assert result.success
    with duckdb.connect(str(tmp_path / "marts.duckdb"), read_only=True) as served:
        # Days 2024-05-01 to 2024-05-03, of which two are complete.
        assert served.execute("select count(*) from mart_x").fetchone() == (2,)
