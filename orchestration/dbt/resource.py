"""dagster-dbt's CLI resource, with variables for the dbt process's environment and without
two start-up costs of every run that this project does not need.

Before each `dbt build`, the stock resource runs `dbt --version` in a process of its own (to
tell dbt Core from the Fusion engine) and loads a dbt adapter with the project's macros (for
row counts and column metadata, which these assets do not fetch). Together they took about
4 s of the daily increment, as long as the increment's models. Here the version is read from
the installed dbt-core package when the executable is the one beside this Python, and no
adapter is loaded.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

from dagster_dbt import DbtCliInvocation, DbtCliResource
from packaging import version


class WarehouseDbtCli(DbtCliResource):
    def cli(self, args, *, env: Mapping[str, str] | None = None, **kwargs) -> DbtCliInvocation:
        """The stock command, its dbt process started with `env` added to this process's
        environment (the stock resource passes on its own environment only)."""
        with _environment(env or {}):
            return super().cli(args, **kwargs)

    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable).parent == Path(sys.executable).parent:
            return version.parse(installed_version("dbt-core"))
        return super()._cli_version

    def _initialize_dbt_core_adapter(self, args):
        """No adapter: dagster-dbt uses it only to fetch metadata these assets do not ask for."""
        return None


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
