"""The sample generator: deterministic, true to the landing-zone contract, awkward on request."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import replace
from datetime import date

import pytest

from sample_data import SampleConfig, generate
from sample_data.account import ROLES
from tests.conftest import SMALL, accepts, notification_time, parse_utc, zone_lines

FEEDS = ("account", "users", "notifications", "dam_events", "usage")


def tree_digest(root) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_identical_files(tmp_path, small_zone):
    generate(SMALL, tmp_path / "again")
    assert tree_digest(tmp_path / "again") == tree_digest(small_zone)


def test_another_seed_gives_other_files(tmp_path, small_zone):
    generate(replace(SMALL, seed=SMALL.seed + 1), tmp_path / "other")
    other, first = tree_digest(tmp_path / "other"), tree_digest(small_zone)
    assert other.keys() == first.keys()
    assert other != first


def test_layout_follows_the_contract(small_zone):
    days = [date.fromordinal(SMALL.start.toordinal() + d).isoformat() for d in range(SMALL.days)]
    assert sorted(p.name for p in small_zone.iterdir() if p.is_dir()) == sorted(FEEDS)
    for day in days:
        assert (small_zone / "account" / f"{day}.json").is_file()
        assert (small_zone / "users" / f"{day}.json").is_file()
        assert list((small_zone / "dam_events" / day).glob("*.jsonl"))
    clouds = sorted(p.name for p in (small_zone / "notifications").iterdir())
    assert len(clouds) == SMALL.environments
    assert sorted(p.name for p in (small_zone / "usage").iterdir()) == clouds


def test_account_snapshot_shape(small_zone):
    for path in (small_zone / "account").glob("*.json"):
        doc = json.loads(path.read_text())
        assert isinstance(doc["account_id"], str) and doc["account_id"]
        assert doc["plan"] == SMALL.plan
        assert doc["features"] == {"activity_reports": True}
        envs = doc["product_environments"]
        assert len(envs) == SMALL.environments
        for env in envs:
            assert set(env) == {
                "id",
                "cloud_name",
                "name",
                "enabled",
                "created_at",
                "tracking_enabled",
            }
            assert parse_utc(env["created_at"]) is not None
        # Some environments track activity for reports, some do not.
        assert {e["tracking_enabled"] for e in envs} == {True, False}


def test_users_snapshot_shape_and_cast(small_zone):
    keys = {
        "id",
        "name",
        "email",
        "role",
        "enabled",
        "pending",
        "created_at",
        "updated_at",
        "last_login",
        "sub_account_ids",
    }
    last = json.loads(sorted((small_zone / "users").glob("*.json"))[-1].read_text())
    for user in last["users"]:
        assert set(user) == keys
        assert "@" in user["email"]
        assert parse_utc(user["created_at"]) is not None
        assert user["last_login"] is None or parse_utc(user["last_login"]) is not None
    assert {u["role"] for u in last["users"]} == set(ROLES)
    assert any(not u["enabled"] for u in last["users"])
    assert any(u["pending"] for u in last["users"])
    ids = {u["id"] for u in last["users"]}
    assert last["user_groups"], "users belong to groups"
    for group in last["user_groups"]:
        assert set(group) == {"id", "name", "users"}
        assert {m["id"] for m in group["users"]} <= ids


def test_usage_reports_have_metrics_and_add_ons(small_zone):
    add_ons = set()
    for path in (small_zone / "usage").rglob("*.json"):
        doc = json.loads(path.read_text())
        for metric in ("transformations", "bandwidth", "storage"):
            assert set(doc[metric]) == {"usage", "limit", "used_percent", "credits_usage"}
        assert isinstance(doc["objects"]["usage"], int)
        for key in ("requests", "resources", "derived_resources"):
            assert isinstance(doc[key], int)
        add_ons |= {
            k for k, v in doc.items() if isinstance(v, dict) and set(v) == {"usage", "limit"}
        }
    assert add_ons == {"background_removal", "adv_ocr", "webpurify"}


def test_notifications_cover_the_account_activity(small_zone):
    kinds, sources, uploads = Counter(), Counter(), Counter()
    for _, _, text in zone_lines(small_zone, "notifications"):
        if not accepts("notifications", text):
            continue
        doc = json.loads(text)
        kinds[doc["notification_type"]] += 1
        assert parse_utc(notification_time(doc)) is not None
        if doc["notification_type"] == "upload":
            trigger = doc.get("notification_context", {}).get("triggered_by", {})
            source = "user" if trigger.get("source") == "ui" else "api"
            sources[source] += 1
            uploads[doc["resource_type"]] += 1
            assert isinstance(doc["bytes"], int)
    assert {
        "upload",
        "delete",
        "rename",
        "resource_tags_changed",
        "resource_metadata_changed",
        "resource_context_changed",
    } <= set(kinds)
    assert set(sources) == {"user", "api"}
    assert set(uploads) == {"image", "video", "raw"}


def test_dam_events_cover_collections_portals_and_account(small_zone):
    actions = Counter()
    for _, _, text in zone_lines(small_zone, "dam_events"):
        if accepts("dam_events", text):
            doc = json.loads(text)
            assert set(doc) == {
                "id",
                "occurred_at",
                "cloud_name",
                "actor",
                "action",
                "target",
                "details",
            }
            assert doc["actor"]["type"] in {"user", "api_key", "system"}
            actions[doc["action"]] += 1
    expected = {
        "user.logged_in",
        "collection.created",
        "collection.assets_added",
        "collection.published",
        "collection.opened",
        "collection.closed",
        "portal.created",
        "portal.published",
        "portal.assets_added",
        "user.created",
        "user.disabled",
        "user_group.member_added",
        "product_environment.updated",
        "api_key.created",
    }
    assert expected <= set(actions)


def test_manifest_counts_match_the_files(small_zone, small_manifest):
    for feed in ("notifications", "dam_events"):
        lines = list(zone_lines(small_zone, feed))
        rejected = sum(not accepts(feed, text) for _, _, text in lines)
        counts = small_manifest["feeds"][feed]
        assert counts["lines"] == len(lines)
        assert counts["malformed"] == rejected > 0


def test_awkward_cases_are_present(small_zone):
    late = copies = 0
    seen: set[str] = set()
    for name, _, text in zone_lines(small_zone, "dam_events"):
        if not accepts("dam_events", text):
            continue
        doc = json.loads(text)
        arrival = name.split("/")[1]
        late += parse_utc(doc["occurred_at"]).date().isoformat() < arrival
        copies += doc["id"] in seen
        seen.add(doc["id"])
    assert late > 0
    assert copies > 0


def test_clean_sample_has_no_faults(tmp_path):
    zone = tmp_path / "clean"
    manifest = generate(SampleConfig(days=3, users=12, events_per_day=200), zone)
    for feed in ("notifications", "dam_events"):
        assert manifest["feeds"][feed]["malformed"] == 0
        assert manifest["feeds"][feed]["redelivered"] == 0
        assert all(accepts(feed, text) for _, _, text in zone_lines(zone, feed))


@pytest.mark.parametrize(
    "overrides", [{"days": 0}, {"users": 3}, {"malformed_share": 2.0}, {"events_per_day": 5}]
)
def test_bad_configuration_is_refused(overrides):
    with pytest.raises(ValueError):
        SampleConfig(**overrides)
