"""What the published marts promise BI tools, checked on the small account's build: types,
descriptions, complete days only, the build's metadata, the Parquet set, per-environment
top lists, and windows that agree between the marts, the macros and the text dashboard."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.dashboard import dashboard
from tests.conftest import small_days

MACRO_CALLS = (
    "top_collections(date '2024-05-01', date '2024-05-31')",
    "published_collections_by_views(date '2024-05-01', date '2024-05-31')",
    "users_by_activity('(account)', date '2024-05-31')",
)


@pytest.fixture(scope="module")
def served(built):
    with duckdb.connect(str(built["serving"]), read_only=True) as con:
        yield con


def column_types(con) -> list[tuple[str, str, str]]:
    tables = con.execute(
        "select table_name, column_name, data_type from duckdb_columns() "
        "where database_name = current_database()"
    ).fetchall()
    for call in MACRO_CALLS:
        tables += [
            (call, name, kind)
            for name, kind, *_ in con.execute(f"describe select * from {call}").fetchall()
        ]
    return tables


def test_served_columns_are_bigint_double_date_timestamp_or_text(served):
    allowed = {"BIGINT", "DOUBLE", "DATE", "TIMESTAMP", "VARCHAR", "BOOLEAN"}
    found = column_types(served)
    assert len({table for table, *_ in found}) >= 17 + len(MACRO_CALLS)
    wrong = [(t, c, kind) for t, c, kind in found if kind not in allowed]
    assert wrong == []
    assert not [k for *_, k in found if k == "HUGEINT" or k.startswith("DECIMAL(38")]


def test_every_served_table_and_column_has_a_description(served):
    tables = served.execute(
        "select table_name, comment from duckdb_tables() where database_name = current_database()"
    ).fetchall()
    assert len(tables) == 17
    assert [name for name, comment in tables if not comment] == []
    columns = served.execute(
        "select table_name, column_name, comment from duckdb_columns() "
        "where database_name = current_database()"
    ).fetchall()
    assert [(t, c) for t, c, comment in columns if not comment] == []
    comments = {(t, c): comment for t, c, comment in columns}
    assert "bytes" in comments[("mart_account_usage_daily", "storage_usage")]
    assert "bytes" in comments[("mart_assets_daily", "total_bytes")]
    assert "%" in comments[("mart_account_usage_daily", "credits_used_percent")]


def test_no_served_row_holds_a_day_after_the_last_complete_day(served, reference, small_zone):
    build = served.execute(
        "select first_arrival_day, last_arrival_day, arrival_days, complete_through "
        "from serving_build"
    ).fetchone()
    days = small_days()
    assert build == (days[0], days[-1], len(days), reference.complete_through)
    assert reference.complete_through == days[-1]
    listed = served.execute("select table_name, day_column from serving_tables").fetchall()
    dated = [(t, c) for t, c in listed if c]
    assert len(dated) == 12
    for table, column in dated:
        (latest,) = served.execute(f'select max("{column}") from "{table}"').fetchone()
        assert latest <= reference.complete_through, table
    (open_after,) = served.execute(
        "select count(*) from mart_collection_publications where published_to > ?",
        [reference.complete_through],
    ).fetchone()
    assert open_after == 0


def test_serving_tables_counts_every_table(served):
    listed = served.execute("select table_name, row_count from serving_tables").fetchall()
    assert len(listed) == 17
    for table, rows in listed:
        assert served.execute(f'select count(*) from "{table}"').fetchone() == (rows,), table


def test_the_parquet_set_holds_the_same_rows_as_the_duckdb_file(built, served):
    folder = built["serving"].parent / "parquet"
    assert folder.is_symlink()
    files = sorted(path.stem for path in folder.glob("*.parquet"))
    tables = sorted(
        t for (t,) in served.execute("select table_name from serving_tables").fetchall()
    )
    assert files == tables
    for table in tables:
        parquet = str(folder / f"{table}.parquet").replace("'", "''")
        in_parquet = served.execute(f"select * from '{parquet}' order by all").fetchall()
        assert in_parquet == served.execute(f'select * from "{table}" order by all').fetchall()
        kinds = served.execute(f"select column_name, column_type from (describe '{parquet}')")
        assert kinds.fetchall() == [
            (name, kind) for name, kind, *_ in served.execute(f'describe "{table}"').fetchall()
        ], table


def test_pandas_reads_the_parquet_set(built, reference):
    import pandas as pd

    frame = pd.read_parquet(built["serving"].parent / "parquet" / "mart_uploads_daily.parquet")
    expected = reference.uploads_per_day()
    assert int(frame["uploads"].sum()) == sum(expected.values())
    assert str(frame["uploads"].dtype) == "int64"
    assert str(frame["calendar_date"].max())[:10] == reference.complete_through.isoformat()


def test_top_collections_are_per_product_environment(served, reference):
    first, last = reference.days[0], reference.days[-1]
    views: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (day, env, collection), n in reference.views_per_day().items():
        if first <= day <= last:
            views[env][collection] += n
    assert len(views) > 1
    found = served.execute(
        "select cloud_name, position, collection_id, views from top_collections(?, ?, top_n := 3)",
        [first, last],
    ).fetchall()
    for env, counts in views.items():
        expected = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:3]
        listed = [(c, n) for e, _, c, n in found if e == env]
        assert listed == expected, env
        assert [p for e, p, *_ in found if e == env] == list(range(1, len(expected) + 1))
    one = max(views)
    alone = served.execute(
        "select cloud_name, collection_id, views from top_collections(?, ?, environment := ?)",
        [first, last, one],
    ).fetchall()
    assert {e for e, *_ in alone} == {one}
    assert len(alone) == min(10, len(views[one]))


def test_windows_of_the_marts_the_macros_and_the_dashboard_agree(served, reference):
    day = reference.complete_through
    tiles = dashboard(served, day)
    uploads = reference.uploads_per_day()
    week = {day - timedelta(days=k) for k in range(7)}
    expected = defaultdict(int)
    for (d, _, source, kind), n in uploads.items():
        if d in week:
            expected[(source, kind)] += n
    shown = {(source, kind): n for source, kind, n in tiles["Uploads, past 7 days (source, type)"]}
    assert {k: v for k, v in shown.items() if v} == dict(expected)
    # The row of day D and the download as of D + 1 count the same 30 days.
    scope = max({a.scope for a in reference.actions if a.scope != "(account)"})
    from_mart = dict(
        served.execute(
            "select user_id, actions_30d from mart_active_users_daily "
            "where calendar_date = ? and activity_scope = ?",
            [day, scope],
        ).fetchall()
    )
    from_macro = {
        user: n
        for user, n in served.execute(
            "select user_id, actions from users_by_activity(?, ?, window_days := 30)",
            [scope, day + timedelta(days=1)],
        ).fetchall()
        if n
    }
    assert from_mart == from_macro
    assert from_mart == {
        u: n
        for (s, u), (n, _) in reference.active_users(day + timedelta(days=1), 30).items()
        if s == scope
    }


def test_the_serving_folder_keeps_one_previous_parquet_set(built):
    folder: Path = built["serving"].parent
    sets = sorted(p.name for p in folder.glob(".parquet-*"))
    assert 1 <= len(sets) <= 2
    assert (folder / "parquet").resolve().name in sets
