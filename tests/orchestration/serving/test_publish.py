"""Publishing the marts: a new file renamed into place, never a half-built one, and a
reader that holds the old file open blocks nothing."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import dagster as dg
import duckdb
import pytest

from orchestration.resources import Warehouse
from orchestration.serving import publish as publishing
from orchestration.serving.assets import ServingFile, build_publish_asset
from tests.conftest import read_in_another_process, run_cli


def warehouse_with_a_mart(path, rows: int) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts")
    con.execute("create schema if not exists core")
    con.execute(f"create or replace table marts.mart_x as select range as n from range({rows})")
    con.execute("create or replace table core.dim_users as select 'u' as user_id")
    con.execute("create or replace table core.fct_hidden as select 1 as n")
    return con


def test_publish_copies_marts_and_dimensions_only(tmp_path, monkeypatch):
    monkeypatch.setattr(publishing, "DOWNLOADS_SQL", tmp_path / "none.sql")
    (tmp_path / "none.sql").write_text("select 1;")
    con = warehouse_with_a_mart(tmp_path / "w.duckdb", 3)
    target = tmp_path / "serving" / "marts.duckdb"
    assert publishing.publish(con, target) == ["dim_users", "mart_x"]
    with duckdb.connect(str(target), read_only=True) as served:
        assert served.execute("select count(*) from mart_x").fetchone() == (3,)
        tables = {t for (t,) in served.execute("select table_name from duckdb_tables()").fetchall()}
        assert tables == {"dim_users", "mart_x"}


def test_a_failed_publish_leaves_the_previous_file(tmp_path, monkeypatch):
    monkeypatch.setattr(publishing, "DOWNLOADS_SQL", tmp_path / "macros.sql")
    (tmp_path / "macros.sql").write_text("select 1;")
    con = warehouse_with_a_mart(tmp_path / "w.duckdb", 3)
    target = tmp_path / "marts.duckdb"
    publishing.publish(con, target)
    con.execute("create or replace table marts.mart_x as select range as n from range(5)")
    (tmp_path / "macros.sql").write_text("create macro broken( as table select;")
    with pytest.raises(duckdb.Error):
        publishing.publish(con, target)
    with duckdb.connect(str(target), read_only=True) as served:
        assert served.execute("select count(*) from mart_x").fetchone() == (3,)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


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
    with read_in_another_process(tmp_path / "w.duckdb", 3):
        result = dg.materialize(
            [build_publish_asset([])],
            resources={
                "warehouse": Warehouse(path=str(tmp_path / "w.duckdb"), lock_wait_seconds=30),
                "serving": ServingFile(path=str(tmp_path / "marts.duckdb")),
            },
            raise_on_error=False,
        )
    assert result.success
    with duckdb.connect(str(tmp_path / "marts.duckdb"), read_only=True) as served:
        assert served.execute("select count(*) from mart_x").fetchone() == (3,)
