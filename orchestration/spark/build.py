"""The spark target end to end: the landing zone into Spark's raw tables, then `dbt build`.

One process, one Spark session: the loader and dbt-spark (its `session` method) share it.
dbt keeps its own target folder under the Spark folder, so the DuckDB manifest the Dagster
definitions load is left alone.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date

from orchestration.ingest.assets import limit_message
from orchestration.ingest.feeds import FEEDS
from orchestration.ingest.load import LandingZoneMissing, LoadReport
from orchestration.settings import Settings
from orchestration.spark.load import load_feed_spark
from orchestration.spark.session import spark_session


class SparkBuildFailed(RuntimeError):
    """A feed had too many bad records, or dbt failed: the message says which."""


def dbt_build_args(settings: Settings, full_refresh: bool = False) -> list[str]:
    """`dbt build` on the spark target, writing beside the Spark tables."""
    from orchestration.dbt.project import DBT_PROJECT_DIR

    args = [
        "build",
        "--target", "spark",
        "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(settings.spark_dir / "dbt_target"),
    ]  # fmt: skip
    return [*args, "--full-refresh"] if full_refresh else args


def load_landing(settings: Settings, days: Sequence[date]) -> list[LoadReport]:
    """Every feed of the given arrival days into the raw tables; fails past the quarantine
    limit, after loading, as the DuckDB ingest does."""
    spark = spark_session(settings)
    reports = []
    for feed in FEEDS:
        try:
            report = load_feed_spark(spark, feed, settings.landing_dir, days)
        except LandingZoneMissing as error:
            raise SparkBuildFailed(str(error)) from error
        print(
            f"  {feed.name:14} {report.loaded:>10,} rows loaded, "
            f"{report.quarantined:,} quarantined, {len(report.files):,} files"
        )
        reports.append(report)
    problems = [m for r in reports if (m := limit_message(r, settings.max_quarantine_rate))]
    if problems:
        raise SparkBuildFailed("\n".join(problems))
    return reports


def build_models(settings: Settings, full_refresh: bool = False) -> None:
    """Every dbt model, seed and test on the spark target, in this process's session."""
    from dbt.cli.main import dbtRunner

    settings.export_for_dbt()
    os.environ["DAM_SPARK_DIR"] = str(settings.spark_dir)  # profiles.yml's spark output
    spark_session(settings)
    result = dbtRunner().invoke(dbt_build_args(settings, full_refresh))
    if not result.success:
        raise SparkBuildFailed(f"dbt build on the spark target failed: {result.exception or ''}")
