"""python -m bench [--events N] [--days D] [--repeat R] [--spark]: generate an account of N
events over D days (plus one more day, the increment), run every stage of the warehouse and
its plain DuckDB baseline R times (the increment a second time with its day thinned to the
1 M account's size; with --spark, the history's build on the spark target too), and write
the medians to bench/results/ (JSON, and RUNS.md)."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import shutil
import sys
import time
from datetime import timedelta
from pathlib import Path

from bench.measure import PeakMemory, Sample, measure, median
from bench.results import write_results
from bench.thinned_day import thinned_zone, thinning
from orchestration.reports.registry import Registry
from orchestration.reports.requests import ReportRange
from sample_data import MANIFEST_NAME, SampleConfig, generate

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def sample_config(events: int, days: int) -> SampleConfig:
    """`days` of history and one more, the increment; users grow with the account."""
    return SampleConfig.awkward(
        days=days + 1, events_per_day=max(events // days, 24), users=max(40, events // 10_000)
    )


# The day of the default (1 M event) account, at which every size's day is also timed.
ONE_MILLION_DAY = sample_config(1_000_000, 365).events_per_day


def landing_zone(work: Path, config: SampleConfig) -> tuple[Path, bool]:
    """The zone for this config, generated unless an earlier run left it; (zone, generated)."""
    zone = work / f"landing-{config.events_per_day}x{config.days}"
    manifest = zone / MANIFEST_NAME
    if manifest.exists() and json.loads(manifest.read_text()).get("config") == _as_dict(config):
        return zone, False
    # In a process of its own: this one forks every measured stage, and a child's maximum
    # resident size starts from this process's size at the fork.
    generator = multiprocessing.get_context("spawn").Process(target=generate, args=(config, zone))
    generator.start()
    generator.join()
    if generator.exitcode != 0:
        raise RuntimeError(f"generating the landing zone failed ({generator.exitcode})")
    return zone, True


def _as_dict(config: SampleConfig) -> dict:
    from dataclasses import asdict

    return json.loads(json.dumps(asdict(config), default=str))


def run_once(
    zone: Path, config: SampleConfig, data: Path, logs: Path, spark: bool = False
) -> dict[str, Sample]:
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    first = config.start
    last = first + timedelta(days=config.days - 2)  # the last day of history
    extra = last + timedelta(days=1)  # the increment
    env = {
        **os.environ,
        "DAM_DATA_DIR": str(data),
        "DAM_LANDING_DIR": str(zone),
        "DAGSTER_HOME": str(data / "dagster_home"),
        "DAM_FIRST_ARRIVAL_DAY": first.isoformat(),
    }
    for inherited in ("DAM_WAREHOUSE_PATH", "DAM_SERVING_PATH", "DAM_REPORTS_DIR", "DAM_SPARK_DIR"):
        env.pop(inherited, None)
    cli = str(BIN / "dam-usage")
    python = str(BIN / "python")
    found: dict[str, Sample] = {}
    found["ingest"] = measure(
        [cli, "run", "--only", "ingest", "--end", last.isoformat()], env, logs / "ingest.log"
    )
    baseline_db = data / "baseline.duckdb"
    found["ingest_baseline"] = measure(
        [python, "-m", "bench.baselines", "ingest", str(zone), str(baseline_db)],
        env,
        logs / "ingest_baseline.log",
    )
    baseline_db.unlink()
    found["build"] = measure(
        [cli, "run", "--only", "build", "--end", last.isoformat()], env, logs / "build.log"
    )
    found.update(dbt_timings(last_run_results(data), "build", found["build"], logs))
    found["build_baseline"] = marts_baseline(python, env, data, logs)
    if spark:
        found.update(spark_build(cli, env, data, last, logs))
    found.update(thinned_increment(cli, env, zone, config, data, extra, logs))
    read_through(data / "warehouse.duckdb")
    found["increment"] = measure(day_run(cli, extra), env, logs / "increment.log")
    found.update(dbt_timings(last_run_results(data), "increment", found["increment"], logs))
    report = ReportRange(last - timedelta(days=31), last)  # 30 whole days
    found["report"] = request_report(cli, env, data, zone, report, logs / "report.log")
    found["report_baseline"] = measure(
        [python, "-m", "bench.baselines", "report", str(data / "warehouse.duckdb"),
         report.start.isoformat(), report.end.isoformat(), str(data / "baseline.csv")],
        env,
        logs / "report_baseline.log",
    )  # fmt: skip
    return found


def read_through(path: Path, chunk: int = 1 << 24) -> None:
    """Read a file once, untimed, so that the run after it finds it in the page cache, as a
    daily run on a machine that keeps its warehouse does. Without it the two increments
    would find the history more or less cold by chance: at 30 M events, the copy made for
    the thinned one (14 GB) and the history itself do not both fit in 24 GB of memory."""
    with path.open("rb") as file:
        while file.read(chunk):
            pass


def day_run(cli: str, day) -> list[str]:
    """`dam-usage run` of one arrival day: ingest, build and publish."""
    return [cli, "run", "--start", day.isoformat(), "--end", day.isoformat()]


def last_run_results(data: Path) -> Path:
    """dbt's run_results.json of the latest dbt invocation on this data folder."""
    return data / "dbt" / "last_run" / "run_results.json"


def thinned_increment(
    cli: str, env: dict, zone: Path, config: SampleConfig, data: Path, day, logs: Path
) -> dict[str, Sample]:
    """The increment with its day thinned to the 1 M account's size, timed on every size to
    show how the increment grows with the history alone. It runs in the data folder's own
    place (so dbt's partial parse still holds) on a copy of the history, made untimed; the
    history then comes back, for the full day to land on."""
    every = thinning(config.events_per_day, ONE_MILLION_DAY)
    thinned = thinned_zone(zone, data.parent / "landing-thinned", day, every)
    history = data.with_name(data.name + "-history")
    shutil.rmtree(history, ignore_errors=True)
    data.rename(history)
    try:
        shutil.copytree(history, data, ignore=shutil.ignore_patterns("spark", "reports"))
        os.sync()  # or the copy's write-back would run alongside the timed run
        read_through(data / "warehouse.duckdb")
        landing = {**env, "DAM_LANDING_DIR": str(thinned)}
        run = measure(day_run(cli, day), landing, logs / "thinned_increment.log")
        found = {"thinned_increment": run}
        found.update(dbt_timings(last_run_results(data), "thinned_increment", run, logs))
    finally:
        shutil.rmtree(data, ignore_errors=True)
        history.rename(data)
        shutil.rmtree(thinned)
    return found


def spark_build(cli: str, env: dict, data: Path, last, logs: Path) -> dict[str, Sample]:
    """The history loaded and built on the spark target; then (untimed) every mart must equal
    the DuckDB build's."""
    from orchestration.spark.compare import mart_names, table_differences

    build = measure([cli, "spark-build", "--end", last.isoformat()], env, logs / "spark_build.log")
    dbt, models, _ = dbt_seconds(data / "spark" / "dbt_target" / "run_results.json")
    warehouse = data / "warehouse.duckdb"
    differing = {
        mart: found
        for mart in mart_names(warehouse)
        if (found := table_differences(warehouse, data / "spark", "marts", mart))["only_duckdb"]
        or found["only_spark"]
    }
    if differing:
        raise RuntimeError(f"the spark target's marts differ from DuckDB's: {differing}")
    return {
        "spark_build": build,
        "spark_dbt": Sample(dbt, build.peak_bytes),
        "spark_models": Sample(models, build.peak_bytes),
    }


def marts_baseline(python: str, env: dict, data: Path, logs: Path) -> Sample:
    """The hand-written marts script, timed; then (untimed) its tables must equal the marts."""
    warehouse, database = str(data / "warehouse.duckdb"), data / "baseline_marts.duckdb"
    sample = measure(
        [python, "-m", "bench.baselines", "marts", warehouse, str(database)],
        env,
        logs / "build_baseline.log",
    )
    measure(
        [python, "-m", "bench.baselines", "check-marts", warehouse, str(database)],
        env,
        logs / "build_baseline_check.log",
    )
    database.unlink()
    return sample


def dbt_timings(run_results: Path, stage: str, run: Sample, logs: Path) -> dict[str, Sample]:
    """A run split: dbt's own wall time, the time its models and tests took (summed over
    dbt's threads, so together they can exceed the wall time), and everything outside dbt
    (processes, Dagster, the ingest if the run has one, publishing) as the fixed cost. dbt's
    run_results.json is kept beside the stage's log, for its time per node."""
    shutil.copyfile(run_results, logs / f"{stage}_run_results.json")
    dbt, models, tests = dbt_seconds(run_results)
    return {
        f"{stage}_dbt": Sample(dbt, run.peak_bytes),
        f"{stage}_models": Sample(models, run.peak_bytes),
        f"{stage}_tests": Sample(tests, run.peak_bytes),
        f"{stage}_fixed": Sample(run.seconds - dbt, run.peak_bytes),
    }


def dbt_seconds(run_results: Path) -> tuple[float, float, float]:
    """From dbt's run_results.json: its wall time, and its models' and tests' time summed."""
    recorded = json.loads(run_results.read_text())
    results = recorded["results"]
    models = sum(r["execution_time"] for r in results if r["unique_id"].startswith("model."))
    tests = sum(r["execution_time"] for r in results if r["unique_id"].startswith("test."))
    return recorded["elapsed_time"], models, tests


def request_report(cli, env, data: Path, zone: Path, report: ReportRange, log: Path) -> Sample:
    """From the request to the ready file, with the memory of the launched worker."""
    import subprocess

    users = json.loads(sorted((zone / "users").glob("*.json"))[-1].read_text())["users"]
    admin = next(u["email"] for u in users if u["role"] == "master_admin" and u["enabled"])
    registry = Registry(data / "reports" / "registry.sqlite")
    command = [cli, "report", "request", "--start", report.start.isoformat(),
               "--end", report.end.isoformat(), "--requested-by", admin, "--refresh"]  # fmt: skip
    pids: list[int] = []

    def roots() -> list[int]:
        current = registry.get(report.key) if registry.path.exists() else None
        return pids + ([current.worker_pid] if current and current.worker_pid else [])

    with open(log, "w") as out, PeakMemory(roots) as memory:
        started = time.perf_counter()
        asking = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        pids.append(asking.pid)
        if asking.wait() != 0:
            raise RuntimeError(f"report request failed:\n{log.read_text()}")
        while (status := registry.get(report.key).status) not in ("ready", "failed"):
            time.sleep(0.05)
        seconds = time.perf_counter() - started
    if status != "ready":
        raise RuntimeError(f"report {report.key} failed: {registry.get(report.key).error}")
    return Sample(seconds, memory.peak)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 tasks.py bench", description=__doc__)
    parser.add_argument("--events", type=float, default=1e6, help="events in the year")
    parser.add_argument("--days", type=int, default=365, help="days of history")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (the median)")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "work")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--markdown", type=Path, default=ROOT / "bench" / "results" / "RUNS.md")
    parser.add_argument(
        "--spark", action="store_true", help="also build the history on the spark target"
    )
    args = parser.parse_args(argv)
    config = sample_config(int(args.events), args.days)
    args.work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    zone, generated = landing_zone(args.work, config)
    generation = time.perf_counter() - started if generated else None
    runs = []
    for number in range(1, args.repeat + 1):
        logs = args.work / "logs" / f"run-{number}"
        logs.mkdir(parents=True, exist_ok=True)
        runs.append(run_once(zone, config, args.work / "data", logs, spark=args.spark))
        print(f"run {number}/{args.repeat} done", flush=True)
    medians = {stage: median([run[stage] for run in runs]) for stage in runs[0]}
    command = "python3 tasks.py bench " + " ".join(argv if argv is not None else sys.argv[1:])
    summary = write_results(
        medians,
        runs,
        config=_as_dict(config),
        events=int(args.events),
        generation_seconds=generation,
        machine=machine(),
        command=command.strip(),
        out=args.out,
        markdown=args.markdown,
    )
    print(summary)
    return 0


def machine() -> dict:
    memory = next(
        int(line.split()[1]) * 1024
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    return {
        "cores": os.cpu_count(),
        "memory_bytes": memory,
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


if __name__ == "__main__":
    sys.exit(main())
