"""One partitioned Dagster asset per landing-zone feed, loading it into the `raw` schema."""

from pathlib import Path

import dagster as dg

from orchestration.ingest.discovery import unexpected_entries
from orchestration.ingest.feeds import FEEDS, Feed
from orchestration.ingest.load import LandingZoneMissing, LoadReport, load_feed
from orchestration.partitions import arrival_days, days_of
from orchestration.resources import Warehouse
from orchestration.settings import Settings

QUARANTINE_CHECK = "quarantine_rate"


class LandingZone(dg.ConfigurableResource):
    """Where the landing files are, and how many bad records a file may hold."""

    root: str
    max_quarantine_rate: float = 0.05

    @classmethod
    def from_settings(cls, settings: Settings) -> "LandingZone":
        return cls(root=str(settings.landing_dir), max_quarantine_rate=settings.max_quarantine_rate)


def report_metadata(report: LoadReport) -> dict:
    worst = max(report.files, key=lambda f: f.rate, default=None)
    return {
        "arrival_days": len(report.days),
        "files": len(report.files),
        "records_read": report.records,
        "rows_loaded": report.loaded,
        "records_quarantined": report.quarantined,
        "worst_file": worst.source_file if worst and worst.quarantined else "",
        "worst_file_quarantine_rate": round(worst.rate, 6) if worst else 0.0,
    }


def limit_message(report: LoadReport, max_rate: float) -> str | None:
    """The run-failing message when some file has too many bad records, naming the files."""
    over = report.over_limit(max_rate)
    if not over:
        return None
    lines = [
        f"{f.source_file}: {f.quarantined} of {f.records} records quarantined ({f.rate:.1%})"
        for f in over[:10]
    ]
    more = f" (and {len(over) - 10} more files)" if len(over) > 10 else ""
    return (
        f"Feed '{report.feed}': {len(over)} file(s) above the quarantine limit of {max_rate:.1%} "
        f"(DAM_MAX_QUARANTINE_RATE){more}. The good records were loaded and the bad ones are "
        "in raw.quarantine.\n" + "\n".join(lines)
    )


def build_ingest_asset(feed: Feed, settings: Settings) -> dg.AssetsDefinition:
    key = dg.AssetKey(["raw", feed.name])

    @dg.asset(
        key=key,
        group_name="raw",
        description=feed.description,
        partitions_def=arrival_days(settings),
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool="duckdb",
        kinds={"duckdb"},
        check_specs=[
            dg.AssetCheckSpec(
                QUARANTINE_CHECK,
                asset=key,
                description="No landing file has more bad records than DAM_MAX_QUARANTINE_RATE.",
            )
        ],
    )
    def ingest(context: dg.AssetExecutionContext, warehouse: Warehouse, landing: LandingZone):
        days = days_of(context)
        try:
            with warehouse.connect(wait_seconds=warehouse.lock_wait_seconds) as con:
                report = load_feed(con, feed, Path(landing.root), days)
        except LandingZoneMissing as error:
            raise dg.Failure(description=str(error)) from error
        metadata = report_metadata(report)
        ignored = unexpected_entries(feed, Path(landing.root))
        metadata["entries_not_read"] = dg.MetadataValue.json(ignored)
        if ignored:
            context.log.warning(
                f"{feed.name}: {len(ignored)} entries of the landing zone are not a day's "
                f"folder or file of this feed and were not read: {', '.join(ignored[:10])}"
            )
        message = limit_message(report, landing.max_quarantine_rate)
        context.log.info(
            f"{feed.name}: {report.loaded} rows loaded, {report.quarantined} quarantined "
            f"from {len(report.files)} files over {len(days)} arrival day(s)"
        )
        yield dg.MaterializeResult(
            metadata=metadata,
            check_results=[
                dg.AssetCheckResult(
                    check_name=QUARANTINE_CHECK,
                    passed=message is None,
                    severity=dg.AssetCheckSeverity.ERROR,
                    metadata=metadata,
                    description=message,
                )
            ],
        )
        if message:
            raise dg.Failure(description=message, metadata=metadata)

    return ingest


def build_ingest_assets(settings: Settings) -> list[dg.AssetsDefinition]:
    return [build_ingest_asset(feed, settings) for feed in FEEDS]
