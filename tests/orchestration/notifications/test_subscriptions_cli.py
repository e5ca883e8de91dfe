"""Subscriptions from the command line, as a user manages them, and brought back by a
restore of `dam-usage backup`."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import admin_of, run_cli


def test_subscribe_list_unsubscribe_and_restore_from_a_backup(built, small_zone, tmp_path):
    store = tmp_path / "notifications.sqlite"

    def cli(*args: str):
        return run_cli(
            *args, data=built["data"], landing=small_zone, DAM_NOTIFICATIONS_PATH=str(store)
        )

    owner = admin_of(small_zone)["email"]
    made = cli(
        "subscribe", "usage", "--owner", owner, "--meter", "storage", "--thresholds", "90,80"
    )
    assert made.returncode == 0, made.stderr
    line = f"#1 usage meter=storage at=80,90 by email to {owner} (for {owner})"
    assert made.stdout.strip() == f"Subscribed: {line}"
    assert cli("subscribe", "usage", "--owner", owner, "--meter", "storage").stdout.strip() == (
        f"Already subscribed: #1 usage meter=storage by email to {owner} (for {owner})"
    )  # the thresholds given last: the default
    hook = cli("subscribe", "monthly-report", "--owner", owner, "--webhook", "https://x.test/h")
    assert hook.returncode == 0, hook.stderr

    for wrong, reason in (
        (["usage", "--owner", "nobody@example.com"], "nobody@example.com is not a user"),
        (["usage", "--owner", owner, "--env", "nowhere"], "Unknown product environment"),
        (
            ["monthly-report", "--owner", owner, "--meter", "storage"],
            "The monthly report covers the account",
        ),
    ):
        refused = cli("subscribe", *wrong)
        assert refused.returncode == 2
        assert refused.stderr.startswith(f"dam-usage subscribe: {reason}"), refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1

    backup = cli("backup", "--out", str(tmp_path / "backup" / "warehouse.duckdb"))
    assert backup.returncode == 0, backup.stderr
    warehouse_copy, subscriptions_copy = map(Path, backup.stdout.split())
    assert warehouse_copy.is_file()
    assert subscriptions_copy == tmp_path / "backup" / "warehouse.notifications.sqlite"

    assert cli("unsubscribe", "1").stdout.strip() == "Unsubscribed #1"
    assert cli("unsubscribe", "1").stderr.strip() == (
        "dam-usage unsubscribe: no subscription #1: see `dam-usage subscriptions`"
    )
    listed = cli("subscriptions").stdout.splitlines()
    assert listed == [f"#2 monthly-report by webhook to https://x.test/h (for {owner})"]

    shutil.copyfile(subscriptions_copy, store)  # the restore
    assert (
        cli("subscriptions").stdout.splitlines()[0]
        == f"#1 usage meter=storage by email to {owner} (for {owner})"
    )

    notified = cli("notify")
    assert notified.returncode == 0, notified.stderr
    # Storage is far from 80 %, and the monthly report subscribed to this month is owed
    # next month's report: nothing to make, nothing to send.
    assert notified.stdout.splitlines() == [
        "Messages: 0 made, 0 sent, 0 failed (to be tried again)"
    ]
