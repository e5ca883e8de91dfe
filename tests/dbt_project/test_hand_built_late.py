"""The hand-built zone with days out of order and late events: each counts on its own
day, as a build from scratch has it."""

from __future__ import annotations

from datetime import date

import duckdb

from tests.conftest import table_rows, warehouse_rows
from tests.dbt_project.hand_zone import (
    built_whole,
    drop_lines,
    event,
    load_days,
    loaded_with_late_events,
)


def test_days_backfilled_out_of_order_keep_the_first_delivery(zone, tmp_path):
    # The redelivery is loaded before the original.
    load_days(tmp_path, zone, ("2024-05-02", "2024-05-01"))
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        stored = con.execute(
            "select activity_id, arrival_date, source_file from intermediate.int_activity_unioned "
            "where activity_id = 'e5'"
        ).fetchall()
    assert stored == [("e5", date(2024, 5, 1), "dam_events/2024-05-01/e.jsonl")]


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
