"""A landing zone whose increment day is thinned to a fixed size, so the increment can be
timed on every history with the same day: the generator's day grows with the account, and
an increment that grows from 1 M to 30 M events of history could otherwise be the day's
growth as well as the history's."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

# The feeds whose lines are the day's activity; the others are snapshots of the account.
ACTIVITY_FEEDS = ("dam_events", "notifications")


def thinning(events_per_day: int, kept_events_per_day: int) -> int:
    """Keep every k-th line so that a day of `events_per_day` comes near the kept size."""
    return max(1, round(events_per_day / kept_events_per_day))


def thinned_zone(zone: Path, target: Path, day: date, every: int) -> Path:
    """`target` mirrors `zone` by hard links (the loader reads no symbolic link), except that
    the activity files of `day` keep only every `every`-th line (the first, then every
    `every`-th after it)."""
    shutil.rmtree(target, ignore_errors=True)
    for source in sorted(p for p in zone.rglob("*") if p.is_file()):
        relative = source.relative_to(zone)
        copy = target / relative
        copy.parent.mkdir(parents=True, exist_ok=True)
        if relative.parts[0] in ACTIVITY_FEEDS and day.isoformat() in relative.parts[:-1]:
            with source.open() as lines, copy.open("w") as kept:
                kept.writelines(line for number, line in enumerate(lines) if number % every == 0)
        else:
            try:
                os.link(source, copy)
            except OSError:  # another file system: a copy
                shutil.copyfile(source, copy)
    return target
