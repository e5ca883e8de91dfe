"""Notifications in Dagster: a sensor that asks for a `send_notifications` run when there
is something to do (a new build to check, a message due, a monthly report owed), and the
job, which makes and sends the messages. The job is not part of the load: a delivery that
fails is recorded and tried again later, and never fails or holds up a load."""

from datetime import UTC, datetime

import dagster as dg

from orchestration.notifications.service import notify, pending_work
from orchestration.settings import Settings


def build_notification_definitions(
    settings: Settings,
) -> tuple[dg.JobDefinition, dg.SensorDefinition]:
    @dg.op(description="Makes the messages the published marts call for and sends those due.")
    def send_due_messages(context: dg.OpExecutionContext) -> None:
        outcome = notify(settings)
        for note in outcome.notes:
            context.log.info(note)
        context.log.info(outcome.summary())
        for key, error in outcome.delivered.failed:
            context.log.warning(f"{key}: {error}")

    @dg.job(description="Usage alerts and monthly reports to their subscribers.")
    def send_notifications():
        send_due_messages()

    @dg.sensor(
        job=send_notifications,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Asks for a send_notifications run when a build, a message or a report is due.",
    )
    def notifications(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        work = pending_work(settings, datetime.now(UTC))
        if work is None or work == context.cursor:
            return dg.SensorResult(skip_reason="Nothing to notify")
        return dg.SensorResult(run_requests=[dg.RunRequest(run_key=work)], cursor=work)

    return send_notifications, notifications
