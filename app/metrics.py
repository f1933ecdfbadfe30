"""Prometheus metrics at /metrics: the one module that talks to prometheus_client.

- `digione_http_request_duration_seconds`: a histogram of the time to answer, by endpoint, method
  and status class (a fixed set of labels: unknown paths are "unmatched", so a scanner cannot
  create series). Each worker process counts its own; under gunicorn with several workers set
  PROMETHEUS_MULTIPROC_DIR to an empty folder (prometheus_client reads it itself) and the figures
  of every worker are added up (gunicorn.conf.py tells it when a worker exits).
- `digione_job_runs_total` by job and outcome (ok, failed), and the job queue's depth.
- The outgoing mail, read from the database when scraped, so every host reports the same: waiting,
  due now, failing (last attempt failed), given up, and sent in all.

Readable from the networks in METRICS_ALLOWED_NETWORKS (loopback by default); elsewhere /metrics
is a 404, as if it did not exist.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator

import sqlalchemy as sa
from flask import current_app
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from app.extensions import db, utcnow
from app.mail import OutboxMessage

METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

REQUEST_SECONDS = Histogram(
    "digione_http_request_duration_seconds",
    "Time to answer a request, by endpoint, method and status class.",
    ["endpoint", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)


JOB_RUNS = Counter("digione_job_runs", "Periodic or queued jobs run, by job and outcome.", ["job", "outcome"])

#: How many jobs wait in the job engine's queue (set by app.jobs, which knows the engine).
_queue_depth: Callable[[], int] | None = None


def measure_queue_depth(function: Callable[[], int]) -> None:
    global _queue_depth
    _queue_depth = function


def job_ran(name: str, ok: bool) -> None:
    JOB_RUNS.labels(job=name, outcome="ok" if ok else "failed").inc()


def observe_request(endpoint: str | None, method: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(
        endpoint=endpoint or "unmatched",
        method=method if method in METHODS else "other",
        status=f"{status // 100}xx",
    ).observe(seconds)


class OutboxCollector(Collector):
    """The mail queue as the database has it, at the moment of the scrape."""

    def collect(self) -> Iterator[Metric]:
        now = utcnow()
        unsent = OutboxMessage.sent_at.is_(None)
        alive = OutboxMessage.dead_at.is_(None)
        due = sa.or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now)
        row = db.session.execute(
            sa.select(
                sa.func.count().filter(unsent, alive),
                sa.func.count().filter(unsent, alive, due),
                sa.func.count().filter(unsent, alive, OutboxMessage.last_error != ""),
                sa.func.count().filter(unsent, OutboxMessage.dead_at.is_not(None)),
                sa.func.count().filter(OutboxMessage.sent_at.is_not(None)),
            ).select_from(OutboxMessage)
        ).one()
        db.session.rollback()
        waiting, due_now, failing, given_up, sent = (int(value or 0) for value in row)
        yield GaugeMetricFamily(
            "digione_mail_waiting", "Mail queued and not yet sent (the job queue's depth).", waiting
        )
        yield GaugeMetricFamily("digione_mail_due", "Mail waiting whose next attempt is due now.", due_now)
        yield GaugeMetricFamily("digione_mail_failing", "Mail waiting whose last attempt failed.", failing)
        yield GaugeMetricFamily("digione_mail_given_up", "Mail given up after its last attempt.", given_up)
        yield CounterMetricFamily("digione_mail_sent", "Mail delivered to the mail server, in all.", sent)
        if _queue_depth is not None:
            yield GaugeMetricFamily("digione_jobs_queued", "Jobs waiting in the job engine's queue.", _queue_depth())


def allowed(address: str) -> bool:
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    for network in current_app.config["METRICS_ALLOWED_NETWORKS"]:
        try:
            if client in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus's text format, and its content type."""
    registry = CollectorRegistry()
    if current_app.config["METRICS_MULTIPROCESS_DIR"]:
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_SECONDS)
        registry.register(JOB_RUNS)
    registry.register(OutboxCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST
