"""Dagster's SQLite event log, writing a batch of asset events in one transaction.

A run over a year of arrival days records one planned and one materialization event per
asset and day. The stock SQLite storage writes each on its own (a new engine, connection
and commit per event, into two database files), which made those events most of a long
ingest run. Dagster hands asset events over in batches when `DAGSTER_EVENT_BATCH_SIZE` is
set; this storage sets it and stores each batch with one transaction per file. The events
that come one at a time (steps, dbt's tests as asset checks and the lookups behind them)
reuse one open connection per database file instead of opening one per event: closing the
last connection to a file in SQLite's WAL mode writes the log back into the file, which
the stock storage does after every event. Commits skip the disk flush that WAL mode does
not need for a consistent file (`synchronous = NORMAL`).

`dam-usage` writes it into the Dagster homes it sets up (orchestration/home.py), with the
same files as the stock storage, unless the instance settings choose a storage of their own.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from dagster._core.events import ASSET_CHECK_EVENTS, ASSET_EVENTS
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

BATCH_SIZE = "1000"
# The index file and the latest runs' files: a long-lived process (webserver, daemon) sees
# many runs, and an engine (and its connection) is dropped once its run is this far behind.
ENGINES_KEPT = 8


class BatchingSqliteEventLogStorage(SqliteEventLogStorage):
    """The stock SQLite event log (same files, same tables) with a one-transaction batch write."""

    def __init__(self, base_dir: str, inst_data=None):
        # Dagster reads the variable whenever it hands over an event, in every process that
        # opens this instance (CLI, run workers, webserver, daemon).
        os.environ.setdefault("DAGSTER_EVENT_BATCH_SIZE", BATCH_SIZE)
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        super().__init__(base_dir, inst_data=inst_data)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        """The stock connection (in a transaction), from a kept engine and its open connection."""
        with self._db_lock:
            # One connection per file, used by one thread at a time (under the lock).
            engine = self._engines.pop(shard, None) or self._open(shard)
            self._engines[shard] = engine
            self._drop_engines(keep=ENGINES_KEPT)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _open(self, shard: str) -> Engine:
        engine = create_engine(
            self.conn_string_for_shard(shard),
            poolclass=StaticPool,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        )
        with engine.connect() as conn:
            # In WAL mode NORMAL skips the disk flush of every commit (a dbt run's tests
            # arrive as one event each) and still never corrupts the file; a power cut or an
            # operating system crash, not a crashed process, can lose the last events.
            conn.exec_driver_sql("PRAGMA synchronous = NORMAL")
        return engine

    def _drop_engines(self, keep: int) -> None:
        """Closes the least recently used engines (and their connections) beyond `keep`."""
        while len(self._engines) > keep:
            self._engines.popitem(last=False)[1].dispose()

    def wipe(self) -> None:
        """Closes the kept connections first: wiping deletes the runs' files."""
        with self._db_lock:
            self._drop_engines(keep=0)
        super().wipe()

    def dispose(self) -> None:
        with self._db_lock:
            self._drop_engines(keep=0)
        super().dispose()

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(inst_data=inst_data, **config_value)

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        if len({event.run_id for event in events}) != 1:
            super().store_event_batch(events)
            return
        with self.run_connection(events[0].run_id) as conn:
            conn.execute(self.prepare_insert_event_batch(events))
        indexed = [
            event
            for event in events
            if event.is_dagster_event
            and event.dagster_event_type in ASSET_EVENTS | ASSET_CHECK_EVENTS
        ]
        if not indexed:
            return
        with self.index_transaction() as conn:
            ids = [
                conn.execute(self.prepare_insert_event(event)).inserted_primary_key[0]
                for event in indexed
            ]
            stored = list(zip(indexed, ids, strict=True))
            assets = [(e, i) for e, i in stored if e.dagster_event_type in ASSET_EVENTS]
            if assets:
                self._store_asset_event_tags(conn, [e for e, _ in assets], [i for _, i in assets])
            for event, event_id in assets:
                self._store_asset_event(conn, event, event_id)
        for event, event_id in stored:
            if event.dagster_event_type in ASSET_CHECK_EVENTS:
                self.store_asset_check_event(event, event_id)
