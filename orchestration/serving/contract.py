"""What BI tools are promised: which tables are served, their descriptions, the types they
may hold and the days they may cover. dbt's YAML (through its manifest) is the one source of
the tables' and columns' descriptions; a mart names its day column in `meta.serving`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SERVED_CORE_TABLES = ("dim_account", "dim_users", "dim_product_environments")


@dataclass(frozen=True)
class ServedTable:
    name: str
    schema: str  # where the warehouse holds it
    description: str
    columns: Mapping[str, str] = field(default_factory=dict)  # name -> description
    day_column: str | None = None  # no served row holds a day after the last complete one
    open_end_column: str | None = None  # an interval's end; later than that day reads "open"

    @property
    def relation(self) -> str:
        return f'{self.schema}."{self.name}"'


def served_tables(manifest: Mapping[str, Any]) -> list[ServedTable]:
    """Every mart and the served dimensions, by name, as dbt's manifest describes them."""
    tables = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        folder = node["fqn"][1] if len(node["fqn"]) > 2 else None
        if folder != "marts" and node["name"] not in SERVED_CORE_TABLES:
            continue
        serving = node.get("meta", {}).get("serving", {})
        tables.append(
            ServedTable(
                name=node["alias"],
                schema=node["schema"],
                description=node["description"].strip(),
                columns={
                    name: column["description"].strip() for name, column in node["columns"].items()
                },
                day_column=serving.get("day_column"),
                open_end_column=serving.get("open_end_column"),
            )
        )
    return sorted(tables, key=lambda table: table.name)


_INTEGER = re.compile(r"(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|UHUGEINT)")
_DECIMAL = re.compile(r"DECIMAL\((\d+),(\d+)\)")


def served_type(duckdb_type: str) -> str | None:
    """The type a column is served as, when it must change: counts BIGINT, other numbers
    DOUBLE, times TIMESTAMP (UTC). None keeps the column as it is."""
    kind = duckdb_type.upper().replace(" ", "")
    if kind == "BIGINT":
        return None
    if _INTEGER.fullmatch(kind):
        return "BIGINT"
    decimal = _DECIMAL.fullmatch(kind)
    if decimal:
        return "BIGINT" if decimal.group(2) == "0" else "DOUBLE"
    if kind in {"FLOAT", "REAL"}:
        return "DOUBLE"
    if kind in {"TIMESTAMPWITHTIMEZONE", "TIMESTAMPTZ"}:
        return "TIMESTAMP"
    if kind in {"TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S"}:
        return "TIMESTAMP"
    return None


def served_column(name: str, duckdb_type: str) -> str:
    """The select expression that serves one column under its own name."""
    quoted = f'"{name}"'
    target = served_type(duckdb_type)
    if target is None:
        return quoted
    if duckdb_type.upper().startswith("TIMESTAMP WITH TIME ZONE"):
        return f"timezone('UTC', {quoted}) as {quoted}"
    return f"cast({quoted} as {target}) as {quoted}"
