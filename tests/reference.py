"""An independent reading of a landing zone, in plain Python, that the marts are checked
against. It shares no code with the dbt models: it replays the events one by one."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from tests.conftest import accepts, notification_time, parse_utc, zone_lines


@dataclass
class Action:
    scope: str  # product environment, or "(account)"
    day: date
    at: object
    actor_type: str
    actor_id: str | None
    action: str
    target: str | None
    asset_type: str | None = None
    details: dict = field(default_factory=dict)
    order: str = ""


def _names(doc: dict) -> list[tuple[str, str | None]]:
    """(asset key, type) of every asset a notification names, without repeats."""
    resources = doc.get("resources")
    items = list(resources.values()) if isinstance(resources, dict) else resources or []
    found = []
    for item in items:
        found.append((item.get("asset_id") or item.get("public_id"), item.get("resource_type")))
    if doc.get("asset_id"):
        found.append((doc["asset_id"], doc.get("resource_type")))
    unique = []
    for name in found:
        if name not in unique:
            unique.append(name)
    return unique


class Reference:
    def __init__(self, zone: Path):
        self.zone = zone
        self.actions: list[Action] = []
        self.uploads: list[tuple[str, str, object, str, int]] = []  # env, id, at, type, bytes
        seen_events: set[str] = set()
        for _, _, text in zone_lines(zone, "dam_events"):
            if not accepts("dam_events", text):
                continue
            doc = json.loads(text)
            if str(doc["id"]) in seen_events:
                continue
            seen_events.add(str(doc["id"]))
            at = parse_utc(doc["occurred_at"])
            actor = doc.get("actor") or {}
            target = doc.get("target") or {}
            self.actions.append(
                Action(
                    scope=doc.get("cloud_name") or "(account)",
                    day=at.date(),
                    at=at,
                    actor_type=actor.get("type"),
                    actor_id=actor.get("id"),
                    action=doc["action"],
                    target=target.get("id"),
                    details=doc.get("details") or {},
                    order=str(doc["id"]),
                )
            )
        seen_notifications: set[tuple[str, str]] = set()
        for name, _, text in zone_lines(zone, "notifications"):
            if not accepts("notifications", text):
                continue
            env = name.split("/")[1]
            doc = json.loads(text)
            key = (env, json.dumps(doc, sort_keys=True))
            if key in seen_notifications:
                continue
            seen_notifications.add(key)
            at = parse_utc(notification_time(doc))
            trigger = (doc.get("notification_context") or {}).get("triggered_by") or {}
            by_user = trigger.get("source") == "ui"
            for asset, asset_type in _names(doc) or [(None, None)]:
                self.actions.append(
                    Action(
                        scope=env,
                        day=at.date(),
                        at=at,
                        actor_type="user" if by_user else "api",
                        actor_id=trigger.get("id"),
                        action=doc["notification_type"],
                        target=asset,
                        asset_type=asset_type,
                    )
                )
            if doc["notification_type"] == "upload":
                self.uploads.append((env, doc["asset_id"], at, doc["resource_type"], doc["bytes"]))
        # The marts serve complete days only: up to the last arrival day (a folder name).
        self.complete_through = max(
            date.fromisoformat(part[:10])
            for path in zone.rglob("*")
            for part in path.relative_to(zone).parts[1:]
            if len(part) >= 10 and part[4] == "-" and part[:4].isdigit()
        )
        self.days = sorted({a.day for a in self.actions if a.day <= self.complete_through})

    # --- metrics -------------------------------------------------------------------

    def assets(self, day: date) -> dict[tuple[str, str], tuple[int, int]]:
        """(env, type) -> (count, bytes) at the end of `day`."""
        first: dict[tuple[str, str], tuple] = {}
        for env, asset, at, asset_type, size in sorted(self.uploads, key=lambda u: u[2]):
            first.setdefault((env, asset), (at, asset_type, size))
        totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for (env, asset), (at, asset_type, size) in first.items():
            deletes = [
                a.at
                for a in self.actions
                if a.action == "delete" and a.scope == env and a.target == asset and a.at >= at
            ]
            deleted = min(deletes).date() if deletes else None
            if at.date() <= day and (deleted is None or deleted > day):
                totals[(env, asset_type)][0] += 1
                totals[(env, asset_type)][1] += size
        return {k: tuple(v) for k, v in totals.items()}

    def uploads_per_day(self) -> Counter:
        """(day, env, source, type) -> uploads."""
        return Counter(
            (a.day, a.scope, "user" if a.actor_type == "user" else "api", a.asset_type)
            for a in self.actions
            if a.action == "upload" and a.day <= self.complete_through
        )

    def views_per_day(self) -> Counter:
        """(day, env, collection) -> views."""
        first: dict[tuple, date] = {}
        for a in self.actions:
            if a.action == "collection.opened":
                key = (a.scope, a.target, a.details.get("view_id") or a.order)
                first[key] = min(first.get(key, a.day), a.day)
        return Counter(
            (day, env, collection)
            for (env, collection, _), day in first.items()
            if day <= self.complete_through
        )

    def users_by_role(self, day: date) -> Counter:
        snapshots = sorted(
            p for p in (self.zone / "users").glob("*.json") if p.stem <= day.isoformat()
        )
        if not snapshots:
            return Counter()
        users = json.loads(snapshots[-1].read_text())["users"]
        return Counter(u["role"] for u in users if u["enabled"] and not u["pending"])

    def containers(self, kind: str) -> dict[tuple[date, str], tuple[int, int, int, int]]:
        """(day, env) -> (existing, distinct assets, published, distinct assets in published),
        replaying the events of collections or portals in event-time order."""
        events = sorted(
            (a for a in self.actions if a.action.startswith(kind + ".") and a.target),
            key=lambda a: (a.at, a.order),
        )
        exists: dict[tuple, bool] = {}
        gone: set[tuple] = set()
        published: dict[tuple, bool] = {}
        members: dict[tuple, set] = defaultdict(set)
        result = {}
        envs = {a.scope for a in self.actions if a.scope != "(account)"}
        position = 0
        for day in self.days:
            while position < len(events) and events[position].day <= day:
                event = events[position]
                position += 1
                key = (event.scope, event.target)
                change = event.action.split(".", 1)[1]
                if change == "created" and key not in exists and key not in gone:
                    exists[key] = True
                elif key not in exists:
                    continue
                elif change == "deleted":
                    del exists[key]
                    gone.add(key)
                    members.pop(key, None)
                    published.pop(key, None)
                elif change in ("published", "unpublished"):
                    published[key] = change == "published"
                elif change == "assets_added":
                    members[key] |= set(event.details.get("asset_ids", []))
                elif change == "assets_removed":
                    members[key] -= set(event.details.get("asset_ids", []))
            for env in envs:
                keys = [k for k in exists if k[0] == env]
                live = [k for k in keys if published.get(k)]
                result[(day, env)] = (
                    len(keys),
                    len(set().union(*(members[k] for k in keys))),
                    len(live),
                    len(set().union(*(members[k] for k in live))),
                )
        return result

    def active_users(self, as_of: date, days: int) -> dict[tuple[str, str], tuple[int, float]]:
        """(scope, user) -> (actions, share of the scope's actions) in [as_of - days, as_of)."""
        window = [a for a in self.actions if as_of - timedelta(days=days) <= a.day < as_of]
        totals = Counter(a.scope for a in window)
        users = Counter(
            (a.scope, a.actor_id) for a in window if a.actor_type == "user" and a.actor_id
        )
        return {key: (n, n / totals[key[0]]) for key, n in users.items()}
