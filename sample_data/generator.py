"""Writes a landing zone of a believable DAM account, deterministic for a given seed.

The activity (notifications and DAM events, the bulk) is generated and written by DuckDB
in chunks of arrival days, so millions of events stream to disk without a Python loop
per event. The daily snapshots (account, users, usage) are small and written from Python.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import duckdb

from sample_data.account import GROUP_NAMES, Cast, User, build_cast, iso, stable_hex

ACTIVITY_SQL = Path(__file__).with_name("activity.sql")
MANIFEST_NAME = "_sample_manifest.json"
DAYS_PER_CHUNK = 16
ADD_ONS = {"background_removal": 500, "adv_ocr": 1000, "webpurify": 2000}


@dataclass(frozen=True)
class SampleConfig:
    seed: int = 7
    start: date = date(2024, 5, 1)
    days: int = 30
    environments: int = 4
    users: int = 40
    events_per_day: int = 2000
    plan: str = "enterprise"
    activity_reports: bool = True
    late_share: float = 0.0
    redelivery_share: float = 0.0
    malformed_share: float = 0.0

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError("days must be at least 1")
        if self.environments < 1:
            raise ValueError("environments must be at least 1")
        if self.users < 10:
            raise ValueError("users must be at least 10, so that every role is present")
        if self.events_per_day < 6 * self.environments:
            raise ValueError(f"events_per_day must be at least {6 * self.environments}")
        for name in ("late_share", "redelivery_share", "malformed_share"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")

    @classmethod
    def awkward(cls, **overrides) -> SampleConfig:
        """A sample with the faults real feeds have: late, redelivered and malformed lines."""
        faults = {"late_share": 0.02, "redelivery_share": 0.01, "malformed_share": 0.002}
        return cls(**{**faults, **overrides})


def generate(config: SampleConfig, out: Path) -> dict:
    """Write the landing zone under `out` (replacing the feeds it writes); return the manifest."""
    out = Path(out)
    for feed in ("account", "users", "notifications", "dam_events", "usage"):
        shutil.rmtree(out / feed, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    cast = build_cast(config.seed, config.start, config.days, config.environments, config.users)
    with duckdb.connect() as con:
        _prepare(con, config, cast)
        lines = _write_activity(con, config, cast, out)
        logins = _last_logins(con, cast)
        volumes = _daily_volumes(con)
    snapshots = _write_snapshots(config, cast, out, logins, volumes)
    manifest = {
        "config": {**asdict(config), "start": config.start.isoformat()},
        "feeds": {**lines, **snapshots},
    }
    (out / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def sql_string(value: object) -> str:
    """A SQL string literal, for the few places (COPY targets) that take no parameters."""
    return "'" + str(value).replace("'", "''") + "'"


def day_name(config: SampleConfig, day: int) -> str:
    return (config.start + timedelta(days=day)).isoformat()


def _prepare(con: duckdb.DuckDBPyConnection, config: SampleConfig, cast: Cast) -> None:
    con.execute("set TimeZone = 'UTC'")
    con.execute("set enable_progress_bar = false")
    start_epoch = int(datetime.combine(config.start, time(), tzinfo=UTC).timestamp())
    actors = [u for u in cast.users if u.can_act()]
    variables = {
        "seed": config.seed,
        "start_epoch": start_epoch,
        "days": config.days,
        "per_day": config.events_per_day,
        "environments": config.environments,
        "actors": len(actors),
        "late_share": config.late_share,
        "redelivery_share": config.redelivery_share,
        "malformed_share": config.malformed_share,
    }
    for name, value in variables.items():
        con.execute(f"set variable {name} = ?", [value])
    con.execute("create table environments (env integer, cloud_name varchar)")
    con.executemany(
        "insert into environments values (?, ?)",
        [(e.index, e.cloud_name) for e in cast.environments],
    )
    con.execute("create table actors (slot bigint, user_id varchar)")
    con.executemany("insert into actors values (?, ?)", list(enumerate(u.id for u in actors)))
    con.execute(ACTIVITY_SQL.read_text())
    con.execute(
        "create table account_event_lines "
        "(i bigint, env integer, arrival_day bigint, redelivered boolean, day bigint, "
        "step integer, line varchar)"
    )
    con.executemany(
        "insert into account_event_lines values (?, null, ?, false, ?, 0, ?)",
        list(_account_events(config, cast)),
    )


def _account_events(config: SampleConfig, cast: Cast) -> Iterator[tuple[int, int, int, str]]:
    """User lifecycle events that match the user snapshots (created, disabled, grouped)."""
    origin = datetime.combine(config.start, time(9), tzinfo=UTC)
    admin = cast.users[0]
    row = -(10**9)
    for user in cast.users:
        happenings = []
        if 0 <= user.created_day < config.days:
            happenings.append((user.created_day, "user.created", {"role": user.role}))
            happenings += [
                (user.created_day, "user_group.member_added", {"user_id": user.id, "group": g})
                for g in user.groups
            ]
        if user.disabled_day is not None and user.disabled_day < config.days:
            happenings.append((user.disabled_day, "user.disabled", {}))
        for step, (day, action, details) in enumerate(happenings):
            target = (
                {"type": "user_group", "id": f"grp_{details.pop('group')}"}
                if action.startswith("user_group")
                else {"type": "user", "id": user.id}
            )
            event = {
                "id": f"evt_{stable_hex(config.seed, 'account-event', user.id, step, length=24)}",
                "occurred_at": iso(origin + timedelta(days=day, minutes=user.index + step)),
                "cloud_name": None,
                "actor": {"type": "user", "id": admin.id},
                "action": action,
                "target": target,
                "details": details,
            }
            yield row, day, day, json.dumps(event, ensure_ascii=False, separators=(",", ":"))
            row += 1


_CHUNK_SQL = """
create or replace temp table chunk as
with lines as (
    -- A redelivered copy arrives at most one day after the original.
    select * from (
        select 'notifications' as feed, env, i, 0 as step, arrival_day, redelivered, day, line
        from notification_lines
        union all
        select 'dam_events', null, i, step, arrival_day, redelivered, day, line
        from dam_event_lines
        union all
        select 'dam_events', null, i, step, arrival_day, redelivered, day, line
        from account_event_lines
    )
    where arrival_day >= $first - 1 and arrival_day < $last
),
delivered as (
    select *, 0 as copy from lines
    union all
    select
        * replace (least(getvariable('days') - 1, arrival_day + pick(i, 23, 2)) as arrival_day),
        1 as copy
    from lines
    where redelivered
),
marked as (
    select *, rnd(i * 4 + step * 2 + copy, 50) < getvariable('malformed_share') as malformed
    from delivered
    where arrival_day >= $first and arrival_day < $last
)
select
    feed, env, arrival_day, i, step, copy, malformed, arrival_day > day as late,
    case
        when not malformed then line
        when hash(i, 'fault') % 2 = 0 then left(line, length(line) // 2)
        else regexp_replace(line, '"(\\d{4})-(\\d\\d)-(\\d\\d)T', '"\\3/\\2/\\1 at ', 'g')
    end as line
from marked
order by feed, env, arrival_day, i, step, copy
"""


def _write_activity(con: duckdb.DuckDBPyConnection, config: SampleConfig, cast: Cast, out: Path):
    totals = {
        feed: {"lines": 0, "malformed": 0, "redelivered": 0, "late": 0, "files": 0}
        for feed in ("notifications", "dam_events")
    }
    for first in range(0, config.days, DAYS_PER_CHUNK):
        con.execute(_CHUNK_SQL, {"first": first, "last": first + DAYS_PER_CHUNK})
        files = con.execute(
            "select feed, env, arrival_day, count(*), count(*) filter (where malformed), "
            "count(*) filter (where copy = 1), count(*) filter (where late) "
            "from chunk group by all order by all"
        ).fetchall()
        for feed, env, arrival_day, count, malformed, copies, late in files:
            folder = out / feed
            if env is not None:
                folder = folder / cast.environments[env].cloud_name
            folder = folder / day_name(config, arrival_day)
            folder.mkdir(parents=True, exist_ok=True)
            stem = "events" if feed == "dam_events" else "part"
            env_filter = "env is null" if env is None else f"env = {int(env)}"
            con.execute(
                "copy (select line from chunk "
                f"where feed = $feed and {env_filter} and arrival_day = $day "
                "order by i, step, copy) "
                f"to {sql_string(folder / f'{stem}-0000.jsonl')} "
                "(format csv, header false, quote '', escape '', delimiter '\x1f')",
                {"feed": feed, "day": arrival_day},
            )
            total = totals[feed]
            total["lines"] += count
            total["malformed"] += malformed
            total["redelivered"] += copies
            total["late"] += late
            total["files"] += 1
    return totals


def _last_logins(con: duckdb.DuckDBPyConnection, cast: Cast) -> dict[tuple[str, int], int]:
    """Epoch of each user's latest sign-in on each day they signed in."""
    actors = [u for u in cast.users if u.can_act()]
    rows = con.execute(
        "select actor_slot, day, max(epoch) from activity "
        "where kind = 'user.logged_in' group by all"
    ).fetchall()
    return {(actors[slot].id, day): epoch for slot, day, epoch in rows}


def _daily_volumes(con: duckdb.DuckDBPyConnection) -> dict[tuple[int, int], tuple[int, int, int]]:
    rows = con.execute(
        "select env, day, count(*) filter (where kind = 'upload'), "
        "count(*) filter (where kind = 'delete'), count(*) from activity group by all"
    ).fetchall()
    return {(env, day): (uploads, deletes, events) for env, day, uploads, deletes, events in rows}


def _write_json(path: Path, document: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_snapshots(config, cast: Cast, out: Path, logins, volumes) -> dict:
    origin = datetime.combine(config.start, time(), tzinfo=UTC)
    last_login: dict[str, int] = {}
    objects = [0] * len(cast.environments)
    for day in range(config.days):
        name = day_name(config, day)
        _write_json(
            out / "account" / f"{name}.json",
            {
                "account_id": cast.account_id,
                "plan": config.plan,
                "features": {"activity_reports": config.activity_reports},
                "product_environments": [e.as_json() for e in cast.environments],
            },
        )
        for user in cast.users:
            if (user.id, day) in logins:
                last_login[user.id] = logins[(user.id, day)]
        _write_json(out / "users" / f"{name}.json", _users_snapshot(cast, day, origin, last_login))
        for env in cast.environments:
            uploads, deletes, events = volumes.get((env.index, day), (0, 0, 0))
            objects[env.index] += uploads - deletes
            _write_json(
                out / "usage" / env.cloud_name / f"{name}.json",
                _usage_report(config, env.index, day, objects[env.index], events),
            )
    files = {"files": config.days}
    return {
        "account": files,
        "users": files,
        "usage": {"files": config.days * len(cast.environments)},
    }


def _users_snapshot(cast: Cast, day: int, origin: datetime, last_login: dict[str, int]) -> dict:
    present = [u for u in cast.users if u.created_day <= day]

    def as_json(user: User) -> dict:
        created = origin + timedelta(days=user.created_day, hours=10, minutes=user.index)
        login = last_login.get(user.id)
        updated = (
            created
            if user.disabled_day is None or day < user.disabled_day
            else (origin + timedelta(days=user.disabled_day, hours=9))
        )
        return {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "role": user.role,
            "enabled": user.disabled_day is None or day < user.disabled_day,
            "pending": user.pending,
            "created_at": iso(created),
            "updated_at": iso(updated),
            "last_login": iso(datetime.fromtimestamp(login, UTC)) if login else None,
            "sub_account_ids": [
                e.id for e in cast.environments if user.index < 7 or (user.index + e.index) % 2 == 0
            ],
        }

    return {
        "users": [as_json(u) for u in present],
        "user_groups": [
            {
                "id": f"grp_{g}",
                "name": group,
                "users": [{"id": u.id} for u in present if g in u.groups],
            }
            for g, group in enumerate(GROUP_NAMES)
        ],
    }


def _usage_report(config: SampleConfig, env: int, day: int, objects: int, events: int) -> dict:
    date_ = config.start + timedelta(days=day)
    month_day = date_.day
    seed = stable_hex(config.seed, "usage", env, day)
    jitter = int(seed[:4], 16) / 65535

    def metered(usage: float, limit: float, credits_per_unit: float) -> dict:
        return {
            "usage": round(usage),
            "limit": round(limit),
            "used_percent": round(100 * usage / limit, 2),
            "credits_usage": round(usage * credits_per_unit, 2),
        }

    transformations = events * 3 * month_day * (0.8 + 0.4 * jitter)
    storage = objects * 1_500_000
    bandwidth = events * 2_000_000 * month_day * (0.5 + jitter)
    credits = transformations / 1000 + storage / 1e9 + bandwidth / 1e9
    report = {
        "plan": config.plan.title(),
        "last_updated": date_.isoformat(),
        "transformations": metered(transformations, 5_000_000, 0.001),
        "objects": {"usage": objects},
        "bandwidth": metered(bandwidth, 2e12, 1e-9),
        "storage": metered(storage, 1e12, 1e-9),
        "credits": {
            "usage": round(credits, 2),
            "limit": 1500,
            "used_percent": round(credits / 15, 2),
        },
        "requests": events * 40,
        "resources": objects,
        "derived_resources": objects * 3,
        "media_limits": {
            "image_max_size_bytes": 20_971_520,
            "video_max_size_bytes": 104_857_600,
            "raw_max_size_bytes": 10_485_760,
            "image_max_px": 25_000_000,
            "asset_max_total_px": 50_000_000,
        },
    }
    for offset, (name, limit) in enumerate(ADD_ONS.items()):
        if (env + offset) % 3 != 2:  # not every environment registers every add-on
            report[name] = {"usage": (events // 50 + offset) * month_day % limit, "limit": limit}
    return report
