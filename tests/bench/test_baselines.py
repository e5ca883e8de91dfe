"""The equality check between the hand-written marts script and the warehouse's marts."""

from __future__ import annotations

import duckdb
import pytest

from bench.baselines import MartsDiffer, check_marts


def _databases(tmp_path, warehouse_rows, script_rows, script_table="mart_x"):
    warehouse, script = tmp_path / "w.duckdb", tmp_path / "s.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.mart_x (d date, n bigint)")
        for row in warehouse_rows:
            con.execute("insert into marts.mart_x values (?, ?)", row)
    with duckdb.connect(str(script)) as con:
        con.execute(f"create table {script_table} (d date, n bigint)")
        for row in script_rows:
            con.execute(f"insert into {script_table} values (?, ?)", row)
    return warehouse, script


def test_equal_tables_pass_in_any_row_order(tmp_path):
    rows = [("2025-01-01", 1), ("2025-01-02", 2), ("2025-01-02", 2)]
    assert check_marts(*_databases(tmp_path, rows, rows[::-1])) == ["mart_x"]


@pytest.mark.parametrize(
    "script_rows",
    [
        [("2025-01-01", 1), ("2025-01-02", 3)],  # a value differs
        [("2025-01-01", 1)],  # a row missing
        [("2025-01-01", 1), ("2025-01-02", 2), ("2025-01-02", 2)],  # a row twice
    ],
)
def test_a_differing_row_fails(tmp_path, script_rows):
    warehouse, script = _databases(tmp_path, [("2025-01-01", 1), ("2025-01-02", 2)], script_rows)
    with pytest.raises(MartsDiffer, match="mart_x"):
        check_marts(warehouse, script)


def test_a_mart_the_script_does_not_make_fails(tmp_path):
    warehouse, script = _databases(tmp_path, [], [], script_table="mart_y")
    with pytest.raises(MartsDiffer, match="mart_y"):
        check_marts(warehouse, script)
