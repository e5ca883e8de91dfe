"""A landing zone small enough to check by eye, and how the tests load it: one arrival day
per run, as the daily schedule does, or all of it at once."""

from __future__ import annotations

import json
import shutil

from tests.conftest import run_cli

ENV = "acme"


ADMIN = {"id": "u-admin", "email": "ada@acme.example", "role": "master_admin"}


EDITOR = {"id": "u-edit", "email": "eve@acme.example", "role": "media_library_user"}


def user(person: dict) -> dict:
    return {
        **person,
        "name": person["email"].split("@")[0],
        "enabled": True,
        "pending": False,
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-01T00:00:00Z",
        "last_login": None,
        "sub_account_ids": [],
    }


def upload(asset: str, kind: str, at: str, source: str) -> dict:
    trigger = {"source": source, "id": EDITOR["id"] if source == "ui" else "key-1"}
    return {
        "notification_type": "upload", "asset_id": asset, "public_id": f"p/{asset}",
        "resource_type": kind, "type": "upload", "bytes": 100, "created_at": at,
        "timestamp": at, "notification_context": {"triggered_at": at, "triggered_by": trigger},
    }  # fmt: skip


def event(event_id: str, at: str, action: str, target: str, **details) -> dict:
    return {
        "id": event_id, "occurred_at": at, "cloud_name": ENV,
        "actor": {"type": "user", "id": EDITOR["id"]}, "action": action,
        "target": {"type": "collection", "id": target}, "details": details,
    }  # fmt: skip


DAY1 = "2024-05-01T10:00:00Z"


FILES = {
    # Day 1: three uploads (two API images, one user video), one of them delivered twice.
    f"notifications/{ENV}/2024-05-01/a.jsonl": [
        upload("a1", "image", DAY1, "api"),
        upload("a2", "image", DAY1, "api"),
        upload("a3", "video", DAY1, "ui"),
        upload("a1", "image", DAY1, "api"),
    ],
    # Day 3 brings a day-1 upload that arrived late.
    f"notifications/{ENV}/2024-05-03/a.jsonl": [upload("a4", "raw", DAY1, "ui")],
    "dam_events/2024-05-01/e.jsonl": [
        event("e1", "2024-05-01T09:00:00Z", "collection.created", "c1"),
        event("e2", "2024-05-01T09:01:00Z", "collection.published", "c1"),
        event("e3", "2024-05-01T09:02:00Z", "collection.created", "c2"),
        event("e4", "2024-05-01T09:03:00Z", "collection.published", "c2"),
        event("e5", "2024-05-01T11:00:00Z", "collection.opened", "c1", view_id="v1"),
        event("e6", "2024-05-01T11:30:00Z", "collection.closed", "c1", view_id="v1"),
        event("e7", "2024-05-01T12:00:00Z", "collection.opened", "c1", view_id="v2"),
    ],
    # Day 2: the first open delivered again, by id and under another id with its view_id.
    "dam_events/2024-05-02/e.jsonl": [
        event("e5", "2024-05-01T11:00:00Z", "collection.opened", "c1", view_id="v1"),
        event("e8", "2024-05-01T11:00:00Z", "collection.opened", "c1", view_id="v1"),
        event(
            "e9", "2024-05-02T08:00:00Z", "collection.assets_added", "c1", asset_ids=["a1", "a2"]
        ),
    ],
    "dam_events/2024-05-03/e.jsonl": [],
}


def write_zone(root):
    """FILES, and the account, users and usage snapshots of each day, under `root`."""
    for relative, docs in FILES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(d) + "\n" for d in docs))
    for day in ("2024-05-01", "2024-05-02", "2024-05-03"):
        for feed, doc in (
            ("account", {"account_id": "acc", "plan": "enterprise",
                         "features": {"activity_reports": True},
                         "product_environments": [{"id": "pe1", "cloud_name": ENV, "name": "A",
                                                   "enabled": True, "created_at": DAY1,
                                                   "tracking_enabled": True}]}),
            ("users", {"users": [user(ADMIN), user(EDITOR)], "user_groups": []}),
        ):  # fmt: skip
            (root / feed).mkdir(exist_ok=True)
            (root / feed / f"{day}.json").write_text(json.dumps(doc))
        (root / "usage" / ENV).mkdir(parents=True, exist_ok=True)
        (root / "usage" / ENV / f"{day}.json").write_text(json.dumps({"objects": {"usage": 1}}))


def load_days(data, zone, days) -> None:
    """One `dam-usage run` per arrival day, in the order given, as the schedule loads them."""
    for day in days:
        result = run_cli("run", "--start", day, "--end", day, data=data, landing=zone)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def built_whole(zone, data):
    """The whole zone built in one run, from scratch: what the daily runs must equal."""
    result = run_cli("run", data=data, landing=zone)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return data


def drop_lines(path, unwanted) -> None:
    kept = [line for line in path.read_text().splitlines() if not unwanted(json.loads(line))]
    path.write_text("".join(line + "\n" for line in kept))


def loaded_with_late_events(zone, tmp_path, *late):
    """A copy of the zone whose day 3 brings the late events given, loaded day by day:
    (the changed zone, day 3's event file, the daily runs' data folder)."""
    changed = tmp_path / "zone"
    shutil.copytree(zone, changed)
    day3 = changed / "dam_events/2024-05-03/e.jsonl"
    day3.write_text("".join(json.dumps(doc) + "\n" for doc in late))
    daily = tmp_path / "daily"
    load_days(daily, changed, ("2024-05-01", "2024-05-02", "2024-05-03"))
    return changed, day3, daily
