"""The rules' periodic jobs (app.jobs runs them): versions entering into force on their date, and
reminders to providers that have not accepted before the re-acceptance deadline."""

from __future__ import annotations

from app.clock import helsinki_today
from app.jobs import periodic
from governance.rules import reminders, services


@periodic("rules_activate", "every 5 minutes", minute="*/5")
def activate_due_versions() -> str:
    result = services.activate_due_versions()
    return "no version is due" if result.entered is None else f"version {result.entered.label} is in force"


@periodic("rules_reminders", "every hour (each reminder once)", minute="7")
def send_reminders() -> str:
    return f"{reminders.send_reacceptance_reminders(helsinki_today())} providers reminded"
