"""Every setting the warehouse reads, in one place: environment variables, safe defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from orchestration.landing import landing_days

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return float(value)
    except ValueError as error:
        raise ValueError(f"{name} must be a number, got {value!r}") from error


def _positive_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
    return number


def _positive_float(name: str, default: float) -> float:
    number = _float(name, default)
    if number <= 0:
        raise ValueError(f"{name} must be a number above 0, got {number:g}")
    return number


def _switch(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("on", "true", "1", "yes"):
        return True
    if value in ("off", "false", "0", "no"):
        return False
    raise ValueError(f"{name} must be on or off, got {value!r}")


def _choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = os.environ.get(name, "").strip().lower() or default
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def thresholds(name: str, value: str | None, default=(80, 90, 100)) -> tuple[int, ...]:
    """Alert thresholds in % of a limit, as "80,90,100": whole numbers from 1 to 1000."""
    if not value:
        return default
    try:
        numbers = tuple(sorted({int(part) for part in value.split(",")}))
    except ValueError:
        numbers = ()
    if not numbers or not all(1 <= n <= 1000 for n in numbers):
        raise ValueError(f"{name} must be whole percentages such as 80,90,100, got {value!r}")
    return numbers


def _first_landing_day(landing_dir: Path) -> date:
    """The first daily partition when none is set: the landing zone's first arrival day
    (today's, UTC, for an empty zone)."""
    days = landing_days(landing_dir)
    return days[0] if days else datetime.now(UTC).date()


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    landing_dir: Path
    warehouse_path: Path
    serving_path: Path
    reports_dir: Path
    report_max_age_days: int
    report_max_count: int
    dagster_home: Path
    dagster_config: Path  # the instance settings copied into the Dagster home
    first_arrival_day: date
    max_quarantine_rate: float
    duckdb_memory_limit: str
    duckdb_temp_dir: Path
    slot_reclaim_seconds: float
    lock_wait_seconds: float  # how long a writer waits for another process to let go of the file
    spark_dir: Path  # the spark target's tables and metastore
    spark_cores: int
    spark_driver_memory: str
    watch_landing: bool  # whether the landing sensor starts switched on
    landing_poll_minutes: float  # how often the landing sensor looks for new files
    landing_settle_seconds: float  # a file changed more recently is still being written
    max_serving_age_hours: float  # published marts older than this are stale
    notifications_path: Path  # subscriptions and the messages made for them (SQLite)
    alert_thresholds: tuple[int, ...]  # usage alerts at these % of a meter's limit
    dashboard_url: str  # where messages link to the dashboard page
    smtp_host: str | None
    smtp_port: int
    smtp_security: str  # 'starttls', 'ssl' or 'none'
    smtp_user: str | None
    smtp_password: str | None
    smtp_sender: str

    @property
    def dbt_dir(self) -> Path:
        """What dbt writes while it runs (its target folder and logs): under the data folder."""
        return self.data_dir / "dbt"

    def export_for_dbt(self) -> None:
        """dbt reads the warehouse location from the environment (see profiles.yml)."""
        os.environ["DAM_WAREHOUSE_PATH"] = str(self.warehouse_path)
        os.environ["DAM_DUCKDB_MEMORY_LIMIT"] = self.duckdb_memory_limit
        os.environ["DAM_DUCKDB_TEMP_DIR"] = str(self.duckdb_temp_dir)
        os.environ["DBT_LOG_PATH"] = str(self.dbt_dir / "logs")

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = _path("DAM_DATA_DIR", PROJECT_ROOT / "data")
        landing_dir = _path("DAM_LANDING_DIR", data_dir / "landing")
        first_day = os.environ.get("DAM_FIRST_ARRIVAL_DAY")
        try:
            first_arrival_day = (
                date.fromisoformat(first_day) if first_day else _first_landing_day(landing_dir)
            )
        except ValueError as error:
            raise ValueError(
                f"DAM_FIRST_ARRIVAL_DAY must be a date (YYYY-MM-DD), got {first_day!r}"
            ) from error
        dagster_config = _path("DAM_DAGSTER_CONFIG", PROJECT_ROOT / "dagster.yaml")
        if not dagster_config.is_file():
            raise ValueError(f"DAM_DAGSTER_CONFIG: no such file: {dagster_config}")
        rate = _float("DAM_MAX_QUARANTINE_RATE", 0.05)
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"DAM_MAX_QUARANTINE_RATE must be between 0 and 1, got {rate}")
        return cls(
            data_dir=data_dir,
            landing_dir=landing_dir,
            warehouse_path=_path("DAM_WAREHOUSE_PATH", data_dir / "warehouse.duckdb"),
            serving_path=_path("DAM_SERVING_PATH", data_dir / "serving" / "marts.duckdb"),
            reports_dir=_path("DAM_REPORTS_DIR", data_dir / "reports"),
            report_max_age_days=_positive_int("DAM_REPORT_MAX_AGE_DAYS", 30),
            report_max_count=_positive_int("DAM_REPORT_MAX_COUNT", 30),
            dagster_home=_path("DAGSTER_HOME", data_dir / "dagster_home"),
            dagster_config=dagster_config,
            first_arrival_day=first_arrival_day,
            max_quarantine_rate=rate,
            duckdb_memory_limit=os.environ.get("DAM_DUCKDB_MEMORY_LIMIT", "3GB"),
            duckdb_temp_dir=_path("DAM_DUCKDB_TEMP_DIR", data_dir / "duckdb_tmp"),
            slot_reclaim_seconds=max(_float("DAM_SLOT_RECLAIM_SECONDS", 15), 1.0),
            lock_wait_seconds=max(_float("DAM_LOCK_WAIT_SECONDS", 60), 0.0),
            spark_dir=_path("DAM_SPARK_DIR", data_dir / "spark"),
            spark_cores=max(int(_float("DAM_SPARK_CORES", os.cpu_count() or 2)), 1),
            spark_driver_memory=os.environ.get("DAM_SPARK_DRIVER_MEMORY", "4g"),
            watch_landing=_switch("DAM_WATCH_LANDING", True),
            landing_poll_minutes=_positive_float("DAM_LANDING_POLL_MINUTES", 2),
            landing_settle_seconds=max(_float("DAM_LANDING_SETTLE_SECONDS", 10), 0.0),
            max_serving_age_hours=_positive_float("DAM_MAX_SERVING_AGE_HOURS", 26),
            notifications_path=_path(
                "DAM_NOTIFICATIONS_PATH", data_dir / "notifications" / "notifications.sqlite"
            ),
            alert_thresholds=thresholds(
                "DAM_ALERT_THRESHOLDS", os.environ.get("DAM_ALERT_THRESHOLDS")
            ),
            dashboard_url=os.environ.get("DAM_DASHBOARD_URL", "http://127.0.0.1:8000"),
            smtp_host=os.environ.get("DAM_SMTP_HOST") or None,
            smtp_port=_positive_int("DAM_SMTP_PORT", 587),
            smtp_security=_choice("DAM_SMTP_SECURITY", ("starttls", "ssl", "none"), "starttls"),
            smtp_user=os.environ.get("DAM_SMTP_USER") or None,
            smtp_password=os.environ.get("DAM_SMTP_PASSWORD") or None,
            smtp_sender=os.environ.get("DAM_SMTP_FROM", "dam-usage@localhost"),
        )
