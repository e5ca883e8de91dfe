"""Activity reports in Dagster: a report per dynamic partition (its key is the date range),
a job that retires reports, and the retention sensor that decides which.

The sensor reads only the registry (SQLite), never the warehouse: it decides, deletes
partitions through its result, and asks a run to delete the files.
"""

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg

from orchestration.reports.generate import data_through, write_report
from orchestration.reports.registry import Registry
from orchestration.reports.requests import ReportRange, RequestRefused, check_request
from orchestration.reports.retention import retire, to_retire
from orchestration.resources import Warehouse
from orchestration.settings import Settings

REPORT_PARTITIONS = dg.DynamicPartitionsDefinition(name="activity_reports")
ACTIVITY_REPORT = dg.AssetKey(["reports", "activity_report"])


class ReportStore(dg.ConfigurableResource):
    """Where reports go, how long they stay and how many are kept."""

    reports_dir: str
    serving_path: str = ""
    max_age_days: int = 30
    max_reports: int = 30
    lock_wait_seconds: int = 600

    @classmethod
    def from_settings(cls, settings: Settings) -> "ReportStore":
        return cls(
            reports_dir=str(settings.reports_dir),
            serving_path=str(settings.serving_path),
            max_age_days=settings.report_max_age_days,
            max_reports=settings.report_max_count,
        )

    @property
    def registry(self) -> Registry:
        return Registry(Path(self.reports_dir) / "registry.sqlite")

    def now(self) -> datetime:
        return datetime.now(UTC)


@dg.asset(
    key=ACTIVITY_REPORT,
    group_name="reports",
    partitions_def=REPORT_PARTITIONS,
    deps=[dg.AssetKey(["core", "fct_dam_activity"])],
    pool="duckdb",
    kinds={"csv", "parquet"},
    description="The activity report of one date range (days strictly between its dates).",
)
def activity_report(
    context: dg.AssetExecutionContext, warehouse: Warehouse, reports: ReportStore
) -> dg.MaterializeResult:
    report = ReportRange.from_key(context.partition_key)
    registry = reports.registry
    requested = registry.get(report.key)
    if requested is None or not requested.requested_by:
        # One gate: whatever starts a report's run, the plan and the requester are checked.
        raise dg.Failure(
            description=f"Report {report.key} was not requested: ask for it with `dam-usage "
            "report request` or the request_activity_report job, which check who may"
        )
    try:
        check_request(Path(reports.serving_path), requested.requested_by)
    except RequestRefused as error:
        registry.update(report.key, status="failed", error=str(error))
        raise dg.Failure(description=str(error)) from error
    registry.update(report.key, status="running", error=None)
    try:
        with warehouse.connect(read_only=True, wait_seconds=reports.lock_wait_seconds) as con:
            through = data_through(con)
            files = write_report(con, report, Path(reports.reports_dir))
            # Ready once the files are in place: letting go of a large warehouse's cache
            # takes a moment more, which the requester need not wait for.
            generated = reports.now()
            registry.update(
                report.key,
                status="ready",
                generated_at=generated.isoformat(),
                expires_at=(generated + timedelta(days=reports.max_age_days)).isoformat(),
                row_count=files.rows,
                csv_path=str(files.csv),
                parquet_path=str(files.parquet),
                data_through=through,
            )
    except Exception as error:
        registry.update(report.key, status="failed", error=str(error)[:2000])
        raise
    return dg.MaterializeResult(
        metadata={
            "rows": files.rows,
            "csv": str(files.csv),
            "parquet": str(files.parquet),
            "data_through": through or "",
        }
    )


activity_report_job = dg.define_asset_job(
    "activity_report", selection=[ACTIVITY_REPORT], partitions_def=REPORT_PARTITIONS
)


def report_resources(settings: Settings) -> dict:
    return {
        "warehouse": Warehouse.from_settings(settings),
        "reports": ReportStore.from_settings(settings),
    }


def report_worker_definitions(settings: Settings) -> dg.Definitions:
    """Only what a report's run needs. The whole code location (the dbt project among it)
    takes longer to load than a month's report takes to write."""
    return dg.Definitions(
        assets=[activity_report], jobs=[activity_report_job], resources=report_resources(settings)
    )


class RetireConfig(dg.Config):
    # (report id, generated_at) pairs as the sensor saw them: a report generated again
    # since then is left alone.
    reports: list[list[str]]


@dg.op
def retire_reports(context: dg.OpExecutionContext, config: RetireConfig, reports: ReportStore):
    for report_id, generated_at in config.reports:
        if retire(reports.registry, Path(reports.reports_dir), report_id, generated_at):
            context.log.info(f"Retired report {report_id}")
        else:
            context.log.info(f"{report_id} changed since it was chosen; left as it is")


@dg.job(description="Deletes the files of retired reports and marks them expired.")
def retire_reports_job():
    retire_reports()


@dg.sensor(
    job=retire_reports_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Retires reports past their age or beyond the number kept.",
)
def report_retention(context: dg.SensorEvaluationContext, reports: ReportStore):
    chosen = {r.report_id: r for r in reports.registry.all()}
    retired = to_retire(
        list(chosen.values()),
        reports.now(),
        timedelta(days=reports.max_age_days),
        reports.max_reports,
    )
    if not retired:
        return dg.SkipReason("No report to retire")
    pairs = [[key, chosen[key].generated_at] for key in retired]
    run_key = hashlib.sha256(repr(pairs).encode()).hexdigest()[:16]
    existing = [
        k for k in retired if context.instance.has_dynamic_partition(REPORT_PARTITIONS.name, k)
    ]
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=f"retire-{run_key}",
                run_config={"ops": {"retire_reports": {"config": {"reports": pairs}}}},
            )
        ],
        dynamic_partitions_requests=[REPORT_PARTITIONS.build_delete_request(existing)]
        if existing
        else [],
    )


class ReportRequest(dg.Config):
    start: str
    end: str
    requested_by: str
    refresh: bool = False


@dg.op(description="Checks a report request and queues it for the report_requests sensor.")
def request_report(context: dg.OpExecutionContext, config: ReportRequest, reports: ReportStore):
    report = ReportRange.parse(config.start, config.end)
    check_request(Path(reports.serving_path), config.requested_by)
    recorded = reports.registry.ask(
        report.key,
        report.start.isoformat(),
        report.end.isoformat(),
        config.requested_by,
        reports.now(),
        config.refresh,
        launched_by="dagster",
    )
    if not recorded:
        context.log.info(f"Report {report.key} is ready or under way already")
        return
    context.instance.add_dynamic_partitions(REPORT_PARTITIONS.name, [report.key])
    context.log.info(f"Report {report.key} requested")


@dg.job(description="Request an activity report from the Dagster UI (launchpad config).")
def request_activity_report():
    request_report()


@dg.sensor(
    job=activity_report_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Launches the reports requested from the Dagster UI.",
)
def report_requests(context: dg.SensorEvaluationContext, reports: ReportStore):
    pending = [
        r for r in reports.registry.all() if r.status == "pending" and r.launched_by == "dagster"
    ]
    if not pending:
        return dg.SkipReason("No report waiting")
    return [
        dg.RunRequest(run_key=f"{r.report_id}@{r.requested_at}", partition_key=r.report_id)
        for r in pending
    ]
