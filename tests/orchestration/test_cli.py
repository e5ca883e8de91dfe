"""The main job from the command line, as a user runs it: landing zone to staging models
in one Dagster run, checked against an independent reading of the landing files."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import duckdb
import pytest

from sample_data import SampleConfig, generate
from tests.conftest import accepts, read_in_another_process, run_cli, zone_lines


@pytest.fixture(scope="module")
def loaded(built):
    return built["warehouse"], built["output"]


def test_run_prints_where_the_warehouse_is_and_what_it_holds(loaded):
    path, output = loaded
    assert f"Warehouse: {path}" in output
    assert "raw.dam_events" in output and "Quarantined records:" in output


def test_the_run_is_recorded_in_the_dagster_home(loaded):
    path, _ = loaded
    assert (path.parent / "dagster_home" / "dagster.yaml").is_file()
    assert (path.parent / "dagster_home" / "storage").is_dir()


def test_staging_counts_each_event_once(loaded, small_zone):
    path, _ = loaded
    ids = {
        json.loads(text)["id"]
        for _, _, text in zone_lines(small_zone, "dam_events")
        if accepts("dam_events", text)
    }
    notifications = {
        (name.split("/")[1], json.dumps(json.loads(text), sort_keys=True))
        for name, _, text in zone_lines(small_zone, "notifications")
        if accepts("notifications", text)
    }
    with duckdb.connect(str(path), read_only=True) as con:
        staged_ids = {
            r[0] for r in con.execute("select event_id from staging.stg_dam__events").fetchall()
        }
        (staged_notifications,) = con.execute(
            "select count(*) from staging.stg_dam__notifications"
        ).fetchone()
    assert staged_ids == ids
    assert staged_notifications == len(notifications)


def test_notification_resources_expand_to_one_row_per_asset(loaded, small_zone):
    path, _ = loaded
    expected = 0
    seen = set()
    for name, _, text in zone_lines(small_zone, "notifications"):
        key = (
            (name.split("/")[1], json.dumps(json.loads(text), sort_keys=True))
            if accepts("notifications", text)
            else None
        )
        if key is None or key in seen:
            continue
        seen.add(key)
        doc = json.loads(text)
        resources = doc.get("resources")
        items = list(resources.values()) if isinstance(resources, dict) else resources or []
        assets = {r.get("asset_id") or r.get("public_id") for r in items}
        if doc.get("asset_id"):
            assets.add(doc["asset_id"])
        expected += len(assets)
    with duckdb.connect(str(path), read_only=True) as con:
        (rows,) = con.execute(
            "select count(*) from staging.stg_dam__notification_assets"
        ).fetchone()
    assert rows == expected


def test_a_file_over_the_quarantine_limit_fails_the_run_naming_it(tmp_path):
    zone = tmp_path / "landing"
    generate(SampleConfig(days=2, users=10, events_per_day=100), zone)
    bad = zone / "dam_events" / "2024-05-02" / "events-0000.jsonl"
    with bad.open("a") as handle:
        handle.write("not json\n" * 50)
    result = run_cli("run", data=tmp_path / "data", landing=zone, DAM_MAX_QUARANTINE_RATE="0.05")
    assert result.returncode == 1
    assert "dam_events/2024-05-02/events-0000.jsonl" in result.stderr
    assert "DAM_MAX_QUARANTINE_RATE" in result.stderr


def test_bad_dates_get_a_one_line_error(tmp_path, small_zone):
    result = run_cli("run", "--start", "2024-13-01", data=tmp_path, landing=small_zone)
    assert result.returncode == 2
    assert "YYYY-MM-DD" in result.stderr


HOLDER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
sys.stdin.readline()
"""


def test_a_locked_warehouse_is_a_clear_error(tmp_path, small_zone):
    data = tmp_path / "data"
    data.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data / "warehouse.duckdb")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        result = run_cli(
            "run", "--start", "2024-05-01", "--end", "2024-05-01", data=data,
            landing=small_zone, DAM_LOCK_WAIT_SECONDS="0",
        )  # fmt: skip
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 1
    assert "open for writing by another process" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_reader_of_a_moment_delays_the_build_without_failing_it(built, tmp_path, small_zone):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(built["warehouse"], data / "warehouse.duckdb")
    with read_in_another_process(data / "warehouse.duckdb", 20) as reader:
        result = run_cli("run", "--only", "build", data=data, landing=small_zone)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
        assert reader.poll() is not None, "the build never waited for the reader"


def test_a_corrupt_warehouse_is_a_clear_error(tmp_path, small_zone):
    data = tmp_path / "data"
    data.mkdir()
    (data / "warehouse.duckdb").write_bytes(b"this is not a database" * 100)
    result = run_cli(
        "run", "--start", "2024-05-01", "--end", "2024-05-01", data=data, landing=small_zone
    )
    assert result.returncode == 1
    assert "move it aside and run the load again" in result.stderr
    assert "Traceback" not in result.stderr


def test_only_ingest_then_only_build_equals_the_whole_run(built, small_zone, tmp_path):
    from tests.drills.conftest import tables

    ingest = run_cli("run", "--only", "ingest", data=tmp_path, landing=small_zone)
    assert ingest.returncode == 0, ingest.stderr[-2000:]
    assert not (tmp_path / "serving").exists()
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        schemas = {s for (s,) in con.execute("select schema_name from duckdb_tables()").fetchall()}
    assert schemas == {"raw"}
    build = run_cli("run", "--only", "build", data=tmp_path, landing=small_zone)
    assert build.returncode == 0, build.stderr[-2000:]
    assert tables(tmp_path / "serving" / "marts.duckdb") == tables(built["serving"])


def test_a_missing_dagster_config_is_a_configuration_error(tmp_path, small_zone):
    missing = tmp_path / "nowhere" / "dagster.yaml"
    result = run_cli("prepare", data=tmp_path, landing=small_zone, DAM_DAGSTER_CONFIG=str(missing))
    assert result.returncode == 2
    assert f"DAM_DAGSTER_CONFIG: no such file: {missing}" in result.stderr
    assert not (tmp_path / "dagster_home").exists()


def test_prepare_writes_the_dagster_home_from_the_chosen_settings(tmp_path, small_zone):
    chosen = tmp_path / "instance.yaml"
    chosen.write_text("telemetry:\n  enabled: false\n")
    result = run_cli("prepare", data=tmp_path, landing=small_zone, DAM_DAGSTER_CONFIG=str(chosen))
    assert result.returncode == 0, result.stderr
    written = (tmp_path / "dagster_home" / "dagster.yaml").read_text()
    assert written == chosen.read_text()
