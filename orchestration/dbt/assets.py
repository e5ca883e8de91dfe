"""dbt models as Dagster assets: sources map to the raw ingest assets, folders to groups,
dbt tests surface as described asset checks, every materialization carries its row count and
column types, and a run's arrival days reach dbt in its environment."""

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    dbt_assets,
)

from orchestration.dbt.metadata import check_description, with_table_metadata
from orchestration.dbt.project import dbt_project
from orchestration.dbt.resource import WarehouseDbtCli
from orchestration.partitions import run_arrival_window
from orchestration.resources import Warehouse
from orchestration.settings import Settings


class WarehouseTranslator(DagsterDbtTranslator):
    """Groups in the UI follow the layers: reference, staging, core (with its
    intermediate helpers) and marts."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        folders = dbt_resource_props.get("fqn", [])[1:-1]
        layer = folders[0] if folders else "core"
        return "core" if layer == "intermediate" else layer

    def get_asset_check_spec(
        self,
        asset_spec: dg.AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: Any,
    ) -> dg.AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        return dg.AssetCheckSpec(
            name=spec.name,
            asset=spec.asset_key,
            description=check_description(manifest["nodes"][unique_id]),
            additional_deps=spec.additional_deps,
            blocking=spec.blocking,
            metadata=spec.metadata,
            automation_condition=spec.automation_condition,
        )


TRANSLATOR = WarehouseTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def stored_table_specs() -> list[dg.AssetSpec]:
    """The dbt source `stored` as assets of their own: the run_state models' reads of a
    keyed model's rows as the previous run left them. Declared, the lineage shows them;
    left undeclared, Dagster would match them to the model by table name, a cycle."""
    manifest = json.loads(dbt_project().manifest_path.read_text())
    return [
        TRANSLATOR.get_asset_spec(manifest, unique_id, dbt_project()).replace_attributes(
            group_name="core", description=source["description"]
        )
        for unique_id, source in manifest["sources"].items()
        if source["source_name"] == "stored"
    ]


def dbt_build_args(full_refresh: bool = False) -> list[str]:
    """One `dbt build` per run."""
    return ["build", "--full-refresh"] if full_refresh else ["build"]


def arrival_window_environment(first: date, end: date) -> dict[str, str]:
    """The arrival days [first, end) (half-open) as dbt reads them (arrival_window_bound in
    macros/calendar.sql). Unlike `--vars`, environment variables read only while models
    run leave dbt's last parse of the project valid, so a run does not parse it again."""
    return {"DAM_MIN_ARRIVAL_DATE": first.isoformat(), "DAM_MAX_ARRIVAL_DATE": end.isoformat()}


class DbtRunConfig(dg.Config):
    full_refresh: bool = False


def build_dbt_assets(settings: Settings) -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=dbt_project().manifest_path,
        dagster_dbt_translator=TRANSLATOR,
        pool="duckdb",
    )
    def warehouse_dbt_assets(
        context: dg.AssetExecutionContext,
        dbt: WarehouseDbtCli,
        warehouse: Warehouse,
        config: DbtRunConfig,
    ):
        first, end = run_arrival_window(context.run.tags, settings)
        # One writer at a time, so one target folder, replaced by each run (dagster-dbt would
        # otherwise leave a new folder behind every run).
        target = settings.dbt_dir / "last_run"
        window = arrival_window_environment(first, end)
        args = dbt_build_args(config.full_refresh)
        invocation = dbt.cli(args, context=context, target_path=target, env=window)
        yield from with_table_metadata(
            invocation.stream(),
            invocation.manifest,
            lambda: warehouse.connect(read_only=True, wait_seconds=warehouse.lock_wait_seconds),
        )

    return warehouse_dbt_assets
