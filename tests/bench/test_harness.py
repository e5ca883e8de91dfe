"""The benchmark harness at a tiny size, so that it never rots, and its measuring parts."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys

from bench.measure import PeakMemory
from bench.results import update_markdown

ALLOCATE = "import time; block = bytearray(300 * 1024 * 1024); time.sleep(1.5)"


def test_peak_memory_counts_the_children_of_a_process():
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import subprocess, sys; subprocess.run([sys.executable, '-c', {ALLOCATE!r}])",
        ]
    )
    with PeakMemory(lambda: [parent.pid], every=0.05) as memory:
        parent.wait()
    assert memory.peak >= 300 * 1024 * 1024


def test_a_size_section_is_replaced_and_the_others_kept(tmp_path):
    path = tmp_path / "B.md"
    path.write_text(
        "# Benchmarks\n\nHow to read this.\n\n## 1 M events\n\nold\n\n## 10 M events\n\nten\n"
    )
    update_markdown(path, "1 M events", "## 1 M events\n\nnew\n")
    update_markdown(path, "30 M events", "## 30 M events\n\nthirty\n")
    assert path.read_text() == (
        "# Benchmarks\n\nHow to read this.\n\n## 1 M events\n\nnew\n\n## 10 M events\n\nten\n"
        "\n## 30 M events\n\nthirty\n"
    )


def test_the_harness_runs_every_stage_at_a_tiny_size(tmp_path):
    # The spark target's stage where PySpark is installed (CI requires it).
    spark = importlib.util.find_spec("pyspark") is not None
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--events", "3000", "--days", "3", "--repeat", "1",
         "--work", str(tmp_path / "work"), "--out", str(tmp_path / "results"),
         "--markdown", str(tmp_path / "B.md"), *(["--spark"] if spark else [])],
        capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    record = json.loads((tmp_path / "results" / "3000.json").read_text())
    stages = {"ingest", "ingest_baseline", "build", "build_dbt", "build_models", "build_tests",
              "build_fixed", "build_baseline", "increment", "increment_dbt", "increment_models",
              "increment_tests", "increment_fixed", "thinned_increment", "thinned_increment_dbt",
              "thinned_increment_models", "thinned_increment_tests", "thinned_increment_fixed",
              "report", "report_baseline"}  # fmt: skip
    if spark:
        stages |= {"spark_build", "spark_dbt", "spark_models"}
    assert set(record["medians"]) == stages
    for stage in stages:
        assert record["medians"][stage]["seconds"] > 0, stage
        assert record["medians"][stage]["peak_bytes"] > 50 * 1024 * 1024, stage
    parts = record["medians"]
    for run in ("build", "increment", "thinned_increment"):
        whole, dbt, fixed = (parts[k]["seconds"] for k in (run, f"{run}_dbt", f"{run}_fixed"))
        assert 0 < dbt < whole and abs(dbt + fixed - whole) < 1e-6, run
    markdown = (tmp_path / "B.md").read_text()
    assert "## 3,000 events" in markdown and "report ÷ COPY baseline" in markdown
    assert "the increment with its day thinned" in markdown
    work = tmp_path / "work"
    assert not (work / "data-history").exists() and not (work / "landing-thinned").exists()
    logs = work / "logs" / "run-1"
    assert f"from {work / 'landing-thinned'}" in (logs / "thinned_increment.log").read_text()
    assert "from " + str(work / "landing-") in (logs / "increment.log").read_text()
    assert "landing-thinned" not in (logs / "increment.log").read_text()
    for stage in ("build", "increment", "thinned_increment"):
        assert json.loads((logs / f"{stage}_run_results.json").read_text())["results"], stage
    assert ("spark target (`--spark`)" in markdown) == spark
    check = tmp_path / "work" / "logs" / "run-1" / "build_baseline_check.log"
    assert "12 marts equal" in check.read_text()


def test_the_microbatch_variant_keeps_no_arrival_window_of_its_own(tmp_path):
    """bench.microbatch compares like with like only when its copy of the users snapshot
    models loses the project's window (pre-hook and filter) and takes dbt's batches."""
    from datetime import date

    from bench.microbatch import MODELS, microbatch_project
    from orchestration.dbt.project import DBT_PROJECT_DIR

    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    microbatch_project(project, date(2024, 5, 1))
    for model in MODELS:
        sql = (project / "models" / "staging" / f"{model}.sql").read_text()
        assert "incremental_strategy='microbatch'" in sql and "begin='2024-05-01'" in sql
        assert "in_loaded_window" not in sql and "delete_arrival_window" not in sql, model
        assert "{{ source('dam', 'users') }}" in sql
    sources = (project / "models" / "staging" / "_dam__sources.yml").read_text()
    assert "      - name: users\n        config: {event_time: arrival_date}\n" in sources
