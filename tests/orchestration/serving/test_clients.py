"""The served file in the clients BI tools use, not only the pinned Python package: the
registry's DuckDB command line, an older Python `duckdb` and the Node client of DuckDB 1.4
(what Evidence and other Node BI tools embed), each installed into a throwaway environment,
run every query of the README and find the pinned client's results; duckdb-engine (the
`bi` extra) reflects tables, columns and comments."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import venv
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import PROJECT_ROOT
from orchestration.sql import sql_string

REQUIRED = os.environ.get("DAM_REQUIRE_CLIENTS") == "1"


def readme_queries() -> list[str]:
    """Every statement of the README's SQL blocks (the BI section's queries)."""
    blocks = re.findall(r"```sql\n(.*?)```", (PROJECT_ROOT / "README.md").read_text(), re.S)
    text = "\n".join(
        line for block in blocks for line in block.splitlines() if not line.startswith("--")
    )
    return [statement.strip() for statement in text.split(";") if statement.strip()]


def unavailable(message: str):
    """A client that cannot be installed: a failure where CI requires the clients."""
    if REQUIRED:
        pytest.fail(message)
    pytest.skip(message)


def install(folder: Path, requirement: str) -> Path:
    """A virtual environment in `folder` with `requirement` from the package registry."""
    venv.create(folder, with_pip=True)
    pip = [str(folder / "bin" / "python"), "-m", "pip", "install", "-q", requirement]
    result = subprocess.run(pip, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        unavailable(f"cannot install {requirement}: {result.stderr[-500:]}")
    return folder / "bin"


def copy_statement(query: str, out: Path) -> str:
    return f"copy ({query}) to {sql_string(out)} (header, delimiter ',')"


def copy_statements(folder: Path) -> list[str]:
    """Each README query, as a COPY of its result to `folder`/<number>.csv."""
    return [copy_statement(q, folder / f"{n}.csv") for n, q in enumerate(readme_queries())]


def assert_same_results(folder: Path, expected: list[str]) -> None:
    """Each query's CSV in `folder` equals the pinned client's."""
    for number, query in enumerate(readme_queries()):
        assert (folder / f"{number}.csv").read_text() == expected[number], query


@pytest.fixture(scope="module")
def expected(built, tmp_path_factory) -> list[str]:
    """Each README query's result as CSV, written by the pinned Python client."""
    folder = tmp_path_factory.mktemp("pinned")
    results = []
    with duckdb.connect(str(built["serving"]), read_only=True) as con:
        for number, query in enumerate(readme_queries()):
            out = folder / f"{number}.csv"
            con.execute(copy_statement(query, out))
            results.append(out.read_text())
    return results


def test_the_readme_has_queries_for_the_macros_and_the_metadata():
    queries = " ".join(readme_queries())
    for name in ("top_collections", "published_collections_by_views", "users_by_activity"):
        assert f"{name}(" in queries
    assert "serving_build" in queries


def test_the_registry_duckdb_cli_runs_the_readme_queries(built, expected, tmp_path):
    cli = install(tmp_path / "cli", "duckdb-cli") / "duckdb"
    version = subprocess.run([str(cli), "--version"], capture_output=True, text=True).stdout
    assert version.startswith("v1."), version  # a client older than the pipeline's DuckDB
    for statement in copy_statements(tmp_path):
        result = subprocess.run(
            [str(cli), "-readonly", str(built["serving"]), "-c", statement],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, (statement, result.stderr)
    assert_same_results(tmp_path, expected)


OLD_CLIENT = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(duckdb.__version__)
for query in sys.stdin.read().split("\\0"):
    con.execute(query)
"""


def test_python_duckdb_1_1_runs_the_readme_queries(built, expected, tmp_path):
    python = install(tmp_path / "old", "duckdb>=1.1,<1.2") / "python"
    statements = copy_statements(tmp_path)
    result = subprocess.run(
        [str(python), "-c", OLD_CLIENT, str(built["serving"])],
        input="\0".join(statements),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("1.1."), result.stdout
    assert_same_results(tmp_path, expected)


NODE_CLIENT = """
import { DuckDBInstance } from '@duckdb/node-api';
const statements = JSON.parse(process.argv[3]);
const instance = await DuckDBInstance.create(process.argv[2], { access_mode: 'READ_ONLY' });
const con = await instance.connect();
const version = await con.runAndReadAll('select version() as v');
console.log(version.getRowObjectsJson()[0].v);
for (const statement of statements) await con.run(statement);
"""


def test_the_node_client_of_duckdb_1_4_runs_the_readme_queries(built, expected, tmp_path):
    if shutil.which("npm") is None or shutil.which("node") is None:
        unavailable("Node.js and npm are needed for the Node client's test")
    install = subprocess.run(
        ["npm", "install", "--silent", "--no-audit", "--no-fund", "@duckdb/node-api@1.4.4-r.1"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if install.returncode != 0:
        unavailable(f"cannot install @duckdb/node-api: {install.stderr[-500:]}")
    (tmp_path / "queries.mjs").write_text(NODE_CLIENT)
    statements = copy_statements(tmp_path)
    result = subprocess.run(
        ["node", "queries.mjs", str(built["serving"]), json.dumps(statements)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("v1.4."), result.stdout
    assert_same_results(tmp_path, expected)


def test_duckdb_engine_reflects_tables_columns_and_comments(built):
    sqlalchemy = pytest.importorskip("sqlalchemy")
    pytest.importorskip("duckdb_engine")
    engine = sqlalchemy.create_engine(
        f"duckdb:///{built['serving']}", connect_args={"read_only": True}
    )
    try:
        inspector = sqlalchemy.inspect(engine)
        tables = set(inspector.get_table_names())
        assert {"mart_assets_daily", "dim_users", "serving_build"} <= tables
        columns = inspector.get_columns("mart_assets_daily")
        assert [(c["name"], str(c["type"])) for c in columns] == [
            ("calendar_date", "DATE"),
            ("cloud_name", "VARCHAR"),
            ("asset_type", "VARCHAR"),
            ("asset_count", "BIGINT"),
            ("total_bytes", "BIGINT"),
        ]
        assert all(c["comment"] for c in columns)
        assert inspector.get_table_comment("mart_assets_daily")["text"]
        with engine.connect() as connection:
            (rows,) = connection.execute(
                sqlalchemy.text("select row_count from serving_tables where table_name = :t"),
                {"t": "mart_assets_daily"},
            ).one()
            assert rows > 0
    finally:
        engine.dispose()
