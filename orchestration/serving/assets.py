"""The published marts as a Dagster asset, downstream of every mart."""

import json
from datetime import timedelta
from pathlib import Path

import dagster as dg

from orchestration.dbt.project import dbt_project
from orchestration.resources import Warehouse
from orchestration.serving.publish import publish
from orchestration.settings import Settings

PUBLISHED_MARTS = dg.AssetKey(["serving", "published_marts"])


class ServingFile(dg.ConfigurableResource):
    """Where BI tools read the marts: this DuckDB file, and `parquet/` beside it."""

    path: str


def load_manifest() -> dict:
    """dbt's manifest: which tables are served, and their descriptions."""
    return json.loads(dbt_project().manifest_path.read_text())


def build_publish_asset(marts: list[dg.AssetKey], settings: Settings) -> dg.AssetsDefinition:
    @dg.asset(
        key=PUBLISHED_MARTS,
        group_name="serving",
        deps=marts,
        # Stale in the UI once older than DAM_MAX_SERVING_AGE_HOURS (the daemon decides).
        freshness_policy=dg.FreshnessPolicy.time_window(
            fail_window=timedelta(hours=settings.max_serving_age_hours)
        ),
        pool="duckdb",
        kinds={"duckdb", "parquet"},
        description=(
            "The marts and dimensions BI tools read: a DuckDB file every maintained DuckDB "
            "client opens, and the same tables as Parquet, with their descriptions and the "
            "build's metadata (serving_build, serving_tables)."
        ),
    )
    def published_marts(
        context: dg.AssetExecutionContext, warehouse: Warehouse, serving: ServingFile
    ) -> dg.MaterializeResult:
        manifest = load_manifest()
        target = Path(serving.path)
        with warehouse.connect(wait_seconds=warehouse.lock_wait_seconds) as con:
            published = publish(con, target, manifest)
        context.log.info(f"Published {len(published.rows)} tables to {target}")
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(target)),
                "parquet": dg.MetadataValue.path(str(target.parent / "parquet")),
                "build_id": published.build_id,
                "complete_through": str(published.complete_through),
                "partial_day": str(published.partial_day or ""),
                "data_through": str(published.data_through or ""),
                "rows": dg.MetadataValue.table(
                    records=[
                        dg.TableRecord({"table": name, "rows": rows})
                        for name, rows in published.rows.items()
                    ],
                    schema=dg.TableSchema(
                        columns=[
                            dg.TableColumn("table", "string"),
                            dg.TableColumn("rows", "int"),
                        ]
                    ),
                ),
            }
        )

    return published_marts
