"""The local Spark session of the `spark` dbt target: one per process, its tables kept on disk.

dbt-spark's `session` method asks for `SparkSession.builder.getOrCreate()` on every
statement, so the session made here, with the warehouse folder and metastore below, is the
one dbt uses. The same settings are in profiles.yml for a `dbt` started on its own.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from orchestration.settings import Settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def spark_conf(settings: Settings) -> dict[str, str]:
    """Spark settings: tables under the data folder, UTC, no UI, a file-backed metastore."""
    metastore = settings.spark_dir / "metastore"
    return {
        "spark.master": f"local[{settings.spark_cores}]",
        "spark.app.name": "dam-usage",
        "spark.driver.memory": settings.spark_driver_memory,
        "spark.sql.warehouse.dir": str(settings.spark_dir / "warehouse"),
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={metastore};create=true"
        ),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={settings.spark_dir}",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": str(max(2 * settings.spark_cores, 2)),
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
    }


def spark_session(settings: Settings) -> SparkSession:
    """The process's Spark session, started with `spark_conf` if none is running yet."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise RuntimeError(
            "The spark target needs PySpark: install the project with its spark extra "
            "(`pip install -e '.[spark]'`, or `python3 tasks.py spark`)"
        ) from error
    settings.spark_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in spark_conf(settings).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
