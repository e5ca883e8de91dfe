"""Every ordinary mistake at the command line gets one line that says what to do and a
non-zero exit (2 for a wrong argument, 1 for an environment problem): never a traceback."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import admin_of, run_cli

ADMIN = "ADMIN"  # replaced by the sample's master admin


# (arguments, extra environment, exit code, words the one line holds); FOLDER is a folder
# that exists, MISSING a path in one that does not.
MISTAKES: list[tuple[list[str], dict, int, str]] = [
    (["dashboard", "--viewer", ADMIN, "--day", "2024-02-30"], {}, 2, "--day must be a date"),
    (["download", "collections", "--viewer", ADMIN], {}, 2, "--first is needed"),
    (
        ["download", "collections", "--viewer", ADMIN, "--first", "2024-05-01", "--last", "x"],
        {},
        2,
        "--last must be a date",
    ),
    (
        ["download", "users", "--viewer", ADMIN, "--scope", "nowhere", "--as-of", "2024-05-03"],
        {},
        2,
        "unknown --scope 'nowhere'",
    ),
    (["download", "users", "--viewer", ADMIN, "--as-of", "2024-05-03"], {}, 2, "--scope"),
    (
        [
            "download",
            "collections",
            "--viewer",
            ADMIN,
            "--first",
            "2024-05-01",
            "--last",
            "2024-05-02",
            "--out",
            "FOLDER",
        ],
        {},
        2,
        "is a folder",
    ),
    (
        [
            "download",
            "collections",
            "--viewer",
            ADMIN,
            "--first",
            "2024-05-01",
            "--last",
            "2024-05-02",
            "--out",
            "MISSING",
        ],
        {},
        2,
        "does not exist",
    ),
    (["report", "status", "not-a-report"], {}, 2, "No report not-a-report"),
    (["report", "generate", "2024-05-01_2024-05-04"], {}, 2, "No request for report"),
    (
        [
            "report",
            "request",
            "--start",
            "2024-05-04",
            "--end",
            "2024-05-01",
            "--requested-by",
            ADMIN,
        ],
        {},
        2,
        "must be before the end date",
    ),
    (["report", "list"], {"DAM_REPORT_MAX_COUNT": "0"}, 2, "DAM_REPORT_MAX_COUNT"),
    (["report", "list"], {"DAM_REPORT_MAX_AGE_DAYS": "-3"}, 2, "DAM_REPORT_MAX_AGE_DAYS"),
    (["run", "--start", "2024-05-09", "--end", "2024-05-01"], {}, 2, "is after --end"),
    (["run", "--start", "May"], {}, 2, "--start and --end take a date"),
    (["generate", "--days", "0", "--out", "FOLDER"], {}, 2, "days must be at least 1"),
    (["generate", "--start", "May", "--out", "FOLDER"], {}, 2, "Cannot generate"),
    (["spark-build", "--start", "May"], {}, 2, "--start and --end take a date"),
    (["backup", "--out", "FOLDER"], {"DAM_WAREHOUSE_PATH": "MISSING"}, 2, "No warehouse at"),
    (["summary"], {"DAM_WAREHOUSE_PATH": "MISSING"}, 2, "No warehouse at"),
]


@pytest.fixture(scope="module")
def workspace(built, small_zone, tmp_path_factory):
    """A copy of the built data folder: the mistakes must not disturb other tests."""
    data = tmp_path_factory.mktemp("mistakes") / "data"
    shutil.copytree(built["data"], data, ignore=shutil.ignore_patterns("*.lock"))
    return data


@pytest.mark.parametrize(("args", "env", "code", "words"), MISTAKES)
def test_a_mistake_gets_one_line(workspace, small_zone, tmp_path, args, env, code, words):
    places = {
        ADMIN: admin_of(small_zone)["email"],
        "FOLDER": str(tmp_path),
        "MISSING": str(tmp_path / "missing" / "x.csv"),
    }
    args = [places.get(a, a) for a in args]
    env = {name: places.get(value, value) for name, value in env.items()}
    result = run_cli(*args, data=workspace, landing=small_zone, **env)
    said = result.stderr + result.stdout
    assert "Traceback" not in said, said
    assert result.returncode == code, said
    assert words in result.stderr, said
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_reports_folder_that_cannot_be_written_is_one_line(workspace, small_zone, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the reports folder's parent should be")
    result = run_cli(
        "report", "list", data=workspace, landing=small_zone, DAM_REPORTS_DIR=str(blocker / "r")
    )
    said = result.stderr + result.stdout
    assert "Traceback" not in said, said
    assert result.returncode == 1, said
    assert len(result.stderr.strip().splitlines()) == 1, said


def test_a_data_folder_in_the_way_is_one_line(small_zone, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run_cli("report", "list", data=blocker / "data", landing=small_zone)
    said = result.stderr + result.stdout
    assert "Traceback" not in said, said
    assert result.returncode == 1, said
    assert len(result.stderr.strip().splitlines()) == 1, said


def test_a_failed_run_prints_its_failed_line_and_where_the_details_are(small_zone, tmp_path):
    zone = tmp_path / "zone"
    shutil.copytree(small_zone, zone)
    day = sorted(p.name for p in (zone / "dam_events").iterdir())[0]
    for path in (zone / "dam_events" / day).iterdir():
        path.write_text("not json\n" * 20)
    result = run_cli("run", "--start", day, "--end", day, data=tmp_path / "data", landing=zone)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    failed = [line for line in result.stderr.splitlines() if line.startswith("FAILED")]
    assert failed and "quarantine limit" in failed[0]
    assert "--verbose" in result.stderr.splitlines()[-1]
