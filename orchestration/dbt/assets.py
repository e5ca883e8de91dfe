"""dbt models as Dagster assets: sources map to the raw ingest assets, folders to groups,
and dbt tests surface as asset checks."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from orchestration.dbt.project import dbt_project


class WarehouseTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        folders = dbt_resource_props.get("fqn", [])[1:-1]
        return folders[0] if folders else "dbt"


TRANSLATOR = WarehouseTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def dbt_build_args(full_refresh: bool = False) -> list[str]:
    """The dbt command of a run: one `build` (models, seeds and tests) per run."""
    args = ["build"]
    if full_refresh:
        args.append("--full-refresh")
    return args


class DbtRunConfig(dg.Config):
    full_refresh: bool = False


@dbt_assets(
    manifest=dbt_project().manifest_path,
    dagster_dbt_translator=TRANSLATOR,
    pool="duckdb",
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def warehouse_dbt_assets(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtRunConfig
):
    yield from dbt.cli(dbt_build_args(config.full_refresh), context=context).stream()
