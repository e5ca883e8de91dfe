"""The DuckDB warehouse as a Dagster resource: one place that opens the file, with the
settings every connection needs (UTC, a memory limit, a spill folder)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.settings import Settings


class WarehouseUnavailable(RuntimeError):
    """The DuckDB file cannot be opened; the message says why and what to do."""


class Warehouse(dg.ConfigurableResource):
    path: str
    memory_limit: str = "3GB"
    temp_directory: str = ""
    # A writer waits this long for another process (a reader, the dbt process of a run that
    # was just killed) to let go of the file before it fails.
    lock_wait_seconds: float = 60

    @classmethod
    def from_settings(cls, settings: Settings) -> Warehouse:
        return cls(
            path=str(settings.warehouse_path),
            memory_limit=settings.duckdb_memory_limit,
            temp_directory=str(settings.duckdb_temp_dir),
            lock_wait_seconds=settings.lock_wait_seconds,
        )

    @contextmanager
    def connect(
        self, read_only: bool = False, wait_seconds: float = 0
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """Open the warehouse; while another process holds it for writing, retry for up to
        `wait_seconds` before giving up with a message that says what to do."""
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        config = {"memory_limit": self.memory_limit}
        if self.temp_directory:
            config["temp_directory"] = self.temp_directory
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                con = duckdb.connect(self.path, read_only=read_only, config=config)
                break
            except duckdb.IOException as error:
                if "lock" in str(error).lower() and time.monotonic() < deadline:
                    time.sleep(2)
                    continue
                raise self._unavailable(error) from error
        try:
            con.execute("set TimeZone = 'UTC'")
            con.execute("set enable_progress_bar = false")
            yield con
        finally:
            con.close()

    def _unavailable(self, error: duckdb.IOException) -> WarehouseUnavailable:
        if "lock" in str(error).lower():
            return WarehouseUnavailable(
                f"The warehouse {self.path} is open for writing by another process. "
                "Wait for the running job to finish (or stop the process named below), "
                f"then retry. DuckDB said: {error}"
            )
        return WarehouseUnavailable(
            f"The warehouse {self.path} cannot be opened ({error}). If the file is damaged, "
            "restore it from a backup, or move it aside and run the load again to rebuild it "
            "from the landing zone."
        )
