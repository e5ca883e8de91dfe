"""Dagster's SQLite event log, writing a batch of asset events in one transaction.

A run over a year of arrival days records one planned and one materialization event per
asset and day. The stock SQLite storage writes each on its own (a new engine, connection
and commit per event, into two database files), which made those events most of a long
ingest run. Dagster hands asset events over in batches when `DAGSTER_EVENT_BATCH_SIZE` is
set; this storage sets it and stores each batch with one transaction per file.

`dam-usage` writes it into the Dagster homes it sets up (orchestration/home.py), with the
same files as the stock storage, unless the instance settings choose a storage of their own.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from dagster._core.events import ASSET_CHECK_EVENTS, ASSET_EVENTS
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log import SqliteEventLogStorage

BATCH_SIZE = "1000"


class BatchingSqliteEventLogStorage(SqliteEventLogStorage):
    """The stock SQLite event log (same files, same tables) with a one-transaction batch write."""

    def __init__(self, base_dir: str, inst_data=None):
        # Dagster reads the variable whenever it hands over an event, in every process that
        # opens this instance (CLI, run workers, webserver, daemon).
        os.environ.setdefault("DAGSTER_EVENT_BATCH_SIZE", BATCH_SIZE)
        super().__init__(base_dir, inst_data=inst_data)

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
