"""What `dam-usage run` shows while it works: dbt's progress as one counter instead of its
whole log, which goes to a file (and to the run's Dagster log) for whoever needs it.

dbt's console output reaches this process's standard output between its "Running with
dbt=" line and its "Done." line. Inside that block a line is written to the log file only,
except the lines that count nodes ("12 of 148 OK ..."), which move the counter, and the
lines of errors and failures, which are shown as they are. Everything else passes through.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TextIO

NODE = re.compile(r"^\s*(\d+) of (\d+) (OK|PASS|ERROR|FAIL|WARN|SKIP|NO-OP)\b")
SHOWN = re.compile(r"\b(ERROR|FAIL|Failure|Error in|Runtime Error|Compilation Error)\b")


class DbtProgress(io.TextIOBase):
    """A stand-in for standard output that folds dbt's log into a progress counter."""

    def __init__(self, terminal: TextIO, log: Path):
        log.parent.mkdir(parents=True, exist_ok=True)
        self._terminal = terminal
        self._log = open(log, "w", encoding="utf-8")  # noqa: SIM115 (closed by close())
        self._pending = ""
        self._in_dbt = False
        self._counter_shown = False
        self.log_path = log

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._log.write(text)
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            self._line(line)
        return len(text)

    def flush(self) -> None:
        if not self._log.closed:
            self._log.flush()
        self._terminal.flush()

    def close(self) -> None:
        if self._pending:
            self._line(self._pending)
            self._pending = ""
        self._end_counter()
        self._log.close()
        super().close()

    def _line(self, line: str) -> None:
        if line.startswith("Running with dbt="):
            self._in_dbt = True
            return
        if not self._in_dbt:
            self._show(line)
            return
        if line.startswith("Done. "):
            self._in_dbt = False
            self._show(f"  dbt: {line.removeprefix('Done. ')}")
            return
        node = NODE.match(line)
        if node and node.group(3) not in ("ERROR", "FAIL"):
            done, total = node.group(1), node.group(2)
            if self._terminal.isatty():
                self._terminal.write(f"\r  dbt: {done} of {total} models and tests done")
                self._counter_shown = True
            elif done == total or int(done) % 25 == 0:
                self._terminal.write(f"  dbt: {done} of {total} models and tests done\n")
        elif node or SHOWN.search(line):
            self._show(line)

    def _show(self, line: str) -> None:
        self._end_counter()
        self._terminal.write(line + "\n")

    def _end_counter(self) -> None:
        if self._counter_shown:
            self._terminal.write("\n")
            self._counter_shown = False
