"""Background work on huey (the one module that talks to it): periodic jobs run by `flask jobs
worker`, in Redis when REDIS_URL is set (every host's worker shares the queue) and in a SQLite
file under instance/ otherwise (`make run` starts a worker beside the development server).

Each job is a plain function of a domain package, registered with `@periodic(name, schedule)`
and run in an application context; the job commits what it did. Every job is safe to run on
several hosts at once and more often than planned, so a period's work takes effect once however
many schedulers enqueue it: mail is claimed message by message (app.mail), rules enter into force
with a conditional update, a reminder stage is recorded once per provider (unique). The changes
that cause work keep their own transaction: mail is queued in the outbox with the change (a
rolled-back change leaves no mail), and the mail job delivers it.

`flask jobs run NAME` runs one job at once (for a cron fallback, or to try one); `flask jobs list`
shows the schedule."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab

from app import mail, metrics, operations
from app.extensions import db
from config import load_config

log = logging.getLogger("digione.jobs")


def _make_huey() -> Huey:
    config = load_config()
    if config.ENV_NAME == "test":
        return MemoryHuey("digione", utc=True)
    if config.REDIS_URL:
        return RedisHuey("digione", url=config.REDIS_URL, utc=True)
    path = Path(config.JOBS_SQLITE_PATH)
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("digione", filename=str(path), utc=True)


huey = _make_huey()
metrics.measure_queue_depth(huey.pending_count)

_app: Flask | None = None


@dataclass(frozen=True)
class Job:
    name: str
    schedule: str  # for people: "every minute", "every hour"
    run: Callable[[], object]


JOBS: dict[str, Job] = {}


def use_app(app: Flask) -> None:
    """The application the worker's jobs run in (set by `flask jobs worker`)."""
    global _app
    _app = app


def run_job(name: str) -> object:
    """Run one job now in the current application context, commit, and log its outcome."""
    job = JOBS[name]
    operations.start_job(f"job-{name}")
    try:
        result = job.run()
        db.session.commit()
    except Exception:
        db.session.rollback()
        metrics.job_ran(name, ok=False)
        log.exception("job %s failed", name, extra={"job": name})
        raise
    metrics.job_ran(name, ok=True)
    log.info("job %s: %s", name, result, extra={"job": name, "result": str(result)})
    return result


def _in_app(name: str) -> None:
    if _app is None:
        raise RuntimeError("the jobs run in `flask jobs worker`, which sets their application")
    with _app.app_context():
        try:
            run_job(name)
        finally:
            db.session.remove()


@huey.task(retries=3, retry_delay=30, name="run_named")
def run_named(name: str) -> None:
    """A job queued to run once now (`flask jobs enqueue NAME`), by whichever worker takes it."""
    _in_app(name)


def periodic(name: str, schedule: str, **cron: str) -> Callable[[Callable[[], object]], Callable[[], object]]:
    """Register `function` as the job `name`, run by the worker on the crontab `cron` (UTC)."""

    def register(function: Callable[[], object]) -> Callable[[], object]:
        JOBS[name] = Job(name, schedule, function)

        @huey.periodic_task(crontab(**cron), name=name, retries=3, retry_delay=30)
        def task() -> None:
            _in_app(name)

        return function

    return register


@periodic("mail", "every minute", minute="*")
def deliver_mail() -> str:
    sent, failed = mail.send_due(limit=500, echo=lambda text: log.info("mail (console): %s", text.splitlines()[0]))
    return f"sent {sent}, failed {failed}"
