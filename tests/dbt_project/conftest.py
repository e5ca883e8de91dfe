"""The hand-built zone (hand_zone.py), written once per test module."""

from __future__ import annotations

import pytest

from tests.dbt_project.hand_zone import write_zone


@pytest.fixture(scope="module")
def zone(tmp_path_factory):
    root = tmp_path_factory.mktemp("hand")
    write_zone(root)
    return root
