"""The request path of activity reports, shared by the command line: validate, check the
plan and the requester against the published marts, record, add the partition, launch."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from orchestration.processes import alive, announce_reclaimed, process_tags, reclaiming
from orchestration.reports.registry import Registry, Report
from orchestration.reports.requests import ReportRange, check_request
from orchestration.reports.retention import retire, to_retire
from orchestration.settings import Settings


def registry_of(settings: Settings) -> Registry:
    return Registry(settings.reports_dir / "registry.sqlite")


def request_report(
    settings: Settings, start: str, end: str, requested_by: str, refresh: bool = False
) -> tuple[Report, bool]:
    """(the report, whether a run was launched). A range already ready or under way is
    returned as it is, unless a refresh is asked for."""
    report = ReportRange.parse(start, end)
    check_request(settings.serving_path, requested_by)
    registry = registry_of(settings)
    fail_abandoned(registry)
    first, last = report.start.isoformat(), report.end.isoformat()
    recorded = registry.ask(report.key, first, last, requested_by, datetime.now(UTC), refresh)
    if recorded:
        launch(settings, report.key)
    return registry.get(report.key), recorded


def launch(settings: Settings, key: str) -> None:
    """Start the report's run in a process of its own and return at once."""
    logs = settings.reports_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with open(logs / f"{key}.log", "ab") as log:
        worker = subprocess.Popen(
            [str(Path(sys.executable).parent / "dam-usage"), "report", "generate", key],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    registry_of(settings).update(key, worker_pid=worker.pid)


def fail_abandoned(registry: Registry) -> list[str]:
    """Mark failed the reports whose launched process is gone before they were ready (it
    was killed, or the machine restarted), so that asking again starts them anew."""
    abandoned = [
        r.report_id
        for r in registry.all()
        if r.status in ("pending", "running")
        and r.launched_by == "cli"
        and r.worker_pid
        and not alive(r.worker_pid)
    ]
    for report_id in abandoned:
        registry.update(
            report_id,
            status="failed",
            error="the report's process ended before the report was ready; request it again",
        )
    return abandoned


def generate(key: str, settings: Settings) -> str | None:
    """Run the report job for one key in this process (the launched process does this);
    None when it succeeded, else why it failed."""
    import dagster as dg

    from orchestration.reports.assets import REPORT_PARTITIONS, report_worker_definitions

    defs = report_worker_definitions(settings)
    ReportRange.from_key(key)
    with (
        dg.DagsterInstance.get() as instance,
        reclaiming(instance, settings.slot_reclaim_seconds, announce_reclaimed),
    ):
        if not instance.has_dynamic_partition(REPORT_PARTITIONS.name, key):
            instance.add_dynamic_partitions(REPORT_PARTITIONS.name, [key])
        result = defs.resolve_job_def("activity_report").execute_in_process(
            instance=instance,
            partition_key=key,
            tags=process_tags(),
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
        )
    apply_retention(settings)
    if result.success:
        return None
    registered = registry_of(settings).get(key)
    return (registered.error if registered and registered.error else None) or (
        f"the report's run {result.run_id} failed; its log is in the Dagster UI"
    )


def apply_retention(settings: Settings) -> list[str]:
    """Retire the reports past their age or beyond the number kept, and their partitions:
    what the report_retention sensor does under the daemon, for the command line alone."""
    registry = registry_of(settings)
    chosen = {r.report_id: r for r in registry.all()}
    due = to_retire(
        list(chosen.values()),
        datetime.now(UTC),
        timedelta(days=settings.report_max_age_days),
        settings.report_max_count,
    )
    retired = [
        key for key in due if retire(registry, settings.reports_dir, key, chosen[key].generated_at)
    ]
    if retired:
        import dagster as dg

        from orchestration.reports.assets import REPORT_PARTITIONS

        with dg.DagsterInstance.get() as instance:
            for key in retired:
                if instance.has_dynamic_partition(REPORT_PARTITIONS.name, key):
                    instance.delete_dynamic_partition(REPORT_PARTITIONS.name, key)
    return retired
