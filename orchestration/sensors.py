"""The landing sensor: files that appear or change in the landing zone are loaded within
minutes, by the load job, without anyone launching a run. The daily schedule stays as the
safety net.

Each tick lists the landing zone (names, sizes and modification times; nothing is read)
and gives every arrival day a fingerprint of its files. The cursor keeps the fingerprints
the sensor has seen: a day whose fingerprint changed is loaded again, and its rows are
replaced, so today's arrival day grows as its files arrive. A day with a file changed in
the last few seconds is still being written and waits for the next tick.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg

from orchestration.ingest.feeds import FEEDS
from orchestration.landing import DAY_FOLDER
from orchestration.partitions import run_tags
from orchestration.settings import Settings


@dataclass(frozen=True)
class DayFiles:
    """One arrival day's landing files, as a listing sees them."""

    fingerprint: str  # of every file's path, size and modification time
    newest: float  # the latest modification time (seconds since the epoch)


def landing_state(landing: Path) -> dict[date, DayFiles]:
    """Every arrival day of the landing zone with its files' fingerprint. Links are listed,
    not followed: the load quarantines them, and a change to one is a change to its day."""
    listed: dict[date, list[tuple[str, int, int]]] = {}
    for relative, stat in _entries(landing):
        day = _day_of(relative)
        if day is not None:
            listed.setdefault(day, []).append((relative, stat.st_size, stat.st_mtime_ns))
    return {day: _day_files(files) for day, files in listed.items()}


def _entries(landing: Path) -> Iterator[tuple[str, os.stat_result]]:
    """(path relative to the landing zone, lstat) of everything that is not a folder."""
    folders = [landing]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                folders.append(Path(entry.path))
                continue
            try:
                stat = entry.stat(follow_symlinks=False)
            except FileNotFoundError:  # removed while listed
                continue
            yield Path(entry.path).relative_to(landing).as_posix(), stat


def _day_of(relative: str) -> date | None:
    """The arrival day a file belongs to: the first folder or file below its feed named
    after a day."""
    for part in relative.split("/")[1:]:
        match = DAY_FOLDER.match(part)
        if match:
            try:
                return date.fromisoformat(match.group(1))
            except ValueError:
                return None
    return None


def _day_files(files: list[tuple[str, int, int]]) -> DayFiles:
    digest = hashlib.blake2b(digest_size=8)
    for path, size, mtime_ns in sorted(files):
        digest.update(f"{path}\0{size}\0{mtime_ns}\n".encode(errors="surrogateescape"))
    return DayFiles(digest.hexdigest(), max(mtime_ns for *_, mtime_ns in files) / 1e9)


@dataclass(frozen=True)
class Decision:
    days: list[date]  # to load
    waiting: list[date]  # still being written, or not yet a partition
    cursor: dict[str, str]  # the fingerprints seen, to keep for the next tick


def decide(
    state: Mapping[date, DayFiles],
    seen: Mapping[str, str] | None,
    loaded_at: float | None,
    now: float,
    settle_seconds: float,
    first_day: date,
) -> Decision:
    """Which arrival days to load. `seen` holds the fingerprints of the last tick; without
    them (the sensor's first tick), a day is loaded when it has a file newer than the last
    load (`loaded_at`), or always when the zone was never loaded."""
    today = datetime.fromtimestamp(now, UTC).date()
    days, waiting, cursor = [], [], dict(seen or {})
    for day, files in sorted(state.items()):
        key = day.isoformat()
        if seen is not None:
            changed = seen.get(key) != files.fingerprint
        else:
            changed = loaded_at is None or files.newest > loaded_at
        if changed and (files.newest > now - settle_seconds or day > today):
            waiting.append(day)
            continue
        if changed and day >= first_day:
            days.append(day)
        cursor[key] = files.fingerprint
    return Decision(days, waiting, cursor)


def day_ranges(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) ranges: one run per range."""
    ranges: list[tuple[date, date]] = []
    for day in sorted(days):
        if ranges and day == ranges[-1][1] + timedelta(days=1):
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


def load_request(first: date, last: date, cursor: Mapping[str, str]) -> dg.RunRequest:
    """The run that loads [first, last]. Its key names the files it loads: the same files
    are never requested twice, changed ones always are."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    digest = hashlib.blake2b("".join(cursor[d.isoformat()] for d in days).encode(), digest_size=8)
    key = f"landing {first}..{last} {digest.hexdigest()}"
    if first == last:
        return dg.RunRequest(run_key=key, partition_key=first.isoformat())
    return dg.RunRequest(run_key=key, tags=run_tags(first, last))


def last_load(instance: dg.DagsterInstance) -> float | None:
    """When every feed had last been loaded (the earliest of their latest loads), if ever."""
    times = []
    for feed in FEEDS:
        event = instance.get_latest_materialization_event(dg.AssetKey(["raw", feed.name]))
        if event is None:
            return None
        times.append(event.timestamp)
    return min(times)


def build_landing_sensor(job, settings: Settings) -> dg.SensorDefinition:
    @dg.sensor(
        name="landing_files",
        job=job,
        minimum_interval_seconds=max(round(settings.landing_poll_minutes * 60), 1),
        default_status=(
            dg.DefaultSensorStatus.RUNNING
            if settings.watch_landing
            else dg.DefaultSensorStatus.STOPPED
        ),
        description=(
            "Loads the arrival days whose landing files appeared or changed "
            f"(every {settings.landing_poll_minutes:g} min, DAM_LANDING_POLL_MINUTES)."
        ),
    )
    def landing_files(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        seen = json.loads(context.cursor) if context.cursor else None
        decision = decide(
            landing_state(settings.landing_dir),
            seen,
            last_load(context.instance) if seen is None else None,
            time.time(),
            settings.landing_settle_seconds,
            settings.first_arrival_day,
        )
        if decision.waiting:
            context.log.info(f"Waiting for {', '.join(map(str, decision.waiting))}")
        requests = [load_request(*r, decision.cursor) for r in day_ranges(decision.days)]
        return dg.SensorResult(
            run_requests=requests,
            cursor=json.dumps(decision.cursor, sort_keys=True),
            skip_reason=None if requests else "No new or changed landing files",
        )

    return landing_files
