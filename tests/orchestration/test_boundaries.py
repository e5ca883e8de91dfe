"""Security boundaries: a run writes only under its data folder, and text from users
reaches SQL as bound parameters, never as SQL."""

from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb

from orchestration.cli import landing_days
from orchestration.settings import PROJECT_ROOT
from tests.conftest import run_cli

# Not the run's doing: the environment, test tooling, and the dbt manifest that
# `dam-usage prepare` parses into the checkout.
NOT_RUN_OUTPUT = {".git", ".venv", ".pytest_cache", ".ruff_cache", "__pycache__", "test-artifacts"}
MANIFEST_DIR = PROJECT_ROOT / "dbt_project" / "target"


def written_since(root: Path, moment: float) -> list[Path]:
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [s for s in subfolders if s not in NOT_RUN_OUTPUT]
        for name in files:
            path = Path(folder) / name
            if path.parent != MANIFEST_DIR and path.stat().st_mtime >= moment:
                found.append(path)
    return found


def test_a_run_writes_nothing_outside_its_data_folder(small_zone, tmp_path):
    outside = tmp_path / "data"
    day = landing_days(small_zone)[0].isoformat()
    moment = time.time() - 1
    landing_before = {p: p.stat().st_mtime for p in small_zone.rglob("*")}
    result = run_cli("run", "--start", day, "--end", day, data=outside, landing=small_zone)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert written_since(PROJECT_ROOT, moment) == []
    assert {p: p.stat().st_mtime for p in small_zone.rglob("*")} == landing_before
    assert (outside / "dbt" / "last_run" / "run_results.json").exists()


def test_user_text_in_a_download_is_data_not_sql(built, small_zone, tmp_path):
    refused = run_cli(
        "download", "users", "--viewer", "nobody@example.com", "--scope", "x",
        "--as-of", "2024-05-06", data=built["data"], landing=small_zone,
    )  # fmt: skip
    assert refused.returncode == 2  # not a master admin: refused before any query
    hostile = "x'); drop table mart_users_daily; --"
    viewer = duckdb.connect(str(built["serving"]), read_only=True)
    (email,) = viewer.execute(
        "select email from dim_users where can_view_dashboard order by email limit 1"
    ).fetchone()
    viewer.close()

    def download(scope: str) -> str:
        out = tmp_path / "users.csv"
        result = run_cli(
            "download", "users", "--viewer", email, "--scope", scope, "--as-of", "2024-05-06",
            "--out", str(out), data=built["data"], landing=small_zone,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        return out.read_text()

    # The hostile name is a scope nobody has: refused in one line that quotes it as text,
    # and nothing served changes.
    refused = run_cli(
        "download", "users", "--viewer", email, "--scope", hostile, "--as-of", "2024-05-06",
        data=built["data"], landing=small_zone,
    )  # fmt: skip
    assert refused.returncode == 2
    assert (
        refused.stderr.strip().splitlines() == [refused.stderr.strip().splitlines()[0]]
        and hostile in refused.stderr
    )
    with duckdb.connect(str(built["serving"]), read_only=True) as con:
        assert con.execute("select count(*) from mart_users_daily").fetchone()[0] > 0
        (scope,) = con.execute("select min(cloud_name) from dim_product_environments").fetchone()
    assert download(scope).startswith("rank,user_id,email")
