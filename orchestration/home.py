"""The Dagster home `dam-usage` sets up: a copy of the instance settings of
DAM_DAGSTER_CONFIG (the repository's dagster.yaml unless set). Kept free of Dagster
imports: commands that only set up the home (asking for a report) start faster without them.
"""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.settings import Settings


def dagster_home(settings: Settings) -> Path:
    """The persistent Dagster home of these settings, written if it is not up to date; it
    becomes this process's DAGSTER_HOME (the processes it starts inherit it)."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    if settings.dagster_config.resolve() != target.resolve():
        wanted = settings.dagster_config.read_text()
        if not target.exists() or target.read_text() != wanted:
            # Written aside and renamed: a process starting meanwhile reads whole settings.
            aside = target.with_name(f".dagster.yaml.{os.getpid()}")
            aside.write_text(wanted)
            os.replace(aside, target)
    os.environ["DAGSTER_HOME"] = str(home)
    return home
