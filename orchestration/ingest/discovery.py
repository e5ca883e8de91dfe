"""Finding a feed's landing files by listing its folders, never through patterns.

A feed's layout (`"*/{day}/*.jsonl"`: any environment folder, the day's folder, every
`.jsonl` file in it) is walked one level at a time with `os.scandir`, without following a
symbolic link: a link, or anything else that is not a regular file or folder, becomes a
file-level problem, quarantined without being read. The names found are names; whoever
reads a file gets its path, never a pattern to expand. Entries the layout does not expect
(a folder whose name is not a day, a file of another kind) are listed for the run to report.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from orchestration.ingest.feeds import Feed
from orchestration.landing import DAY_FOLDER


@dataclass(frozen=True)
class LandingFile:
    path: Path
    source_file: str  # relative to the landing root: the lineage stored with every row
    arrival_date: date
    cloud_name: str | None
    size: int
    problem: str | None  # why it is not read at all, if so


def day_files(feed: Feed, landing: Path, day: date) -> list[LandingFile]:
    """The landing files of one arrival day, in a stable order, each with its problem if it
    must not be read (a symbolic link on its way, not a regular file, unreadable)."""
    parts = feed.layout.format(day=day.isoformat()).split("/")
    found: list[LandingFile] = []
    _walk(feed, landing, landing / feed.name, parts, day, found)
    return sorted(found, key=lambda f: f.source_file)


def _walk(
    feed: Feed, landing: Path, folder: Path, parts: list[str], day: date, found: list
) -> None:
    part, rest = parts[0], parts[1:]
    for entry in _entries(folder, part):
        path = Path(entry.path)
        if entry.is_symlink():
            found.append(_file(feed, landing, path, day, "symbolic link: not followed"))
        elif rest and entry.is_dir(follow_symlinks=False):
            _walk(feed, landing, path, rest, day, found)
        elif rest:
            if "*" not in part:  # the day's folder itself is something else
                found.append(_file(feed, landing, path, day, "not a folder: not read"))
        else:
            found.append(_file(feed, landing, path, day, _problem(path)))


def _entries(folder: Path, part: str) -> list[os.DirEntry]:
    """The entries of `folder` that a layout part names: `*` any, `*.ext` by suffix, else
    exactly that name."""
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except (FileNotFoundError, NotADirectoryError):
        return []
    if part == "*":
        return entries
    if part.startswith("*"):
        return [e for e in entries if e.name.endswith(part[1:]) and e.name != part[1:]]
    return [e for e in entries if e.name == part]


def _problem(path: Path) -> str | None:
    mode = path.lstat().st_mode
    if not stat.S_ISREG(mode):
        return "not a regular file"
    if not os.access(path, os.R_OK):
        return "unreadable file: permission denied"
    return None


def _file(feed: Feed, landing: Path, path: Path, day: date, problem: str | None) -> LandingFile:
    return LandingFile(
        path=path,
        source_file=path.relative_to(landing).as_posix(),
        arrival_date=day,
        cloud_name=feed.cloud_name(landing, path),
        size=path.lstat().st_size if problem is None else 0,
        problem=problem,
    )


def unexpected_entries(feed: Feed, landing: Path) -> list[str]:
    """Entries of a feed's folder that its layout does not hold, relative to the landing
    root: a folder or snapshot whose name is not a day, a file of another kind in a day's
    folder. They are not read; the run reports them."""
    parts = feed.layout.split("/")
    unexpected: list[str] = []
    _survey(landing, landing / feed.name, parts, unexpected)
    return sorted(unexpected)


def _survey(landing: Path, folder: Path, parts: list[str], unexpected: list[str]) -> None:
    part, rest = parts[0], parts[1:]
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return
    for entry in entries:
        relative = Path(entry.path).relative_to(landing).as_posix()
        if entry.is_symlink():
            continue  # quarantined when its day is loaded, or not a day at all
        if "{day}" in part:
            if not _names_a_day(entry.name, part):
                unexpected.append(relative)
            elif rest and entry.is_dir(follow_symlinks=False):
                _survey(landing, Path(entry.path), rest, unexpected)
        elif part == "*":
            if entry.is_dir(follow_symlinks=False):
                _survey(landing, Path(entry.path), rest, unexpected)
            else:
                unexpected.append(relative)
        elif not entry.name.endswith(part.removeprefix("*")):
            unexpected.append(relative)


def _names_a_day(name: str, part: str) -> bool:
    suffix = part.removeprefix("{day}")
    if not name.endswith(suffix):
        return False
    match = DAY_FOLDER.match(name.removesuffix(suffix))
    if not match:
        return False
    try:
        date.fromisoformat(match.group(1))
    except ValueError:
        return False
    return True
