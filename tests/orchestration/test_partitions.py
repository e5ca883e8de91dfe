"""The arrival window a run gives the models, from its partition tags."""

from __future__ import annotations

from datetime import date

from orchestration.partitions import run_arrival_window
from orchestration.settings import Settings


def test_a_range_a_day_or_every_day(monkeypatch):
    monkeypatch.setenv("DAM_FIRST_ARRIVAL_DAY", "2024-01-01")
    settings = Settings.from_env()
    ranged = {
        "dagster/asset_partition_range_start": "2024-05-01",
        "dagster/asset_partition_range_end": "2024-05-03",
    }
    assert run_arrival_window(ranged, settings) == (date(2024, 5, 1), date(2024, 5, 4))
    one = {"dagster/partition": "2024-05-07"}
    assert run_arrival_window(one, settings) == (date(2024, 5, 7), date(2024, 5, 8))
    first, end = run_arrival_window({}, settings)
    assert first == date(2024, 1, 1) and end > date.today()
