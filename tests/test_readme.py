"""The README's BI example, run as written (only the file path is this test's own)."""

from __future__ import annotations

import re
from pathlib import Path

from orchestration.settings import PROJECT_ROOT


def bi_example() -> str:
    readme = (PROJECT_ROOT / "README.md").read_text()
    section = readme.split("## Reading the marts from a BI tool", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_bi_example_reads_the_published_parquet_set(built, capsys):
    code = bi_example()
    assert '"data/serving/parquet/' in code and "'data/serving/parquet/" in code
    folder = str(built["serving"].parent)
    exec(code.replace("data/serving", folder), {})
    printed = capsys.readouterr().out
    assert "upload_source" in printed and "asset_count" in printed


def test_the_two_setup_commands_head_the_readme():
    top = (PROJECT_ROOT / "README.md").read_text().split("##", 1)[0]
    assert "python3 tasks.py run" in top and "python3 tasks.py test" in top
    assert Path(PROJECT_ROOT / "tasks.py").is_file()
