"""The published serving file, opened read-only and followed from build to build.

Publishing renames a new file into place; a connection keeps reading the file it opened.
Each request asks for a cursor: when the file at the path is no longer the one open, a new
connection is opened and later requests use it. The old connection goes when its last
cursor does. Nothing here takes a lock the pipeline waits for.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb


class NotPublished(LookupError):
    """There is no serving file yet."""


@dataclass(frozen=True)
class Build:
    build_id: str
    built_at: datetime
    complete_through: date | None
    first_day: date | None


class ServingFile:
    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._identity: tuple[int, int, int] | None = None

    def cursor(self) -> duckdb.DuckDBPyConnection:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            raise NotPublished(
                f"No published marts at {self.path} yet: run `dam-usage run` first"
            ) from None
        identity = (stat.st_dev, stat.st_ino, stat.st_mtime_ns)
        with self._lock:
            if identity != self._identity or self._connection is None:
                self._connection = duckdb.connect(str(self.path), read_only=True)
                self._identity = identity
            return self._connection.cursor()


def build_of(cursor: duckdb.DuckDBPyConnection) -> Build:
    build_id, built_at, complete_through, first_day = cursor.execute(
        "select build_id, built_at, complete_through, first_arrival_day from serving_build"
    ).fetchone()
    return Build(build_id, built_at, complete_through, first_day)
