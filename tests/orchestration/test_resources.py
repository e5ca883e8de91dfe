"""DuckDB's memory limit and spill folder come from settings, in the runs and in dbt alike."""

from __future__ import annotations

import re

from orchestration.resources import Warehouse
from orchestration.settings import PROJECT_ROOT, Settings

GIB = 1024**3


def _limit_bytes(con) -> float:
    value, unit = con.execute("select current_setting('memory_limit')").fetchone()[0].split()
    return float(value) * {"MiB": 1024**2, "GiB": GIB}[unit]


def test_the_default_limit_leaves_room_for_the_python_processes_within_4_gb(tmp_path, monkeypatch):
    monkeypatch.delenv("DAM_DUCKDB_MEMORY_LIMIT", raising=False)
    monkeypatch.setenv("DAM_DATA_DIR", str(tmp_path))
    settings = Settings.from_env()
    with Warehouse.from_settings(settings).connect() as con:
        limit = _limit_bytes(con)
        spill = con.execute("select current_setting('temp_directory')").fetchone()[0]
    assert 2 * GIB < limit <= 3e9
    assert spill == str(settings.duckdb_temp_dir)
    profile = (PROJECT_ROOT / "dbt_project" / "profiles.yml").read_text()
    (dbt_default,) = re.findall(r"env_var\('DAM_DUCKDB_MEMORY_LIMIT', '([^']+)'\)", profile)
    assert dbt_default == settings.duckdb_memory_limit


def test_the_limit_is_a_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("DAM_DUCKDB_MEMORY_LIMIT", "512MB")
    monkeypatch.setenv("DAM_DATA_DIR", str(tmp_path))
    with Warehouse.from_settings(Settings.from_env()).connect() as con:
        assert 400 * 1024**2 < _limit_bytes(con) <= 512e6
