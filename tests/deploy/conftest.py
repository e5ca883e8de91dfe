"""A real PostgreSQL server for the deployment tests: Debian's package, a throwaway cluster
on a free loopback port. Skipped where PostgreSQL is not installed, unless
DAM_REQUIRE_POSTGRES is set (CI installs it and sets it)."""

from __future__ import annotations

import glob
import os
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

USER = "dagster"


def server_binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    return Path(found[-1]).parent if found else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[dict[str, str]]:
    """The DAGSTER_PG_* variables of a running server (its `postgres` database)."""
    binaries = server_binaries()
    if binaries is None:
        if os.environ.get("DAM_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL is required (DAM_REQUIRE_POSTGRES) but not installed")
        pytest.skip("PostgreSQL is not installed (Debian package postgresql)")
    # The server refuses to run as root: as root, run it as the package's own user.
    as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    root = Path(tempfile.mkdtemp(prefix="dam-pg-"))
    if as_owner:
        shutil.chown(root, "postgres", "postgres")
    cluster, port = root / "cluster", free_port()
    run = lambda *command: subprocess.run(  # noqa: E731
        [*as_owner, *map(str, command)], check=True, capture_output=True, text=True
    )
    run(binaries / "initdb", "-D", cluster, "-U", USER, "--auth=trust", "-E", "UTF8")
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1"
    run(binaries / "pg_ctl", "-D", cluster, "-l", root / "server.log", "-o", options, "-w", "start")
    try:
        yield {
            "DAGSTER_PG_HOST": "127.0.0.1",
            "DAGSTER_PG_PORT": str(port),
            "DAGSTER_PG_DB": "postgres",
            "DAGSTER_PG_USER": USER,
            "DAGSTER_PG_PASSWORD": "",
        }
    finally:
        run(binaries / "pg_ctl", "-D", cluster, "-m", "immediate", "stop")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgres(postgres_server, request) -> dict[str, str]:
    """The server, with an empty database of this test's own."""
    import psycopg2

    name = "test_" + re.sub(r"\W", "_", request.node.name).lower()[:50]
    connection = psycopg2.connect(
        host=postgres_server["DAGSTER_PG_HOST"],
        port=postgres_server["DAGSTER_PG_PORT"],
        dbname=postgres_server["DAGSTER_PG_DB"],
        user=postgres_server["DAGSTER_PG_USER"],
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'drop database if exists "{name}"')
        cursor.execute(f'create database "{name}"')
    connection.close()
    return {**postgres_server, "DAGSTER_PG_DB": name}
