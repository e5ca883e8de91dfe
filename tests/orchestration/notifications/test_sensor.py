"""The notifications sensor asks for a run when there is something to do, once per state,
and the job it runs is apart from the load."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import dagster as dg
import duckdb

from orchestration.definitions import defs
from orchestration.notifications.sensor import build_notification_definitions
from orchestration.notifications.service import notify, store_of, subscribe
from tests.conftest import admin_of


def tick(sensor, cursor: str | None):
    with dg.DagsterInstance.ephemeral() as instance:
        return sensor(dg.build_sensor_context(instance=instance, cursor=cursor))


def test_a_run_is_asked_for_each_new_build_once_there_are_subscribers(notifying, small_zone):
    job, sensor = build_notification_definitions(notifying)
    assert tick(sensor, None).run_requests == []  # no one to notify

    subscribe(notifying, "usage", admin_of(small_zone)["email"])
    first = tick(sensor, None)
    (request,) = first.run_requests
    assert request.run_key == first.cursor
    assert tick(sensor, first.cursor).run_requests == []  # the same state: asked for already

    with duckdb.connect(str(notifying.serving_path)) as con:
        con.execute("update serving_build set build_id = build_id || '-next'")
    (next_build,) = tick(sensor, first.cursor).run_requests
    assert next_build.run_key != request.run_key
    assert job.name == "send_notifications"


def test_the_load_job_never_waits_for_a_delivery():
    load = defs.resolve_job_def("load_warehouse")
    assert "send_due_messages" not in {node.name for node in load.graph.node_defs}
    assert defs.resolve_sensor_def("notifications").job_name == "send_notifications"


def test_the_job_sends_what_is_due_and_a_failed_delivery_does_not_fail_it(
    notifying, smtp, small_zone
):
    inbox, _ = smtp
    subscribe(notifying, "usage", admin_of(small_zone)["email"], alert_thresholds="1")
    down, _ = build_notification_definitions(dataclasses.replace(notifying, smtp_port=1))
    assert down.execute_in_process().success
    assert {(m.status, m.attempts) for m in store_of(notifying).messages()} == {("pending", 1)}
    assert inbox.messages == []

    up, _ = build_notification_definitions(notifying)
    later = datetime.now(UTC) + timedelta(minutes=1)
    assert notify(notifying, now=later).delivered.failed == []  # the wait is over
    assert up.execute_in_process().success  # and nothing is left to send
    assert len(inbox.messages) == len(store_of(notifying).messages()) > 0
