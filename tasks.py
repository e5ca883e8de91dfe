#!/usr/bin/env python3
"""Everything a new machine needs, from nothing but python3.

    python3 tasks.py run    set up, then load the landing zone (a generated sample if there
                            is none) into the DuckDB warehouse and build the dbt models
    python3 tasks.py test   set up, then run the test suite
    python3 tasks.py ui     set up, then start the Dagster UI
    python3 tasks.py serve  set up, then serve the dashboard page (--viewer EMAIL for local use)
    python3 tasks.py spark  set up with PySpark, then load the landing zone into local Spark
                            tables and build the same dbt models on the spark target
    python3 tasks.py lint   set up, then run ruff, the public-API check and sqlfluff
    python3 tasks.py bench  set up, then run the benchmarks (bench/; --help for sizes)

Set-up creates `.venv/` and installs the exact versions in requirements.lock, with the
project's extras the task needs (tests and tools: dev; the dashboard page: dashboard; the
spark target: spark); it is skipped when nothing it depends on has changed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
INPUTS = ("requirements.lock", "pyproject.toml")
# The project's optional dependencies each task needs; the others need the development set.
EXTRAS = {"run": "", "ui": "", "serve": "dashboard", "spark": "spark"}


def ensure_environment(extra: str) -> None:
    digest = hashlib.sha256(b"".join((ROOT / name).read_bytes() for name in INPUTS)).hexdigest()
    stamp = VENV / (f".installed-{extra}" if extra else ".installed")
    if stamp.exists() and stamp.read_text() == digest:
        return
    if not (BIN / "python").exists():
        print(f"Creating {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    print("Installing the pinned dependencies (requirements.lock)", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "-c", str(ROOT / "requirements.lock"), "-e", f".[{extra}]" if extra else "."],
        cwd=ROOT,
        check=True,
    )
    stamp.write_text(digest)


def run(*command: str, **extra_env: str) -> int:
    env = {**os.environ, **extra_env, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.call(list(command), cwd=ROOT, env=env)


def main(argv: list[str]) -> int:
    task, rest = (argv[0], argv[1:]) if argv else ("", [])
    if task not in {"run", "test", "ui", "serve", "lint", "bench", "spark"}:
        print(__doc__)
        return 2
    ensure_environment(EXTRAS.get(task, "dev"))
    if task == "run":
        return run(str(BIN / "dam-usage"), "run", *rest)
    if task == "spark":
        return run(str(BIN / "dam-usage"), "spark-build", *rest)
    if task in ("ui", "serve"):
        return run(str(BIN / "dam-usage"), task, *rest)
    if task == "bench":
        return run(str(BIN / "python"), "-m", "bench", *rest)
    if task == "lint":
        # The dbt templater compiles the project; it needs no warehouse file.
        return (
            run(str(BIN / "ruff"), "check", ".")
            or run(str(BIN / "python"), "-m", "tools.public_api")
            or run(
                str(BIN / "sqlfluff"), "lint", "dbt_project/models", DAM_WAREHOUSE_PATH=":memory:"
            )
        )
    return run(str(BIN / "dam-usage"), "prepare") or run(str(BIN / "python"), "-m", "pytest", *rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
