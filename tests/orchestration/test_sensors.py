"""The landing sensor: which arrival days it loads, and the runs it asks for, from a real
landing zone's listing. The daemon test (tests/deploy/test_landing_sensor.py) runs it."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import time
from datetime import date, timedelta

import dagster as dg
import pytest

from orchestration.definitions import defs
from orchestration.landing import landing_days
from orchestration.partitions import RANGE_END_TAG, RANGE_START_TAG
from orchestration.sensors import (
    DayFiles,
    build_landing_sensor,
    day_ranges,
    decide,
    landing_state,
)
from orchestration.settings import Settings

LONG_AGO = 1_000_000_000.0  # 2001-09-09


@pytest.fixture
def zone(small_zone, tmp_path):
    """A copy of the small zone, every file last changed long ago."""
    copy = tmp_path / "landing"
    shutil.copytree(small_zone, copy)
    for folder, _, files in os.walk(copy):
        for name in files:
            os.utime(os.path.join(folder, name), (LONG_AGO, LONG_AGO))
    return copy


def a_file_of(zone, day: date):
    return next((zone / "dam_events" / day.isoformat()).iterdir())


def test_the_listing_gives_every_arrival_day_and_sees_a_change_to_one(zone):
    days = landing_days(zone)
    before = landing_state(zone)
    assert sorted(before) == days
    assert {files.newest for files in before.values()} == {LONG_AGO}

    changed = a_file_of(zone, days[2])
    changed.write_text(changed.read_text() + "\n")
    os.utime(changed, (LONG_AGO, LONG_AGO))  # a change in size alone is seen
    after = landing_state(zone)
    assert [d for d in days if after[d] != before[d]] == [days[2]]


def test_a_link_and_a_renamed_file_change_their_day(zone):
    days = landing_days(zone)
    before = landing_state(zone)
    (zone / "dam_events" / days[0].isoformat() / "elsewhere.jsonl").symlink_to("/etc/hostname")
    moved = a_file_of(zone, days[1])
    moved.rename(moved.with_name("renamed.jsonl"))  # same size, same time
    after = landing_state(zone)
    assert [d for d in days if after[d] != before[d]] == days[:2]


def state_of(*days: date, newest: float = LONG_AGO) -> dict[date, DayFiles]:
    return {day: DayFiles(f"print-{day}", newest) for day in days}


DAYS = [date(2024, 5, 1) + timedelta(days=n) for n in range(4)]
NOW = time.time()


def test_the_first_tick_loads_a_zone_never_loaded_and_nothing_already_loaded():
    state = state_of(*DAYS)
    assert decide(state, None, None, NOW, 10, DAYS[0]).days == DAYS
    assert decide(state, None, LONG_AGO + 1, NOW, 10, DAYS[0]).days == []
    state[DAYS[3]] = DayFiles("new", LONG_AGO + 2)  # a file newer than the last load
    first = decide(state, None, LONG_AGO + 1, NOW, 10, DAYS[0])
    assert first.days == [DAYS[3]]
    assert first.cursor == {d.isoformat(): state[d].fingerprint for d in DAYS}


def test_later_ticks_load_the_days_whose_files_changed_or_appeared():
    seen = {d.isoformat(): f"print-{d}" for d in DAYS[:3]}
    state = state_of(*DAYS)
    state[DAYS[1]] = DayFiles("replaced", LONG_AGO)  # even with an older time
    decision = decide(state, seen, None, NOW, 10, DAYS[0])
    assert decision.days == [DAYS[1], DAYS[3]]
    assert decide(state, decision.cursor, None, NOW, 10, DAYS[0]).days == []


def test_a_day_being_written_or_not_yet_begun_waits_and_one_before_the_partitions_is_skipped():
    today = date.today()
    state = {
        DAYS[0]: DayFiles("before the first partition", LONG_AGO),
        DAYS[1]: DayFiles("written now", NOW - 2),
        DAYS[2]: DayFiles("settled", NOW - 30),
        today + timedelta(days=3): DayFiles("a future day", LONG_AGO),
    }
    decision = decide(state, {}, None, NOW, 10, DAYS[1])
    assert decision.days == [DAYS[2]]
    assert decision.waiting == [DAYS[1], today + timedelta(days=3)]
    # What waits is not remembered, so the next tick looks at it again; the rest is.
    assert set(decision.cursor) == {DAYS[0].isoformat(), DAYS[2].isoformat()}
    later = decide(state, decision.cursor, None, NOW + 60, 10, DAYS[1])
    assert later.days == [DAYS[1]]


def test_consecutive_days_make_one_run():
    gap = [DAYS[0], DAYS[1], DAYS[3], date(2024, 6, 1)]
    assert day_ranges(gap[::-1]) == [
        (DAYS[0], DAYS[1]),
        (DAYS[3], DAYS[3]),
        (date(2024, 6, 1), date(2024, 6, 1)),
    ]


def sensor_on(zone) -> dg.SensorDefinition:
    settings = dataclasses.replace(
        Settings.from_env(),
        landing_dir=zone,
        first_arrival_day=landing_days(zone)[0],
        landing_settle_seconds=0,
    )
    return build_landing_sensor(defs.resolve_job_def("load_warehouse"), settings)


def tick(sensor: dg.SensorDefinition, instance, cursor: str | None) -> dg.SensorResult:
    return sensor(dg.build_sensor_context(instance=instance, cursor=cursor))


def test_the_sensor_asks_for_one_run_per_change_and_never_twice_for_the_same_files(zone):
    days = landing_days(zone)
    sensor = sensor_on(zone)
    with dg.DagsterInstance.ephemeral() as instance:
        first = tick(sensor, instance, None)
        (whole,) = first.run_requests
        assert whole.tags[RANGE_START_TAG] == days[0].isoformat()
        assert whole.tags[RANGE_END_TAG] == days[-1].isoformat()
        # The same files give the same run key, which Dagster launches once.
        assert [r.run_key for r in tick(sensor, instance, None).run_requests] == [whole.run_key]
        quiet = tick(sensor, instance, first.cursor)
        assert quiet.run_requests == []
        assert quiet.skip_reason

        changed = a_file_of(zone, days[-1])
        changed.write_text(changed.read_text() + "\n")
        (today,) = tick(sensor, instance, quiet.cursor).run_requests
        assert today.partition_key == days[-1].isoformat()
        assert today.run_key != whole.run_key
        assert json.loads(quiet.cursor).keys() == {d.isoformat() for d in days}


def test_the_sensor_is_on_by_default_and_polls_every_two_minutes():
    sensor = defs.resolve_sensor_def("landing_files")
    assert sensor.job_name == "load_warehouse"
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert sensor.minimum_interval_seconds == 120
