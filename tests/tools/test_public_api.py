"""The public-API lint finds each kind of private use, and the project has none."""

from __future__ import annotations

import pytest

from orchestration.settings import PROJECT_ROOT
from tools.public_api import main, problems, setting_problems

# Dagster's private package, spelled apart so that no line here is a use of it.
CORE = "dagster." + "_core"


@pytest.mark.parametrize(
    ("source", "found"),
    [
        (f"from {CORE}.events import ASSET_EVENTS", f"private module {CORE}.events"),
        (f"import {CORE}.storage as s", f"private module {CORE}.storage"),
        ("from dagster_dbt.core.resource import _dbt_packages_has_dagster_dbt",
         "private name _dbt_packages_has_dagster_dbt"),
        ("def f(resource):\n    return resource._cli_version", "private attribute _cli_version"),
        ("getattr(resource, '_cli_version')", "by its name"),
        ("monkeypatch.setattr(DbtCliResource, '_initialize_dbt_core_adapter', None)",
         "by its name"),
        ("from dagster_dbt import DbtCliResource\nclass R(DbtCliResource):\n"
         "    def _initialize_dbt_core_adapter(self, args):\n        return None",
         "R overrides the private method _initialize_dbt_core_adapter"),
        ("import dagster as dg\nclass W(dg.ConfigurableResource):\n"
         "    def _cli_version(self):\n        return 1",
         None),  # dagster's class has no such method: the subclass's own private helper
        ("class Mine:\n    def _helper(self):\n        return self._cache", None),
        ("from dagster import AssetKey\nkey = AssetKey(['a']).__class__", None),
    ],
)  # fmt: skip
def test_each_kind_of_private_use_is_found(source, found):
    listed = list(problems(source))
    if found is None:
        assert listed == []
    else:
        assert len(listed) == 1 and found in listed[0], listed


def test_a_private_module_in_instance_settings_is_found():
    settings = f"run_coordinator:\n  module: {CORE}.run_coordinator\n  class: Queued\n"
    (problem,) = setting_problems(settings)
    assert problem.endswith(f":2: names the private module {CORE}.run_coordinator")
    assert list(setting_problems("run_coordinator:\n  module: dagster\n")) == []


def test_the_project_uses_public_names_only(capsys):
    assert main([str(PROJECT_ROOT)]) == 0, capsys.readouterr().out
