"""The same dbt project on Spark: `dam-usage spark-build` on the small generated account
gives every mart, raw table and quarantined record the DuckDB build gives, row for row."""

from __future__ import annotations

import pytest

from orchestration.spark.compare import mart_names, table_differences
from tests.conftest import run_cli

FEEDS = ("account", "users", "usage", "notifications", "dam_events")


@pytest.fixture(scope="module")
def spark_built(small_zone, tmp_path_factory) -> dict:
    """The small zone built on Spark twice: the second run must replace, not add."""
    data = tmp_path_factory.mktemp("spark_data")
    outputs = []
    for _ in range(2):
        result = run_cli("spark-build", data=data, landing=small_zone, timeout=900)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        outputs.append(result.stdout)
    return {"spark_dir": data / "spark", "outputs": outputs}


def test_every_mart_is_equal_on_both_engines(built, spark_built):
    marts = mart_names(built["warehouse"])
    assert len(marts) == 12
    differences = {
        mart: table_differences(built["warehouse"], spark_built["spark_dir"], "marts", mart)
        for mart in marts
    }
    assert all(d["rows"] > 0 for d in differences.values()), differences
    assert {m: d for m, d in differences.items() if d["only_duckdb"] or d["only_spark"]} == {}


@pytest.mark.parametrize("table", [*FEEDS, "quarantine"])
def test_raw_tables_and_quarantine_are_equal(built, spark_built, table):
    # The payload hash is of the minified record on DuckDB and of its canonical (key-sorted)
    # form on Spark; a quarantined line's bad bytes are escaped on one, replaced on the other.
    # DuckDB's key_hash serves its incremental lookups, which Spark's rebuilds do not need.
    difference = table_differences(
        built["warehouse"],
        spark_built["spark_dir"],
        "raw",
        table,
        exclude=("payload_hash", "raw_text", "key_hash"),
    )
    assert difference["rows"] > 0
    assert (difference["only_duckdb"], difference["only_spark"]) == (0, 0), difference


def test_the_run_reports_each_feed(spark_built):
    output = spark_built["outputs"][-1]
    for feed in FEEDS:
        assert f"  {feed} " in output
    assert "Marts built on Spark" in output


def test_too_many_bad_records_fail_the_spark_build_naming_the_file(small_zone, tmp_path):
    result = run_cli(
        "spark-build", data=tmp_path, landing=small_zone, timeout=900, DAM_MAX_QUARANTINE_RATE="0"
    )
    assert result.returncode == 1
    assert "above the quarantine limit" in result.stderr
    assert "dam_events/" in result.stderr and "Building the dbt models" not in result.stdout
