"""The figures of one benchmark run: JSON under bench/results/, a section of
bench/results/RUNS.md per account size (other sizes' sections are kept), and the ratios
against the targets."""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from bench.measure import Sample

GB = 1024**3
MEMORY_TARGET = 4 * GB


def increment_parts(stage: str) -> dict[str, str]:
    outside = "… of which outside dbt (processes, Dagster, the day's ingest, publishing)"
    return {
        f"{stage}_dbt": "… of which the `dbt build` invocation",
        f"{stage}_models": "… … dbt model time, summed over dbt's threads",
        f"{stage}_tests": "… … dbt test time, summed over dbt's threads",
        f"{stage}_fixed": outside,
    }


STAGES = {
    "ingest": "ingest (landing → raw, Dagster assets)",
    "ingest_baseline": "baseline: one `read_json` per feed",
    "build": "full build (dbt models, tests, publish; one run)",
    "build_dbt": "… of which the `dbt build` invocation",
    "build_models": "… … dbt model time, summed over dbt's threads",
    "build_tests": "… … dbt test time, summed over dbt's threads",
    "build_fixed": "… of which fixed cost (processes, Dagster, publishing)",
    "build_baseline": "baseline: the marts by one hand-written DuckDB script (`bench/marts.sql`)",
    "increment": "daily increment (one new arrival day, ingest + build + publish)",
    **increment_parts("increment"),
    "thinned_increment": "the increment with its day thinned to the 1 M account's size",
    **increment_parts("thinned_increment"),
    "report": "30-day activity report, request to ready (CSV + Parquet)",
    "report_baseline": "baseline: plain DuckDB `COPY` of the same query (CSV)",
    "spark_build": "spark target (`--spark`): load + build of the history on local Spark",
    "spark_dbt": "… of which the `dbt build` invocation",
    "spark_models": "… … dbt model time, summed over dbt's threads",
}
MEMORY_STAGES = ("ingest", "build", "thinned_increment", "increment", "report")
# Parts of a stage, shown without memory of their own.
PARTS = (
    "build_dbt", "build_models", "build_tests", "build_fixed",
    *increment_parts("increment"), *increment_parts("thinned_increment"),
    "spark_dbt", "spark_models",
)  # fmt: skip


def ratios(medians: dict[str, Sample]) -> dict[str, tuple[float, float]]:
    """(measured, target) per targeted ratio."""
    return {
        "ingest ÷ read_json baseline": (
            medians["ingest"].seconds / medians["ingest_baseline"].seconds,
            2.0,
        ),
        "dbt model time ÷ hand-written marts script": (
            medians["build_models"].seconds / medians["build_baseline"].seconds,
            3.0,
        ),
        "daily increment ÷ full build": (
            medians["increment"].seconds / medians["build"].seconds,
            0.10,
        ),
        "report ÷ COPY baseline": (
            medians["report"].seconds / medians["report_baseline"].seconds,
            2.0,
        ),
    }


def size_label(events: int) -> str:
    return f"{events / 1e6:g} M events" if events >= 1e6 else f"{events:,} events"


def markdown_section(medians, events, config, machine, command, generation_seconds) -> str:
    made = (
        f"landing zone generated in {generation_seconds:.0f} s"
        if generation_seconds is not None
        else "landing zone left by an earlier run"
    )
    lines = [
        f"## {size_label(events)}",
        "",
        f"`{command}` — {config['days'] - 1} days of history plus one increment day, "
        f"{config['events_per_day']:,} events a day, {config['users']:,} users, "
        f"{config['environments']} environments ({made}). Machine: {machine['cores']} cores, "
        f"{machine['memory_bytes'] / GB:.0f} GB, {machine['platform']}. "
        f"Recorded {datetime.now(UTC):%Y-%m-%d}.",
        "",
        "| stage | median time | peak memory (process tree) |",
        "|---|---:|---:|",
    ]
    for stage, title in STAGES.items():
        if stage not in medians:
            continue
        sample = medians[stage]
        memory = f"{sample.peak_bytes / GB:.2f} GB" if stage not in PARTS else ""
        lines.append(f"| {title} | {sample.seconds:.1f} s | {memory} |")
    lines += ["", "| ratio | measured | target | met |", "|---|---:|---:|---|"]
    for name, (measured, target) in ratios(medians).items():
        lines.append(
            f"| {name} | {measured:.2f} | ≤ {target:g} | {'yes' if measured <= target else 'no'} |"
        )
    worst = max(medians[s].peak_bytes for s in MEMORY_STAGES)
    lines.append(
        f"| peak memory, worst stage | {worst / GB:.2f} GB | ≤ 4 GB | "
        f"{'yes' if worst <= MEMORY_TARGET else 'no'} |"
    )
    return "\n".join(lines) + "\n"


def write_results(
    medians, runs, *, config, events, generation_seconds, machine, command, out, markdown
):
    out.mkdir(parents=True, exist_ok=True)
    record = {
        "events": events,
        "config": config,
        "machine": machine,
        "command": command,
        "generation_seconds": generation_seconds,
        "medians": {stage: asdict(sample) for stage, sample in medians.items()},
        "runs": [{stage: asdict(sample) for stage, sample in run.items()} for run in runs],
        "ratios": {name: {"measured": m, "target": t} for name, (m, t) in ratios(medians).items()},
    }
    (out / f"{events}.json").write_text(json.dumps(record, indent=2) + "\n")
    section = markdown_section(medians, events, config, machine, command, generation_seconds)
    update_markdown(markdown, size_label(events), section)
    return section


def update_markdown(path: Path, label: str, section: str) -> None:
    """Replace this size's section of the Markdown file (or add it), keeping the others."""
    text = path.read_text() if path.exists() else "# Benchmarks\n\n"
    pattern = re.compile(rf"^## {re.escape(label)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text.rstrip("\n") + "\n")
