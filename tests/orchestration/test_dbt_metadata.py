"""What the Dagster UI shows of the dbt models after the main command: each table's row
count and column types on its materialization, equal to the warehouse's own."""

from __future__ import annotations

import dagster as dg
import pytest

from orchestration.dbt.metadata import check_description
from tests.conftest import warehouse_rows


@pytest.mark.parametrize(
    "key", [("marts", "mart_assets_daily"), ("core", "dim_users"), ("reference", "roles")]
)
def test_a_materialization_carries_row_count_and_column_schema(built, key):
    schema, table = key
    with dg.DagsterInstance.from_config(str(built["data"] / "dagster_home")) as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey(list(key)))
    metadata = event.asset_materialization.metadata
    ((rows,),) = warehouse_rows(built["warehouse"], f"select count(*) from {schema}.{table}")
    assert metadata["dagster/row_count"].value == rows
    columns = warehouse_rows(
        built["warehouse"],
        "select column_name, data_type from duckdb_columns() "
        f"where schema_name = '{schema}' and table_name = '{table}' order by column_index",
    )
    schema_value = metadata["dagster/column_schema"].schema
    assert [(c.name, c.type) for c in schema_value.columns] == columns


def test_a_view_has_its_columns_but_is_not_counted(built):
    with dg.DagsterInstance.from_config(str(built["data"] / "dagster_home")) as instance:
        event = instance.get_latest_materialization_event(
            dg.AssetKey(["staging", "stg_dam__usage"])
        )
    metadata = event.asset_materialization.metadata
    assert "dagster/row_count" not in metadata
    assert metadata["dagster/column_schema"].schema.columns


def test_check_descriptions_name_what_fails():
    node = {
        "name": "accepted_values_x",
        "description": "",
        "test_metadata": {
            "name": "accepted_values",
            "kwargs": {"column_name": "source", "arguments": {"values": ["api", "user"]}},
        },
    }
    assert check_description(node) == "source holds only the accepted values: api, user."
    node["test_metadata"] = {"name": "my_own_test", "kwargs": {}}
    assert check_description(node) == "dbt test accepted_values_x finds no failing rows."
    node["description"] = "Said in YAML."
    assert check_description(node) == "Said in YAML."
