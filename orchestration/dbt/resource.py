"""dagster-dbt's CLI resource, with variables for the dbt process's environment.

The stock resource starts dbt with this process's environment. The arrival window of a run
reaches dbt in environment variables (read only while nodes run, so that a new window does
not make dbt parse the project again), so each command is given its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from dagster_dbt import DbtCliInvocation, DbtCliResource


class WarehouseDbtCli(DbtCliResource):
    def cli(self, args, *, env: Mapping[str, str] | None = None, **kwargs) -> DbtCliInvocation:
        """The stock command, its dbt process started with `env` added to this process's
        environment."""
        with _environment(env or {}):
            return super().cli(args, **kwargs)


@contextmanager
def _environment(variables: Mapping[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
