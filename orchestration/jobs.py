"""Jobs: the whole warehouse, landing zone to marts, in one run."""

from __future__ import annotations

import dagster as dg

load_warehouse_job = dg.define_asset_job(
    "load_warehouse",
    selection=dg.AssetSelection.all(),
    description="Ingest the selected arrival days and build every dbt model on top, in one run.",
)
