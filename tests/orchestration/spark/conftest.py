"""The spark target's fixtures: skipped without PySpark, unless CI requires them to run."""

from __future__ import annotations

import importlib.util
import os
import shutil
from dataclasses import replace

import pytest


def _missing() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return "PySpark is not installed (the project's spark extra)"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime for Spark"
    return None


@pytest.fixture(scope="package", autouse=True)
def require_spark() -> None:
    reason = _missing()
    if reason and os.environ.get("DAM_REQUIRE_SPARK"):
        pytest.fail(f"Spark is required (DAM_REQUIRE_SPARK) but {reason}")
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="package")
def spark(tmp_path_factory, require_spark):
    """An in-process Spark session on a folder of its own, for the loader's tests."""
    from orchestration.settings import Settings
    from orchestration.spark.session import spark_session

    root = tmp_path_factory.mktemp("spark_session")
    settings = replace(Settings.from_env(), data_dir=root, spark_dir=root / "spark")
    session = spark_session(settings)
    yield session
    session.stop()
