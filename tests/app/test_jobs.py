"""The job engine (app.jobs on huey): a real worker process takes a queued job from its queue and
runs it against the database; every job is registered with its schedule."""

from __future__ import annotations

import subprocess
import sys
import time

import sqlalchemy as sa

from app import jobs
from app.extensions import db
from app.mail import OutboxMessage
from tests import factories
from tests.support import PROJECT_ROOT


def test_every_periodic_job_is_registered_with_huey(app):
    periodic = {task.__name__ for task in jobs.huey._registry._periodic_tasks}  # huey names a task class by it
    assert (
        set(jobs.JOBS)
        == periodic
        == {"mail", "rules_activate", "rules_reminders", "task_reminders", "stripe_reconcile"}
    )


def test_a_worker_process_runs_a_queued_job(app, database_url, smtp_sink, tmp_path):
    message = factories.OutboxMessageFactory(subject="Tervetuloa")
    env = smtp_sink.cli_env(database_url, JOBS_SQLITE_PATH=str(tmp_path / "jobs.sqlite"))
    flask = [sys.executable, "-m", "flask", "jobs"]
    worker = subprocess.Popen(
        [*flask, "worker"], cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        queued = subprocess.run([*flask, "enqueue", "mail"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
        assert queued.returncode == 0, queued.stderr
        deadline = time.monotonic() + 30
        while not smtp_sink.subjects() and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.1)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=20)[0].decode(errors="replace")
    assert smtp_sink.subjects() == ["Tervetuloa"], output[-2000:]
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).sent_at is not None
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 1
