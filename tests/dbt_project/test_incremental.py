"""The daily path against a build from scratch, on the generated zone with its late,
redelivered and malformed records: arrival days loaded one run at a time, out of order and
again, leave every table of every layer as the one-run build of the whole zone leaves it."""

from __future__ import annotations

import duckdb

from tests.conftest import run_cli, table_rows

LAYERS = ("staging", "intermediate", "core", "marts")


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
    # The first two days, then a later day before the one it redelivers from, then that
    # one (a backfill), a day loaded twice, and the rest.
    runs = [
        ("--end", days[1]),
        ("--start", days[3], "--end", days[3]),
        ("--start", days[2], "--end", days[2]),
        ("--start", days[3], "--end", days[3]),
        ("--start", days[5], "--end", days[5]),
        ("--start", days[4], "--end", days[4]),
    ]
    for args in runs:
        result = run_cli("run", *args, data=tmp_path, landing=small_zone)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

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
