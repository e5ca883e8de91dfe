"""Retention: by age with an injected clock, by count (oldest first), never a running one;
the sensor's exact requests; the retire job deletes only inside the reports folder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg

from orchestration.reports.assets import (
    REPORT_PARTITIONS,
    ReportStore,
    report_retention,
    retire_reports_job,
)
from orchestration.reports.registry import Registry
from orchestration.reports.retention import to_retire

NOW = datetime(2024, 7, 1, 12, tzinfo=UTC)
DAY = timedelta(days=1)


def key(n: int) -> str:
    first = datetime(2024, 1, 1) + n * DAY
    return f"{first.date()}_{(first + 3 * DAY).date()}"


def add_ready(registry: Registry, n: int, generated: datetime, root: Path | None = None) -> str:
    report_id = key(n)
    start, end = report_id.split("_")
    registry.request(report_id, start, end, "ada@acme.example", generated)
    fields = {"status": "ready", "generated_at": generated.isoformat()}
    if root is not None:
        (root / report_id).mkdir(parents=True)
        (root / report_id / "report.csv").write_text("Time (UTC)\n")
        fields["csv_path"] = str(root / report_id / "report.csv")
    registry.update(report_id, **fields)
    return report_id


def test_reports_expire_thirty_days_after_generation(tmp_path):
    registry = Registry(tmp_path / "r.sqlite")
    old = add_ready(registry, 1, NOW - 30 * DAY)
    young = add_ready(registry, 2, NOW - 29 * DAY)
    assert to_retire(registry.all(), NOW, 30 * DAY, 30) == [old]
    assert to_retire(registry.all(), NOW + DAY, 30 * DAY, 30) == sorted([old, young])


def test_at_most_thirty_are_kept_the_oldest_go_first(tmp_path):
    registry = Registry(tmp_path / "r.sqlite")
    ids = [add_ready(registry, n, NOW - timedelta(hours=40 - n)) for n in range(31)]
    assert to_retire(registry.all(), NOW, 30 * DAY, 30) == [ids[0]]


def test_a_running_report_is_never_evicted(tmp_path):
    registry = Registry(tmp_path / "r.sqlite")
    for n in range(30):
        add_ready(registry, n, NOW - timedelta(hours=40 - n))
    registry.request(key(99), "2024-09-01", "2024-09-05", "ada@acme.example", NOW)
    registry.update(key(99), status="running")
    assert to_retire(registry.all(), NOW, 30 * DAY, 30) == []
    # Once it is ready, the next evaluation retires the oldest.
    registry.update(key(99), status="ready", generated_at=NOW.isoformat())
    assert to_retire(registry.all(), NOW, 30 * DAY, 30) == [key(0)]


class FixedClockStore(ReportStore):
    fixed_now: str

    def now(self) -> datetime:
        return datetime.fromisoformat(self.fixed_now)


def test_the_sensor_deletes_partitions_and_asks_for_one_retire_run(tmp_path):
    store = FixedClockStore(reports_dir=str(tmp_path), fixed_now=NOW.isoformat())
    old = add_ready(store.registry, 1, NOW - 31 * DAY)
    add_ready(store.registry, 2, NOW - DAY)
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(REPORT_PARTITIONS.name, [old, key(2)])
        context = dg.build_sensor_context(instance=instance, resources={"reports": store})
        result = report_retention(context)
    assert isinstance(result, dg.SensorResult)
    (request,) = result.run_requests
    assert request.run_config == {
        "ops": {"retire_reports": {"config": {"reports": [[old, (NOW - 31 * DAY).isoformat()]]}}}
    }
    (deletion,) = result.dynamic_partitions_requests
    assert deletion.partitions_def_name == REPORT_PARTITIONS.name
    assert list(deletion.partition_keys) == [old]


def test_the_sensor_skips_when_nothing_is_due(tmp_path):
    store = FixedClockStore(reports_dir=str(tmp_path), fixed_now=NOW.isoformat())
    add_ready(store.registry, 1, NOW - DAY)
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(instance=instance, resources={"reports": store})
        assert isinstance(report_retention(context), dg.SkipReason)


def test_the_retire_run_deletes_files_and_marks_expired(tmp_path):
    root = tmp_path / "reports"
    store = ReportStore(reports_dir=str(root))
    generated = NOW - 31 * DAY
    gone = add_ready(store.registry, 1, generated, root)
    kept = add_ready(store.registry, 2, NOW, root)
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me")
    result = retire_reports_job.execute_in_process(
        run_config={
            "ops": {"retire_reports": {"config": {"reports": [[gone, generated.isoformat()]]}}}
        },
        resources={"reports": store},
    )
    assert result.success
    assert not (root / gone).exists()
    assert (root / kept / "report.csv").exists()
    assert store.registry.get(gone).status == "expired"
    assert store.registry.get(kept).status == "ready"
    # An id that is not a date range never reaches the file system.
    hostile = retire_reports_job.execute_in_process(
        run_config={"ops": {"retire_reports": {"config": {"reports": [["../precious.txt", "x"]]}}}},
        resources={"reports": store},
        raise_on_error=False,
    )
    assert not hostile.success
    assert outside.read_text() == "keep me"


def test_a_report_generated_again_since_it_was_chosen_is_left_alone(tmp_path):
    root = tmp_path / "reports"
    store = ReportStore(reports_dir=str(root))
    chosen_at = NOW - 31 * DAY
    report_id = add_ready(store.registry, 1, chosen_at, root)
    store.registry.update(report_id, generated_at=NOW.isoformat())
    retire_reports_job.execute_in_process(
        run_config={
            "ops": {"retire_reports": {"config": {"reports": [[report_id, chosen_at.isoformat()]]}}}
        },
        resources={"reports": store},
    )
    assert store.registry.get(report_id).status == "ready"
    assert (root / report_id / "report.csv").exists()


def test_thirty_one_reports_leave_thirty_with_the_oldest_files_and_partition_gone(tmp_path):
    root = tmp_path / "reports"
    store = FixedClockStore(reports_dir=str(root), fixed_now=NOW.isoformat())
    ids = [add_ready(store.registry, n, NOW - timedelta(hours=40 - n), root) for n in range(31)]
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(REPORT_PARTITIONS.name, ids)
        context = dg.build_sensor_context(instance=instance, resources={"reports": store})
        result = report_retention(context)
        for deletion in result.dynamic_partitions_requests:
            instance.delete_dynamic_partition(REPORT_PARTITIONS.name, *deletion.partition_keys)
        (request,) = result.run_requests
        retire_reports_job.execute_in_process(
            run_config=request.run_config, resources={"reports": store}, instance=instance
        )
        partitions = instance.get_dynamic_partitions(REPORT_PARTITIONS.name)
    assert sorted(partitions) == sorted(ids[1:])
    assert not (root / ids[0]).exists()
    assert all((root / i / "report.csv").exists() for i in ids[1:])
    statuses = {r.report_id: r.status for r in store.registry.all()}
    assert statuses[ids[0]] == "expired"
    assert [s for i, s in statuses.items() if i != ids[0]] == ["ready"] * 30


def test_a_range_requested_again_after_it_expired_starts_afresh(tmp_path):
    registry = Registry(tmp_path / "r.sqlite")
    report_id = add_ready(registry, 1, NOW - 40 * DAY)
    registry.update(report_id, status="expired", csv_path=None)
    start, end = report_id.split("_")
    registry.request(report_id, start, end, "ada@acme.example", NOW)
    again = registry.get(report_id)
    assert (again.status, again.generated_at, again.requested_at) == (
        "pending",
        None,
        NOW.isoformat(),
    )
    assert to_retire(registry.all(), NOW, 30 * DAY, 30) == []
