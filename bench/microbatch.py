"""python -m bench.microbatch WAREHOUSE [--repeat R]: the users snapshots kept by arrival day
as the project keeps them, against dbt's `microbatch` strategy, on copies of a built
warehouse.

The two staging models loaded by arrival day (stg_dam__users, stg_dam__user_group_members)
are built in a copy of the dbt project where they are microbatch models (`event_time` the
snapshot day, one batch a day, the raw users source filtered by its arrival day), and in the
project as it is. Each gets its own copy of the warehouse. Timed, as dbt reports them: a
build of every day, a build of every day bounded to the days loaded (microbatch otherwise
runs each day up to today), and windows of the last 1 and 30 days. Both copies must end
with the same rows, or the run fails. Prints the medians of R runs as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

import duckdb

from orchestration.dbt.project import DBT_PROJECT_DIR
from orchestration.sql import sql_string

MODELS = ("stg_dam__users", "stg_dam__user_group_members")
MICROBATCH_CONFIG = """{{{{ config(
    materialized='incremental',
    incremental_strategy='microbatch',
    event_time='snapshot_date',
    batch_size='day',
    begin='{begin}',
    lookback=0,
) }}}}"""
FINISHED = re.compile(r"Finished running .* \((\d+(?:\.\d+)?)s\)")


def microbatch_project(project: Path, begin: date) -> None:
    """Turn the copy at `project` into the microbatch variant."""
    for model in MODELS:
        path = project / "models" / "staging" / f"{model}.sql"
        sql = path.read_text()
        config = MICROBATCH_CONFIG.format(begin=begin)
        sql = re.sub(r"^\{\{ config\(.*?^\) \}\}", config, sql, count=1, flags=re.S | re.M)
        sql = sql.replace("\n    where {{ in_loaded_window('arrival_date') }}", "")
        path.write_text(sql)
    sources = project / "models" / "staging" / "_dam__sources.yml"
    text = sources.read_text().replace(
        "      - name: users\n",
        "      - name: users\n        config: {event_time: arrival_date}\n",
    )
    sources.write_text(text)


def dbt(project: Path, warehouse: Path, *args: str, env: dict[str, str] | None = None) -> float:
    """dbt's own time for running the two models, in seconds."""
    result = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), *args, "--profiles-dir", str(project),
         "--project-dir", str(project), "-s", *MODELS],
        env={**os.environ, "DAM_WAREHOUSE_PATH": str(warehouse), **(env or {})},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    found = FINISHED.search(result.stdout)
    if result.returncode != 0 or not found:
        raise SystemExit(f"dbt {' '.join(args)} failed:\n{result.stdout[:3000]}")
    return float(found.group(1))


def same_rows(left: Path, right: Path) -> None:
    with duckdb.connect() as con:
        con.execute(f"attach {sql_string(left)} as l (read_only)")
        con.execute(f"attach {sql_string(right)} as r (read_only)")
        for model in MODELS:
            differing = con.execute(
                f"select count(*) from ((select * from l.staging.{model} except all "
                f"select * from r.staging.{model}) union all (select * from r.staging.{model} "
                f"except all select * from l.staging.{model}))"
            ).fetchone()[0]
            if differing:
                raise SystemExit(f"{model}: {differing} rows differ between the two strategies")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with duckdb.connect(str(args.warehouse), read_only=True) as con:
        first, last = con.execute(
            "select min(arrival_date), max(arrival_date) from raw.users"
        ).fetchone()
    end = last + timedelta(days=1)
    work = Path(tempfile.mkdtemp(prefix="bench-microbatch-"))
    try:
        projects = {"arrival_window": work / "arrival_window", "microbatch": work / "microbatch"}
        for name, project in projects.items():
            shutil.copytree(
                DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs")
            )
            shutil.copy(args.warehouse, work / f"{name}.duckdb")
        shutil.copytree(DBT_PROJECT_DIR.parent / "seeds", work / "seeds")
        microbatch_project(projects["microbatch"], first)

        def window(strategy: str, start: date | None, stop: date | None, *flags: str) -> float:
            """One run over the arrival days [start, stop), or every day without them."""
            warehouse = work / f"{strategy}.duckdb"
            bounds: list[str] = []
            env: dict[str, str] = {}
            if start and strategy == "microbatch":
                bounds = ["--event-time-start", start.isoformat()]
                bounds += ["--event-time-end", stop.isoformat()]
            elif start:
                env = {"DAM_MIN_ARRIVAL_DATE": start.isoformat()}
                env["DAM_MAX_ARRIVAL_DATE"] = stop.isoformat()
            return dbt(projects[strategy], warehouse, "run", *flags, *bounds, env=env)

        cases = {
            "every day": (None, None, "--full-refresh"),
            "every day, bounded": (first, end, "--full-refresh"),
            "1 day": (last, end),
            "30 days": (end - timedelta(days=30), end),
        }
        times: dict[str, dict[str, list[float]]] = {c: {s: [] for s in projects} for c in cases}
        for _ in range(args.repeat):
            for case, (start, stop, *flags) in cases.items():
                for strategy in projects:
                    times[case][strategy].append(window(strategy, start, stop, *flags))
        same_rows(work / "arrival_window.duckdb", work / "microbatch.duckdb")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    medians = {
        case: {s: round(statistics.median(v), 2) for s, v in by_strategy.items()}
        for case, by_strategy in times.items()
    }
    print(json.dumps({"arrival_days": (last - first).days + 1, "seconds": medians}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
