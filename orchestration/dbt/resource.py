"""dagster-dbt's CLI resource without two start-up costs of every run that this project does
not use.

Before each `dbt build`, the stock resource runs `dbt --version` in a process of its own (to
tell dbt Core from the Fusion engine) and loads a dbt adapter with the project's macros (for
row counts and column metadata, which these assets do not fetch). Together they took about
4 s of the daily increment, as long as the increment's models. Here the version is read from
the installed dbt-core package when the executable is the one beside this Python, and no
adapter is loaded.
"""

from __future__ import annotations

import sys
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

from dagster_dbt import DbtCliResource
from packaging import version


class WarehouseDbtCli(DbtCliResource):
    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable).parent == Path(sys.executable).parent:
            return version.parse(installed_version("dbt-core"))
        return super()._cli_version

    def _initialize_dbt_core_adapter(self, args):
        """No adapter: dagster-dbt uses it only to fetch metadata these assets do not ask for."""
        return None
