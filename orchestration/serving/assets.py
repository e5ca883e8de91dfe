"""The published marts as a Dagster asset, downstream of every mart."""

from pathlib import Path

import dagster as dg

from orchestration.resources import Warehouse
from orchestration.serving.publish import publish

PUBLISHED_MARTS = dg.AssetKey(["serving", "published_marts"])


class ServingFile(dg.ConfigurableResource):
    """Where BI tools read the marts."""

    path: str


def build_publish_asset(marts: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=PUBLISHED_MARTS,
        group_name="serving",
        deps=marts,
        pool="duckdb",
        kinds={"duckdb"},
        description="The marts copied into the serving DuckDB file that BI tools read.",
    )
    def published_marts(
        context: dg.AssetExecutionContext, warehouse: Warehouse, serving: ServingFile
    ) -> dg.MaterializeResult:
        with warehouse.connect(wait_seconds=warehouse.lock_wait_seconds) as con:
            tables = publish(con, Path(serving.path))
        context.log.info(f"Published {len(tables)} tables to {serving.path}")
        return dg.MaterializeResult(metadata={"path": serving.path, "tables": ", ".join(tables)})

    return published_marts
