"""python -m bench.freshness DATA LANDING [--repeat R] [--files N]: how long landing files
take to reach the published marts with the daemon up, on a warehouse that holds the zone.

Each repeat changes N files of the zone's last arrival day (their times: the landing sensor
sees a change, and the day is loaded again, as today's is when its files arrive) and times
the landing sensor's tick that asks for the run, the run's start, and the new serving
file. The same day loaded by `dam-usage run`, R times in the same process, is the baseline:
the sensor's path should cost little more than the run itself.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from orchestration.landing import landing_days
from orchestration.settings import PROJECT_ROOT

BIN = Path(sys.executable).parent
CODE = ["-m", "orchestration.definitions", "--working-directory", str(PROJECT_ROOT)]
STAMP = re.compile(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) \+0000")


def environment(data: Path, landing: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DAM_DATA_DIR": str(data),
        "DAM_LANDING_DIR": str(landing),
        "DAGSTER_HOME": str(data / "dagster_home"),
        "DAM_LANDING_POLL_MINUTES": "0.05",  # a tick every 3 s: the wait for it is not timed
        "DAM_LANDING_SETTLE_SECONDS": "0",
        "DAM_WATCH_LANDING": "on",
    }


def published_at(serving: Path) -> float:
    try:
        return serving.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def wait_for_publish(serving: Path, after: float, log: Path, seconds: float = 900) -> float:
    deadline = time.monotonic() + seconds
    while published_at(serving) <= after:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no publish; the daemon's log: {log}")
        time.sleep(0.1)
    return published_at(serving)


def logged(log: Path, marker: str, after: float) -> float | None:
    """The time (whole seconds, UTC) of the first log line with `marker` at or after
    `after`."""
    for line in log.read_text(errors="replace").splitlines():
        if marker in line and (match := STAMP.search(line)):
            moment = datetime.fromisoformat(match.group(1) + "+00:00").timestamp()
            if moment >= int(after):
                return moment
    return None


def changed_files(landing: Path, count: int) -> list[Path]:
    day = landing_days(landing)[-1].isoformat()
    files = sorted((landing / "dam_events" / day).glob("*.jsonl"))
    files += sorted((landing / "notifications").glob(f"*/{day}/*.jsonl"))
    return files[:count]


def through_the_sensor(data: Path, landing: Path, repeat: int, count: int) -> list[dict]:
    env = environment(data, landing)
    subprocess.run([str(BIN / "dam-usage"), "prepare"], env=env, check=True, capture_output=True)
    serving = data / "serving" / "marts.duckdb"
    log = data / "freshness-daemon.log"
    samples = []
    with log.open("w") as output:
        daemon = subprocess.Popen(
            [str(BIN / "dagster-daemon"), "run", *CODE],
            env=env, cwd=data / "dagster_home", stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            started = time.time()
            while logged(log, "Sensor landing_files skipped", started) is None:
                time.sleep(0.5)  # the first tick has seen the zone as it is
            for _ in range(repeat):
                changed = time.time()
                for path in changed_files(landing, count):
                    os.utime(path)
                done = wait_for_publish(serving, changed, log)
                tick = logged(log, "Creating new run for landing_files", changed)
                run = logged(log, "RUN_START", changed)
                samples.append(
                    {"tick_to_published_s": done - tick, "run_start_to_published_s": done - run}
                )
                print(f"  tick to published {done - tick:.1f} s", flush=True)
                time.sleep(5)
        finally:
            daemon.terminate()
            daemon.wait(timeout=120)
    return samples


def by_the_command(data: Path, landing: Path, repeat: int) -> list[float]:
    env = environment(data, landing) | {"DAM_WATCH_LANDING": "off"}
    day = landing_days(landing)[-1].isoformat()
    times = []
    for _ in range(repeat):
        start = time.monotonic()
        subprocess.run(
            [str(BIN / "dam-usage"), "run", "--start", day, "--end", day],
            env=env, check=True, capture_output=True,
        )  # fmt: skip
        times.append(time.monotonic() - start)
        print(f"  dam-usage run of the day {times[-1]:.1f} s", flush=True)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", type=Path, help="DAM_DATA_DIR of a warehouse holding the zone")
    parser.add_argument("landing", type=Path, help="its landing zone")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--files", type=int, default=3)
    args = parser.parse_args()
    print(f"{platform.node()}, {os.cpu_count()} cores; {args.data}")
    sensor = through_the_sensor(
        args.data.resolve(), args.landing.resolve(), args.repeat, args.files
    )
    command = by_the_command(args.data.resolve(), args.landing.resolve(), args.repeat)
    tick = statistics.median(s["tick_to_published_s"] for s in sensor)
    run = statistics.median(s["run_start_to_published_s"] for s in sensor)
    baseline = statistics.median(command)
    print(
        f"median of {args.repeat}: sensor tick to published {tick:.1f} s (run start to "
        f"published {run:.1f} s); dam-usage run of the day {baseline:.1f} s; "
        f"ratio {tick / baseline:.2f}"
    )


if __name__ == "__main__":
    main()
