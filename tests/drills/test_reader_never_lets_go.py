"""Drill: a BI process holds the published marts open for the whole drill while daily runs
publish three new builds. Every run succeeds; the held connection keeps its build; each new
connection sees one whole build, never a mix of two."""

from __future__ import annotations

import subprocess
import sys

import duckdb

from orchestration.cli import landing_days
from tests.conftest import run_cli
from tests.drills.conftest import wait_for

# One fingerprint of every served table, read in one transaction of one connection.
FINGERPRINT = """
import duckdb, json

def fingerprint(con):
    con.execute("begin transaction")
    names = [n for (n,) in con.execute(
        "select table_name from duckdb_tables() order by all").fetchall()]
    found = {n: str(con.execute(f'select count(*), sum(hash(t)) from "{n}" as t').fetchone())
             for n in names}
    con.execute("commit")
    return json.dumps(found, sort_keys=True)
"""

# "held" keeps one connection for the whole drill; "fresh" connects anew for every read (in
# a process of its own: DuckDB shares one open database per file within a process).
READER = (
    FINGERPRINT
    + """
import sys, time
mode, path = sys.argv[1:]
held = duckdb.connect(path, read_only=True) if mode == "held" else None
while True:
    if held is not None:
        print(fingerprint(held), flush=True)
    else:
        with duckdb.connect(path, read_only=True) as fresh:
            print(fingerprint(fresh), flush=True)
    time.sleep(0.2)
"""
)


def fingerprint_of(path) -> str:
    scope: dict = {}
    exec(FINGERPRINT, scope)
    with duckdb.connect(str(path), read_only=True) as con:
        return scope["fingerprint"](con)


def test_a_reader_that_never_lets_go_sees_whole_builds_only(small_zone, tmp_path):
    data = tmp_path / "data"
    serving = data / "serving" / "marts.duckdb"
    days = [day.isoformat() for day in landing_days(small_zone)]
    first = run_cli("run", "--end", days[-4], data=data, landing=small_zone)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    builds = [fingerprint_of(serving)]

    logs = {mode: tmp_path / f"{mode}.log" for mode in ("held", "fresh")}
    readers = []
    for mode, log in logs.items():
        with open(log, "w") as out:
            readers.append(
                subprocess.Popen([sys.executable, "-c", READER, mode, str(serving)], stdout=out)
            )
    try:
        for day in days[-3:]:
            result = run_cli("run", "--start", day, "--end", day, data=data, landing=small_zone)
            assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
            builds.append(fingerprint_of(serving))
        wait_for(lambda: builds[-1] in logs["fresh"].read_text(), 30, "the fresh reader")
        for reader, log in zip(readers, logs.values(), strict=True):
            assert reader.poll() is None, log.read_text()[-2000:]
    finally:
        for reader in readers:
            reader.kill()
            reader.wait()

    held, fresh = ([line for line in log.read_text().splitlines() if line] for log in logs.values())
    assert len(set(builds)) == len(builds), "each run should publish a different build"
    assert set(held) == {builds[0]}
    assert set(fresh) <= set(builds)
    assert len(set(fresh)) >= 2, "the fresh reader never saw a new build"
