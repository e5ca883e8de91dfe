"""The daily path against a build from scratch, on the generated zone with its late,
redelivered and malformed records: arrival days loaded one run at a time, out of order and
again, leave every table of every layer as the one-run build of the whole zone leaves it."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date, timedelta

import duckdb

from orchestration.dbt.project import DBT_PROJECT_DIR, dbt_executable
from tests.conftest import load_and_build, run_cli, table_rows, warehouse_rows

LAYERS = ("staging", "intermediate", "core", "marts")
# The columns that store the hash of a key (macros/incremental.sql: key_hash).
KEY_HASHES = ("record_hash", "asset_hash", "container_hash", "subject_hash")


def relations(warehouse) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        found = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            f"where table_schema in {LAYERS} order by all"
        ).fetchall()
    return [name for (name,) in found]


def test_days_loaded_apart_out_of_order_and_again_equal_one_build(small_zone, built, tmp_path):
    days = sorted(path.name for path in (small_zone / "dam_events").iterdir())
    assert len(days) >= 6, days
    days = [date.fromisoformat(day) for day in days]
    # The first two days, then a later day before the one it redelivers from, then that
    # one (a backfill), a day loaded twice, and the rest; each as `dam-usage run` loads it.
    runs = [(None, days[1]), *((day, day) for day in (days[3], days[2], days[3], days[5], days[4]))]
    for first, last in runs:
        load_and_build(tmp_path, small_zone, first, last)

    daily, whole = tmp_path / "warehouse.duckdb", built["warehouse"]
    names = relations(whole)
    assert "staging.stg_dam__events" in names and "marts.mart_uploads_daily" in names
    assert relations(daily) == names
    for relation in names:
        assert table_rows(daily, relation) == table_rows(whole, relation), relation
    # The zone's awkward records reached the comparison: records delivered again on another
    # day, and events that arrived after their own day.
    with duckdb.connect(str(daily), read_only=True) as con:
        across_days, late = con.execute(
            "select (select count(*) from (select event_id from raw.dam_events group by event_id"
            " having count(distinct arrival_date) > 1)),"
            " (select count(*) from staging.stg_dam__events where arrived_late)"
        ).fetchone()
    assert across_days > 0 and late > 0


def test_records_sharing_a_key_hash_are_replaced_together(small_zone, built, tmp_path):
    """A run finds a record's rows by a 64-bit hash of its key. Here the hash has 4,096
    values, so that many records share theirs with records of the other feed, delivered on
    other days, and raw's key hashes share theirs alike: days built apart, out of order and
    again still leave every table as the one-run build leaves it."""
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    shutil.copytree(DBT_PROJECT_DIR.parent / "seeds", tmp_path / "seeds")
    macros = project / "macros" / "incremental.sql"
    weak = macros.read_text().replace("hash({{ column }})", "hash({{ column }}) % 4096", 1)
    assert weak != macros.read_text()
    macros.write_text(weak)
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(built["warehouse"], warehouse)
    with duckdb.connect(str(warehouse)) as con:
        for layer in LAYERS:
            con.execute(f"drop schema {layer} cascade")
        # The raw tables start empty and are filled as each run's days arrive.
        raw = [name for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()]  # fmt: skip
        con.execute("create schema delivered")
        for table in raw:
            con.execute(f"create table delivered.{table} as from raw.{table}")
            con.execute(f"delete from raw.{table}")
            if "key_hash" in con.table(f"raw.{table}").columns:
                con.execute(f"update delivered.{table} set key_hash = key_hash % 4096")

    days = sorted(path.name for path in (small_zone / "dam_events").iterdir())
    after = {day: str(date.fromisoformat(day) + timedelta(days=1)) for day in days}
    # As the daily runs of the test above; each leaves most hashes untouched.
    windows = [
        (days[0], days[2]),
        *((day, after[day]) for day in (days[3], days[2], days[3], days[5], days[4])),
    ]
    for first, end in windows:
        with duckdb.connect(str(warehouse)) as con:
            for table in raw:
                arrived = f"arrival_date >= '{first}' and arrival_date < '{end}'"
                con.execute(f"delete from raw.{table} where {arrived}")
                con.execute(f"insert into raw.{table} from delivered.{table} where {arrived}")
        result = subprocess.run(
            [dbt_executable(), "build", "--project-dir", str(project),
             "--profiles-dir", str(project)],
            env={**os.environ, "DAM_WAREHOUSE_PATH": str(warehouse),
                 "DAM_DUCKDB_TEMP_DIR": str(tmp_path / "spill"),
                 "DAM_MIN_ARRIVAL_DATE": first, "DAM_MAX_ARRIVAL_DATE": end},
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout[-3000:]

    shared = warehouse_rows(
        warehouse,
        "select count(*) from (select record_hash from intermediate.int_activity_unioned"
        " group by record_hash having count(distinct feed) = 2)",
    )
    assert shared[0][0] > 100, shared
    names = relations(built["warehouse"])
    assert relations(warehouse) == names
    for relation in names:
        rows = rows_with_weakened_hashes(warehouse, relation)
        assert warehouse_rows(warehouse, rows) == warehouse_rows(built["warehouse"], rows), relation


def rows_with_weakened_hashes(warehouse, relation: str) -> str:
    """Every row of a table, ordered, without invocation_id, each stored key hash cut to
    4,096 values as the weakened macro cuts it."""
    schema, table = relation.split(".")
    columns = warehouse_rows(
        warehouse,
        "select column_name from information_schema.columns"
        f" where table_schema = '{schema}' and table_name = '{table}' order by ordinal_position",
    )
    selected = [
        f"{name} % 4096" if name in KEY_HASHES else name
        for (name,) in columns
        if name != "invocation_id"
    ]
    return f"select {', '.join(selected)} from {relation} order by all"


def spoiled_copy(built, small_zone, tmp_path, statement: str) -> str:
    """The one-run build copied into tmp_path and changed by `statement`; the zone's last
    arrival day, for a run on top of it."""
    shutil.copy(built["warehouse"], tmp_path / "warehouse.duckdb")
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        con.execute(statement)
    return max(path.name for path in (small_zone / "dam_events").iterdir())


def test_key_hashes_of_another_duckdb_stop_a_run_until_a_full_refresh(small_zone, built, tmp_path):
    """DuckDB's hash() may change between versions, and stored hashes that no longer match
    would find no stored record: the run stops and says what to do."""
    day = spoiled_copy(
        built, small_zone, tmp_path,
        "update intermediate.int_activity_unioned set record_hash = xor(record_hash, 1)",
    )  # fmt: skip

    stopped = run_cli("run", "--start", day, "--end", day, data=tmp_path, landing=small_zone)
    assert stopped.returncode != 0
    assert (
        'int_activity_unioned" holds key hashes of another DuckDB version: rebuild it with'
        " --full-refresh" in stopped.stdout + stopped.stderr
    )
    rebuilt = run_cli("run", "--full-refresh", data=tmp_path, landing=small_zone)
    assert rebuilt.returncode == 0, rebuilt.stdout[-3000:] + rebuilt.stderr[-3000:]
    assert warehouse_rows(
        tmp_path,
        "select count(*) from intermediate.int_activity_unioned"
        " where record_hash <> hash(record_id)",
    ) == [(0,)]


def test_an_incremental_table_from_before_a_new_column_stops_a_run_until_a_full_refresh(
    small_zone, built, tmp_path
):
    """An upgrade may add a column that later models look keys up by: a stored table
    without it stops the run and asks for a full refresh, instead of taking in rows
    without it."""
    day = spoiled_copy(
        built, small_zone, tmp_path,
        "alter table intermediate.int_container_events drop column container_hash",
    )  # fmt: skip

    stopped = run_cli("run", "--start", day, "--end", day, data=tmp_path, landing=small_zone)
    output = stopped.stdout + stopped.stderr
    assert stopped.returncode != 0
    assert "int_container_events" in output
    assert "The source and target schemas on this incremental model are out of sync" in output
    assert "column='container_hash'" in output
    rebuilt = run_cli("run", "--full-refresh", data=tmp_path, landing=small_zone)
    assert rebuilt.returncode == 0, rebuilt.stdout[-3000:] + rebuilt.stderr[-3000:]
    assert warehouse_rows(
        tmp_path,
        "select count(*) from intermediate.int_container_events"
        " where container_hash is distinct from hash(cloud_name, container_type, container_id)",
    ) == [(0,)]


def test_raw_key_hashes_of_another_duckdb_stop_a_build_until_a_load(small_zone, built, tmp_path):
    """Staging finds a record's deliveries in raw by the key hash the ingest stored; a
    build alone after a DuckDB upgrade would miss them, so it stops, and the next load
    hashes raw again."""
    day = spoiled_copy(
        built, small_zone, tmp_path, "update raw.dam_events set key_hash = xor(key_hash, 1)"
    )
    window = ("--start", day, "--end", day)

    stopped = run_cli("run", "--only", "build", *window, data=tmp_path, landing=small_zone)
    assert stopped.returncode != 0
    assert (
        'raw"."dam_events" holds key hashes of another DuckDB version: load a day'
        in stopped.stdout + stopped.stderr
    )
    loaded = run_cli("run", *window, data=tmp_path, landing=small_zone)
    assert loaded.returncode == 0, loaded.stdout[-3000:] + loaded.stderr[-3000:]
    assert warehouse_rows(
        tmp_path, "select count(*) from raw.dam_events where key_hash <> hash(event_id)"
    ) == [(0,)]
