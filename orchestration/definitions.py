"""The Dagster code location: what the warehouse is made of, at a glance."""

from __future__ import annotations

import warnings

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.dbt.assets import warehouse_dbt_assets
from orchestration.dbt.project import dbt_executable, dbt_project
from orchestration.ingest.assets import LandingZone, build_ingest_assets
from orchestration.jobs import load_warehouse_job
from orchestration.resources import Warehouse
from orchestration.settings import Settings

warnings.filterwarnings("ignore", category=dg.BetaWarning)  # single-run backfill policy

settings = Settings.from_env()
settings.export_for_dbt()

defs = dg.Definitions(
    assets=[*build_ingest_assets(settings), warehouse_dbt_assets],
    jobs=[load_warehouse_job],
    resources={
        "warehouse": Warehouse.from_settings(settings),
        "landing": LandingZone.from_settings(settings),
        "dbt": DbtCliResource(project_dir=dbt_project(), dbt_executable=dbt_executable()),
    },
)
