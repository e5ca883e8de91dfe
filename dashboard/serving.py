"""The published serving file, opened read-only and followed from build to build.

Publishing renames a new file into place; a connection keeps reading the file it opened.
Each request asks for a cursor: when the file at the path is no longer the one open, the
new one is opened. Nothing here takes a lock the pipeline waits for: the pipeline renames,
it never writes into the file a reader has open.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb


class NotPublished(LookupError):
    """There is no serving file yet."""


@dataclass(frozen=True)
class Build:
    build_id: str
    built_at: datetime  # UTC
    first_day: date | None
    last_day: date | None  # the last arrival day served
    complete_through: date | None
    partial_day: date | None  # the last day, while its files may still arrive
    data_through: datetime | None  # the newest event loaded (UTC)

    def age_hours(self, now: datetime) -> float:
        return (now - self.built_at).total_seconds() / 3600


class ServingFile:
    """Read-only cursors on the serving file at `path`, one per request.

    DuckDB keeps one database per path in a process: while any cursor on the old file is
    open, connecting again returns the old file. So a new build is opened once the
    requests reading the old one have finished; requests that arrive meanwhile wait for
    it (milliseconds), and none ever mixes two builds.
    """

    def __init__(self, path: Path):
        self.path = path
        self._changed = threading.Condition()
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._identity: tuple[int, int, int] | None = None
        self._readers = 0

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        identity = self._published()
        with self._changed:
            if identity != self._identity:
                self._changed.wait_for(lambda: self._readers == 0)
                if self._connection is not None:
                    self._connection.close()
                self._connection = duckdb.connect(str(self.path), read_only=True)
                self._identity = identity
            self._readers += 1
            cursor = self._connection.cursor()
        try:
            yield cursor
        finally:
            cursor.close()
            with self._changed:
                self._readers -= 1
                self._changed.notify_all()

    def _published(self) -> tuple[int, int, int]:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            raise NotPublished(
                f"No published marts at {self.path} yet: run `dam-usage run` first"
            ) from None
        return (stat.st_dev, stat.st_ino, stat.st_mtime_ns)


def build_of(cursor: duckdb.DuckDBPyConnection) -> Build:
    try:
        row = cursor.execute(
            "select build_id, built_at, first_arrival_day, last_arrival_day, complete_through, "
            "partial_day, data_through from serving_build"
        ).fetchone()
    except duckdb.BinderException:
        raise NotPublished(
            "The published marts come from an older version of the warehouse: run "
            "`dam-usage run` to publish them again"
        ) from None
    return Build(*row)
