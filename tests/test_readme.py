"""The README's BI example, run as written (only the file path is this test's own)."""

from __future__ import annotations

import re
from pathlib import Path

from orchestration.settings import PROJECT_ROOT


def bi_example() -> str:
    readme = (PROJECT_ROOT / "README.md").read_text()
    section = readme.split("## Reading the marts from a BI tool", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_bi_example_runs_against_the_published_marts(built, capsys):
    code = bi_example()
    assert '"data/serving/marts.duckdb"' in code
    exec(code.replace('"data/serving/marts.duckdb"', repr(str(built["serving"]))), {})
    printed = capsys.readouterr().out
    assert "collection_id" in printed and "upload_source" in printed


def test_the_two_setup_commands_head_the_readme():
    top = (PROJECT_ROOT / "README.md").read_text().split("##", 1)[0]
    assert "python3 tasks.py run" in top and "python3 tasks.py test" in top
    assert Path(PROJECT_ROOT / "tasks.py").is_file()
