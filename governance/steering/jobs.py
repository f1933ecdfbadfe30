"""Steering's periodic jobs (app.jobs runs them): reminders of overdue follow-up tasks."""

from __future__ import annotations

from app.clock import helsinki_today
from app.jobs import periodic
from governance.steering import reminders


@periodic("task_reminders", "every hour (each week's reminder once)", minute="17")
def send_task_reminders() -> str:
    return f"{reminders.send_overdue_task_reminders(helsinki_today())} overdue tasks reminded of"
