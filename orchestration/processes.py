"""Runs this project executes in its own processes, and what to do when one is killed.

A run executed by `dam-usage` holds the `duckdb` pool slot in the Dagster instance; if its
process is killed, nothing would give the slot back without a daemon, and every later run
would wait for it. Each such run is tagged with its process, and every run, while it runs,
reclaims the runs whose process is gone (every DAM_SLOT_RECLAIM_SECONDS).
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: `alive` serves commands that need no Dagster
    import dagster as dg

PID_TAG = "dam/pid"
HOST_TAG = "dam/host"


def process_tags() -> dict[str, str]:
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A killed process whose parent has not reaped it yet (a zombie) is not running.
    try:
        state = next(
            line
            for line in Path(f"/proc/{pid}/status").read_text().splitlines()
            if line.startswith("State:")
        )
    except (OSError, StopIteration):
        return True
    return "\tZ" not in state


def reclaim_abandoned_runs(instance: dg.DagsterInstance) -> list[str]:
    """Fail the unfinished runs of this machine whose process is gone; free their slots."""
    import dagster as dg

    runs = instance.get_runs(
        filters=dg.RunsFilter(
            statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING],
            tags={HOST_TAG: socket.gethostname()},
        )
    )
    reclaimed = []
    for run in runs:
        pid = int(run.tags.get(PID_TAG, "0") or 0)
        if pid and pid != os.getpid() and not alive(pid):
            instance.report_run_failed(run, "The run's process ended before the run finished")
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
            reclaimed.append(run.run_id)
    return reclaimed


@contextmanager
def reclaiming(
    instance: dg.DagsterInstance, every_seconds: float, on_reclaim: Callable[[str], None]
) -> Iterator[None]:
    """Reclaim abandoned runs at once, then every `every_seconds` until the block ends, so
    a run waiting for the pool slot of a run killed meanwhile does not wait for ever."""
    stop = threading.Event()

    def watch() -> None:
        while True:
            for run_id in reclaim_abandoned_runs(instance):
                on_reclaim(run_id)
            if stop.wait(every_seconds):
                return

    watcher = threading.Thread(target=watch, name="reclaim-abandoned-runs", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()


def announce_reclaimed(run_id: str) -> None:
    """What a run prints (into its log) when it reclaimed a killed run."""
    print(f"Run {run_id} had been killed: marked failed, its DuckDB slot freed", flush=True)
