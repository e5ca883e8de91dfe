"""Wall time and peak resident memory of a command and every process it starts."""

from __future__ import annotations

import os
import statistics
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Sample:
    seconds: float
    peak_bytes: int


def median(samples: Sequence[Sample]) -> Sample:
    return Sample(
        statistics.median(s.seconds for s in samples),
        int(statistics.median(s.peak_bytes for s in samples)),
    )


def _processes() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, resident bytes) of every live process."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            resident = int((entry / "statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
        found[int(entry.name)] = (int(stat.rsplit(")", 1)[1].split()[1]), resident)
    return found


def tree_resident_bytes(roots: Iterable[int]) -> int:
    """Resident memory of the given processes and all their descendants, summed."""
    processes = _processes()
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in processes.items():
        children.setdefault(parent, []).append(pid)
    total, stack, seen = 0, [p for p in roots if p in processes], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += processes[pid][1]
        stack.extend(children.get(pid, []))
    return total


class PeakMemory:
    """Samples the resident memory of a process tree every `every` seconds, in a thread."""

    def __init__(self, roots: Callable[[], Iterable[int]], every: float = 0.1):
        self.roots, self.every, self.peak = roots, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_resident_bytes(self.roots()))
            self._stop.wait(self.every)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, tree_resident_bytes(self.roots()))


def measure(command: Sequence[str], env: dict[str, str], log: Path) -> Sample:
    """Run a command to its end; fail with its log when it fails."""
    with open(log, "w") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        with PeakMemory(lambda: [process.pid]) as memory:
            # wait4 also gives the largest resident size of any process of the tree: a floor
            # for a tree too short-lived for the sampler.
            _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    process.returncode = code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({code}):\n{log.read_text()[-3000:]}")
    return Sample(seconds, max(memory.peak, usage.ru_maxrss * 1024))
