"""临近截止提醒 as a background task: ``manage.py notify_deadlines --enqueue`` hands it to the worker
(``make run`` starts one and enqueues it once as it starts); ``manage.py notify_deadlines`` runs the same
in the foreground, e.g. daily from cron. Each reminder is sent once however often either runs."""

import datetime

from projects.desk.deadlines import deadline_notices_send
from projects.tasks.compat import task


@task()
def notify_deadlines_task(today=None):
    """Send the reminders due on ``today`` (an ISO date; the local date when None); returns how many
    units and users were told."""
    sent = deadline_notices_send(today=datetime.date.fromisoformat(today) if today else None)
    return {"units": len(sent), "notified": sum(notice.notified for notice in sent)}
