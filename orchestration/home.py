"""The Dagster home `dam-usage` sets up: the instance settings of DAM_DAGSTER_CONFIG (the
repository's dagster.yaml unless set), completed with the batching SQLite event log
(orchestration/event_log.py) in the stock event log's place. Kept free of Dagster imports:
commands that only set up the home (asking for a report) start faster without them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import yaml

from orchestration.settings import Settings

EVENT_LOG_MODULE = "orchestration.event_log"
EVENT_LOG_CLASS = "BatchingSqliteEventLogStorage"


def dagster_home(settings: Settings) -> Path:
    """The persistent Dagster home of these settings, written if it is not up to date; it
    becomes this process's DAGSTER_HOME (the processes it starts inherit it)."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    if settings.dagster_config.resolve() != target.resolve():
        wanted = home_settings(settings.dagster_config.read_text(), home)
        if not target.exists() or target.read_text() != wanted:
            # Written aside and renamed: a process starting meanwhile reads whole settings.
            aside = target.with_name(f".dagster.yaml.{os.getpid()}")
            aside.write_text(wanted)
            os.replace(aside, target)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def home_settings(settings_text: str, home: Path) -> str:
    """The instance settings for a Dagster home: as given, plus the batching event log in
    the stock event log's place unless they choose their own storage."""
    chosen = yaml.safe_load(settings_text) or {}
    if {"storage", "event_log_storage"} & set(chosen):
        return settings_text
    base_dir = json.dumps(str(home / "history" / "runs"))
    return (
        settings_text.rstrip("\n")
        + "\n\n# Added by dam-usage: the SQLite event log, writing batches of events at once.\n"
        + "event_log_storage:\n"
        + f"  module: {EVENT_LOG_MODULE}\n"
        + f"  class: {EVENT_LOG_CLASS}\n"
        + f"  config:\n    base_dir: {base_dir}\n"
    )
