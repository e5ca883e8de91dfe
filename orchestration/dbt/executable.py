"""`dam-dbt`: the dbt command the Dagster dbt resource runs.

dagster-dbt asks `dbt --version` before every command, to tell dbt Core from the Fusion
engine, and dbt answers after importing all of itself: about 2.5 s of every run. This
command answers that one question from the installed package's metadata, in dbt's own
words, and hands every other command to the dbt installed beside it, unchanged.
"""

from __future__ import annotations

import os
import sys
from importlib.metadata import version
from pathlib import Path


def version_text() -> str:
    return f"Core:\n  - installed: {version('dbt-core')}\n"


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        sys.stdout.write(version_text())
        return
    dbt = Path(sys.argv[0]).resolve().parent / "dbt"
    os.execv(dbt, [str(dbt), *sys.argv[1:]])


if __name__ == "__main__":
    main()
