"""The dbt project, located and prepared once per process."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from functools import cache
from importlib.metadata import version
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.settings import PROJECT_ROOT

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
# Everything dbt parses: a change to any of these makes the manifest stale.
SOURCE_FOLDERS = ("models", "macros", "tests", "../seeds")
SOURCE_FILES = ("dbt_project.yml", "profiles.yml")


def dbt_executable() -> str:
    """The dbt the Dagster resource runs: `dam-dbt` beside this Python (dbt itself, with a
    quick answer to `--version`; orchestration/dbt/executable.py), so that a virtual
    environment need not be on PATH; dbt itself where that is not installed."""
    for name in ("dam-dbt", "dbt"):
        beside = Path(sys.executable).parent / name
        if beside.exists():
            return str(beside)
    return shutil.which("dbt") or "dbt"


@cache
def dbt_project() -> DbtProject:
    # dagster-dbt's manifest preparer runs `dbt` from PATH: make it the one beside this Python.
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    project.prepare_if_dev()
    return project


def sources_digest() -> str:
    """A digest of every file dbt parses, names and contents, and of the dbt versions."""
    files = [DBT_PROJECT_DIR / name for name in SOURCE_FILES]
    for folder in SOURCE_FOLDERS:
        files += sorted(p for p in (DBT_PROJECT_DIR / folder).rglob("*") if p.is_file())
    digest = hashlib.sha256(f"{version('dbt-core')} {version('dbt-duckdb')}".encode())
    for path in files:
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def prepare_manifest() -> bool:
    """Parse the dbt project so that the Dagster definitions can load (outside `dagster dev`),
    unless the manifest was parsed from the same sources. Returns whether it parsed."""
    project = dbt_project()
    stamp = project.manifest_path.with_name("manifest.sources.sha256")
    digest = sources_digest()
    if project.manifest_path.exists() and stamp.exists() and stamp.read_text() == digest:
        return False
    project.preparer.prepare(project)
    stamp.write_text(digest)
    return True
