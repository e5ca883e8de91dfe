"""What the Dagster UI shows of each dbt model and test: row counts and the column schema
of every materialization, and a description of every check.

The row counts and column types are read once dbt has finished: while it runs, dbt's
process holds the DuckDB file for writing, and a second process cannot open it (dagster-dbt's
own fetching, which connects while dbt runs, finds the file locked). So the events of a
build are held back until dbt ends, then passed on with the table metadata added.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import dagster as dg
import duckdb

TABLE_MATERIALIZATIONS = {"table", "incremental", "seed"}


def with_table_metadata(
    events: Iterable[Any],
    manifest: Mapping[str, Any],
    connect,
) -> Iterator[Any]:
    """Pass on dbt's events, each model's and seed's with its row count and column schema.
    `connect()` opens the warehouse read-only once dbt has let go of it. A failed build
    still passes on the events of what it built before it raises."""
    held: list[Any] = []
    failure: Exception | None = None
    try:
        for event in events:
            held.append(event)
    except Exception as error:
        failure = error
    nodes = [_node(manifest, event) for event in held]
    metadata = _fetch(connect, [node for node in nodes if node is not None])
    for event, node in zip(held, nodes, strict=True):
        extra = metadata.get(node["unique_id"]) if node is not None else None
        yield event.with_metadata({**event.metadata, **extra}) if extra else event
    if failure is not None:
        raise failure


def _node(manifest: Mapping[str, Any], event: Any) -> Mapping[str, Any] | None:
    if not isinstance(event, dg.Output | dg.AssetMaterialization):
        return None
    unique_id = event.metadata.get("unique_id")
    node = manifest["nodes"].get(getattr(unique_id, "value", unique_id))
    return node if node and node["resource_type"] in ("model", "seed") else None


def _fetch(connect, nodes: list[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    if not nodes:
        return {}
    try:
        with connect() as con:
            return {node["unique_id"]: _table_metadata(con, node) for node in nodes}
    except duckdb.Error as error:
        dg.get_dagster_logger().warning(f"Row counts and column types not read: {error}")
        return {}


def _table_metadata(con: duckdb.DuckDBPyConnection, node: Mapping[str, Any]) -> dict[str, Any]:
    columns = con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where schema_name = ? and table_name = ? order by column_index",
        [node["schema"], node["alias"]],
    ).fetchall()
    descriptions = {name: column.get("description", "") for name, column in node["columns"].items()}
    metadata: dict[str, Any] = {
        "dagster/column_schema": dg.TableSchema(
            columns=[
                dg.TableColumn(name, data_type, description=descriptions.get(name) or None)
                for name, data_type in columns
            ]
        )
    }
    if node["config"].get("materialized") in TABLE_MATERIALIZATIONS:
        # Views are not counted: counting one runs its query.
        relation = f'"{node["schema"]}"."{node["alias"]}"'
        (rows,) = con.execute(f"select count(*) from {relation}").fetchone()
        metadata["dagster/row_count"] = dg.MetadataValue.int(rows)
    return metadata


GENERIC_TEST_DESCRIPTIONS = {
    "unique": "No two rows share a value of {column}.",
    "not_null": "{column} is never null.",
    "accepted_values": "{column} holds only the accepted values: {values}.",
    "relationships": "Every {column} is found in the table it refers to.",
    "unique_combination": "No two rows share a combination of {columns}.",
    "unique_from_window": (
        "No two rows share a value of {column}, checked over the rows this run recomputed."
    ),
    "unique_from_touched_collections": (
        "No two rows share a combination of {columns}, checked over the collections this run "
        "recomputed."
    ),
}


def check_description(test_node: Mapping[str, Any]) -> str:
    """A sentence that says what a dbt data test checks, for its Dagster asset check."""
    if test_node.get("description"):
        return test_node["description"]
    metadata = test_node.get("test_metadata") or {}
    kwargs = {**metadata.get("kwargs", {}), **metadata.get("kwargs", {}).get("arguments", {})}
    template = GENERIC_TEST_DESCRIPTIONS.get(metadata.get("name", ""))
    if template is None:
        return f"dbt test {test_node['name']} finds no failing rows."
    return template.format(
        column=kwargs.get("column_name", "the key"),
        columns=", ".join(kwargs.get("columns", [])),
        values=", ".join(str(v) for v in kwargs.get("values", [])),
    )
