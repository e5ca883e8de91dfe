"""The landing zone's arrival days, read from its folder and file names alone."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

DAY_FOLDER = re.compile(r"^(\d{4}-\d{2}-\d{2})(\.json)?$")


def landing_days(landing: Path) -> list[date]:
    """Every arrival day that has a folder or snapshot file in some feed."""
    days = set()
    for path in landing.glob("*/*") if landing.is_dir() else []:
        days |= _day_names(path)
        if path.is_dir():
            for child in path.iterdir():
                days |= _day_names(child)
    return sorted(days)


def _day_names(path: Path) -> set[date]:
    match = DAY_FOLDER.match(path.name)
    if not match:
        return set()
    try:
        return {date.fromisoformat(match.group(1))}
    except ValueError:
        return set()
