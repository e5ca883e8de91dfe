"""Jobs: the whole warehouse, landing zone to published marts, in one run."""

import dagster as dg

from orchestration.partitions import arrival_days
from orchestration.settings import Settings


def build_load_warehouse_job(settings: Settings):
    return dg.define_asset_job(
        "load_warehouse",
        selection=dg.AssetSelection.all() - dg.AssetSelection.groups("reports"),
        partitions_def=arrival_days(settings),
        description=(
            "Ingest the selected arrival days, build every dbt model on top and publish the "
            "marts, in one run."
        ),
        # Every step writes DuckDB and waits for the one-writer pool: a process per step
        # would add start-up time and no parallelism.
        executor_def=dg.in_process_executor,
    )
