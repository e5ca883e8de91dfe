"""The Dagster code location: what the warehouse is made of, at a glance."""

import warnings

import dagster as dg

from orchestration.dbt.assets import build_dbt_assets, stored_table_specs
from orchestration.dbt.project import dbt_executable, dbt_project
from orchestration.dbt.resource import WarehouseDbtCli
from orchestration.ingest.assets import LandingZone, build_ingest_assets
from orchestration.jobs import build_load_warehouse_job
from orchestration.notifications.sensor import build_notification_definitions
from orchestration.reports.assets import (
    activity_report,
    activity_report_job,
    report_requests,
    report_resources,
    report_retention,
    request_activity_report,
    retire_reports_job,
)
from orchestration.schedules import build_daily_schedule
from orchestration.sensors import build_landing_sensor
from orchestration.serving.assets import ServingFile, build_publish_asset
from orchestration.settings import Settings

warnings.filterwarnings("ignore", category=dg.BetaWarning)  # single-run backfill policy

settings = Settings.from_env()
settings.export_for_dbt()

ingest_assets = build_ingest_assets(settings)
dbt_models = build_dbt_assets(settings)
marts = [key for key in dbt_models.keys if key.path[0] == "marts"]
load_warehouse = build_load_warehouse_job(settings)
send_notifications, notifications = build_notification_definitions(settings)

defs = dg.Definitions(
    assets=[
        *ingest_assets,
        *stored_table_specs(),
        dbt_models,
        build_publish_asset(marts, settings),
        activity_report,
    ],
    jobs=[
        load_warehouse,
        activity_report_job,
        request_activity_report,
        retire_reports_job,
        send_notifications,
    ],
    schedules=[build_daily_schedule(load_warehouse)],
    sensors=[
        build_landing_sensor(load_warehouse, settings),
        notifications,
        report_requests,
        report_retention,
    ],
    resources={
        **report_resources(settings),  # the warehouse and the report store
        "landing": LandingZone.from_settings(settings),
        "dbt": WarehouseDbtCli(project_dir=dbt_project(), dbt_executable=dbt_executable()),
        "serving": ServingFile(path=str(settings.serving_path)),
    },
)
