"""The hand-built zone's days loaded again without some of their records: what they
brought is gone, as a build from scratch of the changed zone has it."""

from __future__ import annotations

import json
import shutil
from datetime import date

from tests.conftest import run_cli, table_rows, warehouse_rows
from tests.dbt_project.hand_zone import (
    EDITOR,
    ENV,
    built_whole,
    drop_lines,
    event,
    load_days,
    loaded_with_late_events,
)


def test_a_day_loaded_again_without_some_records_drops_them(zone, tmp_path):
    """Day 1's files lose e5 (delivered again on day 2), e7 (day 1 only), a3's upload (day 1
    only) and all of collection c2's events (e3, e4), and day 1 is loaded again: e5 now
    counts from its day-2 copy, e7, a3 and c2 not at all, as a build from scratch of the
    changed zone has it."""
    changed = tmp_path / "zone"
    shutil.copytree(zone, changed)
    daily = tmp_path / "daily"
    load_days(daily, changed, ("2024-05-01", "2024-05-02", "2024-05-03"))
    c2_rows = (
        "select count(*) from intermediate.int_container_state_intervals where container_id = 'c2'"
    )
    assert warehouse_rows(daily, c2_rows) == [(2,)]  # it existed and was published
    dropped = ("e3", "e4", "e5", "e7")
    drop_lines(changed / "dam_events/2024-05-01/e.jsonl", lambda doc: doc["id"] in dropped)
    drop_lines(
        changed / f"notifications/{ENV}/2024-05-01/a.jsonl", lambda doc: doc["asset_id"] == "a3"
    )
    result = run_cli("run", "--start", "2024-05-01", "--end", "2024-05-01", data=daily,
                     landing=changed)  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    whole = built_whole(changed, tmp_path / "whole")

    stored = warehouse_rows(
        daily, "select activity_id, arrival_date from intermediate.int_activity_unioned "
        "where activity_id in ('e5', 'e7') or target_id = 'a3'"
    )  # fmt: skip
    assert stored == [("e5", date(2024, 5, 2))]
    assert warehouse_rows(daily, c2_rows) == [(0,)]
    for relation in ("staging.stg_dam__events", "staging.stg_dam__notifications",
                     "staging.stg_dam__notification_assets", "intermediate.int_activity_unioned",
                     "intermediate.int_container_events",
                     "intermediate.int_container_state_intervals",
                     "intermediate.int_container_daily_counts", "core.dim_assets",
                     "marts.mart_collections_daily", "marts.mart_collection_views_daily",
                     "marts.mart_collection_publications",
                     "marts.mart_uploads_daily", "marts.mart_user_actions_daily",
                     "marts.mart_scope_actions_daily",
                     "marts.mart_active_users_daily"):  # fmt: skip
        assert table_rows(daily, relation) == table_rows(whole, relation), relation


def deletion(asset: str, at: str) -> dict:
    trigger = {"source": "api", "id": "key-1"}
    resource = {"asset_id": asset, "public_id": f"p/{asset}", "resource_type": "image"}
    return {
        "notification_type": "delete", "resources": [resource], "timestamp": at,
        "notification_context": {"triggered_at": at, "triggered_by": trigger},
    }  # fmt: skip


def test_a_deletion_reloaded_away_no_longer_ends_its_asset(zone, tmp_path):
    """a1 is deleted on day 2; a2 on day 2 at noon, and on day 3 comes a late deletion of a2
    from that morning, which ends a2 earlier. Days 2 and 3 are then loaded again without
    a1's and the morning's deletion: a1 exists again and a2 ends at noon, as a build from
    scratch of the changed zone has it."""
    changed = tmp_path / "zone"
    shutil.copytree(zone, changed)
    day2, day3 = (
        changed / f"notifications/{ENV}/{day}/d.jsonl" for day in ("2024-05-02", "2024-05-03")
    )
    day2.parent.mkdir(parents=True, exist_ok=True)
    day2.write_text(
        "".join(
            json.dumps(doc) + "\n"
            for doc in (
                deletion("a1", "2024-05-02T09:00:00Z"),
                deletion("a2", "2024-05-02T12:00:00Z"),
            )
        )
    )
    day3.write_text(json.dumps(deletion("a2", "2024-05-02T08:00:00Z")) + "\n")
    daily = tmp_path / "daily"
    load_days(daily, changed, ("2024-05-01", "2024-05-02", "2024-05-03"))
    assets = (
        "select asset_id, deleted_at from core.dim_assets where asset_id in ('a1', 'a2') order by 1"
    )
    assert [(asset, str(at)) for asset, at in warehouse_rows(daily, assets)] == [
        ("a1", "2024-05-02 09:00:00"),
        ("a2", "2024-05-02 08:00:00"),
    ]
    drop_lines(day2, lambda doc: doc["resources"][0]["asset_id"] == "a1")
    drop_lines(day3, lambda doc: True)
    load_days(daily, changed, ("2024-05-02", "2024-05-03"))
    whole = built_whole(changed, tmp_path / "whole")

    assert [(asset, str(at)) for asset, at in warehouse_rows(daily, assets)] == [
        ("a1", "None"),
        ("a2", "2024-05-02 12:00:00"),
    ]
    for relation in ("core.dim_assets", "marts.mart_assets_daily"):
        assert table_rows(daily, relation) == table_rows(whole, relation), relation


def test_a_day_whose_only_action_is_reloaded_away_loses_its_rows(zone, tmp_path):
    """Day 3 brings a late open from 2024-04-28, a day with no other activity: the user and
    scope actions gain that day. Day 3 loaded again without it leaves the day with no
    action, and the marts recomputed by day with no row for it, as a build from scratch
    of the changed zone has it."""
    late = event("e12", "2024-04-28T10:00:00Z", "collection.opened", "c1", view_id="v9")
    changed, day3, daily = loaded_with_late_events(zone, tmp_path, late)
    early = (
        "select 'user', user_id, actions from marts.mart_user_actions_daily"
        " where activity_date = '2024-04-28'"
        " union all select 'scope', activity_scope, actions from marts.mart_scope_actions_daily"
        " where activity_date = '2024-04-28' order by 1"
    )
    assert warehouse_rows(daily, early) == [("scope", ENV, 1), ("user", EDITOR["id"], 1)]
    drop_lines(day3, lambda doc: True)
    load_days(daily, changed, ("2024-05-03",))
    whole = built_whole(changed, tmp_path / "whole")

    assert warehouse_rows(daily, early) == []
    for relation in (
        "marts.mart_user_actions_daily",
        "marts.mart_scope_actions_daily",
        "marts.mart_active_users_daily",
        "marts.mart_collection_views_daily",
    ):
        assert table_rows(daily, relation) == table_rows(whole, relation), relation
