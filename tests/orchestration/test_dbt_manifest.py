"""The dbt manifest is parsed again exactly when something dbt parses has changed."""

from __future__ import annotations

import os
import shutil

from orchestration.dbt import project
from orchestration.settings import PROJECT_ROOT


def test_the_digest_follows_contents_not_times(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    shutil.copytree(PROJECT_ROOT / "dbt_project" / "models", root / "dbt_project" / "models")
    shutil.copytree(PROJECT_ROOT / "dbt_project" / "macros", root / "dbt_project" / "macros")
    shutil.copytree(PROJECT_ROOT / "dbt_project" / "tests", root / "dbt_project" / "tests")
    shutil.copytree(PROJECT_ROOT / "seeds", root / "seeds")
    for name in project.SOURCE_FILES:
        shutil.copyfile(PROJECT_ROOT / "dbt_project" / name, root / "dbt_project" / name)
    monkeypatch.setattr(project, "PROJECT_ROOT", root)
    monkeypatch.setattr(project, "DBT_PROJECT_DIR", root / "dbt_project")
    first = project.sources_digest()

    model = root / "dbt_project" / "models" / "marts" / "mart_users_daily.sql"
    os.utime(model, (0, 0))
    assert project.sources_digest() == first  # touched, not changed
    model.write_text(model.read_text() + "\n-- changed\n")
    edited = project.sources_digest()
    model.unlink()
    removed = project.sources_digest()
    seed = next((root / "seeds").glob("*.csv"))
    seed.write_text(seed.read_text() + "\n")
    assert len({first, edited, removed, project.sources_digest()}) == 4
