"""Running the service (issue "Several hosts"): request ids in responses and log lines, JSON logs,
/readyz for the load balancer and /metrics for Prometheus."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
import sqlalchemy as sa
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory

from app import operations
from app.extensions import db
from tests import factories
from tests.support import PROJECT_ROOT

HEX_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture()
def log_lines():
    """What the production log handler writes (JSON, with the request id), as parsed lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(operations.RequestIdFilter())
    handler.setFormatter(operations.JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


# --- request ids and logs -----------------------------------------------------------------------------------------


def test_every_response_carries_a_request_id(client):
    generated = client.get("/").headers["X-Request-ID"]
    assert HEX_ID.fullmatch(generated)
    assert client.get("/").headers["X-Request-ID"] != generated  # one per request
    given = client.get("/", headers={"X-Request-ID": "lb-7f3a.42:9"})
    assert given.headers["X-Request-ID"] == "lb-7f3a.42:9"  # a proxy's id is kept
    assert client.get("/no-such-page").headers["X-Request-ID"]  # error pages too


@pytest.mark.parametrize("forged", ["two words", "x" * 200, "id\r\nSet-Cookie: a=b", "ä-merkki", ""])
def test_an_implausible_request_id_is_replaced(client, forged):
    response = client.get("/", environ_base={"HTTP_X_REQUEST_ID": forged})  # as sent, newlines too
    assert HEX_ID.fullmatch(response.headers["X-Request-ID"])


def test_log_lines_are_json_with_the_request_id(app, client, log_lines):
    app.config["READY_MAX_MAIL_BACKLOG"] = 0
    factories.OutboxMessageFactory()
    response = client.get("/readyz", headers={"X-Request-ID": "trace-123"})
    assert response.status_code == 503  # logs a warning, then the request line
    lines = [line for line in log_lines() if line["request_id"] == "trace-123"]
    warning = next(line for line in lines if line["level"] == "warning")
    assert "not ready" in warning["message"]
    request_line = next(line for line in lines if line["logger"] == "digione.requests")
    assert (request_line["method"], request_line["path"], request_line["status"]) == ("GET", "/readyz", 503)
    assert request_line["endpoint"] == "main.readyz" and request_line["ms"] >= 0
    assert all(set(line) >= {"time", "level", "logger", "message", "request_id"} for line in lines)


def test_a_job_logs_with_an_id_of_its_own(runner, log_lines):
    factories.OutboxMessageFactory()
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0
    job = next(line for line in log_lines() if line["logger"] == "digione.jobs")
    assert job["request_id"].startswith("mail-send-") and job["sent"] == 1 and job["failed"] == 0


# --- /readyz -------------------------------------------------------------------------------------------------------


def test_the_migration_heads_are_alembics():
    script = ScriptDirectory.from_config(_alembic_config())
    assert operations.migration_heads() == set(script.get_heads())


def _alembic_config() -> AlembicConfig:
    config = AlembicConfig(str(PROJECT_ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return config


def test_ready_when_the_database_is_at_the_head_and_mail_flows(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "ready"
    assert body["checks"]["migrations"]["database"] == sorted(operations.migration_heads())


def test_not_ready_while_the_database_is_behind_the_code(client):
    head = sorted(operations.migration_heads())[0]
    db.session.execute(sa.text("UPDATE alembic_version SET version_num = 'c4e6f8a0b2d3'"))
    db.session.commit()
    try:
        response = client.get("/readyz")
    finally:
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = :v"), {"v": head})
        db.session.commit()
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["migrations"]["ok"] is False and checks["database"]["ok"] is True
    assert checks["migrations"]["database"] == ["c4e6f8a0b2d3"]


def test_not_ready_while_mail_piles_up(app, client):
    app.config["READY_MAX_MAIL_BACKLOG"] = 2
    for _ in range(3):
        factories.OutboxMessageFactory()
    factories.OutboxMessageFactory(given_up=True)  # given up: not waiting
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["mail_backlog"] == {"ok": False, "waiting": 3, "limit": 2}
    app.config["READY_MAX_MAIL_BACKLOG"] = 3
    assert client.get("/readyz").status_code == 200
    assert client.get("/healthz").status_code == 200  # liveness does not look at the backlog


# --- /metrics ------------------------------------------------------------------------------------------------------


def _metric(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        series, _, value = line.rpartition(" ")
        metric, _, rest = series.partition("{")
        if metric == name and ",".join(sorted(rest.rstrip("}").split(","))) == wanted:
            return float(value)
    raise AssertionError(f"{name}{{{wanted}}} not in the metrics")


def test_metrics_count_requests_and_the_mail_queue(client):
    page = client.get("/metrics").get_data(as_text=True)
    labels = {"endpoint": "catalogue.index", "method": "GET", "status": "2xx"}
    try:
        before = _metric(page, "digione_http_request_duration_seconds_count", **labels)
    except AssertionError:
        before = 0.0
    for _ in range(3):
        assert client.get("/catalogue").status_code == 200
    factories.OutboxMessageFactory()
    factories.OutboxMessageFactory(last_error="421 try later", attempts=1)
    factories.OutboxMessageFactory(given_up=True)
    sent = factories.OutboxMessageFactory()
    db.session.execute(sa.text("UPDATE outbox_messages SET sent_at = created_at WHERE id = :i"), {"i": sent.id})
    db.session.commit()
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert _metric(text, "digione_http_request_duration_seconds_count", **labels) == before + 3
    assert _metric(text, "digione_mail_waiting") == 2
    assert _metric(text, "digione_mail_due") == 2
    assert _metric(text, "digione_mail_failing") == 1
    assert _metric(text, "digione_mail_given_up") == 1
    assert _metric(text, "digione_mail_sent_total") == 1
    # An unknown path does not make a series of its own.
    client.get("/wp-admin/x" + "y" * 50)
    assert "wp-admin" not in client.get("/metrics").get_data(as_text=True)


def test_metrics_are_for_loopback_unless_configured(app, client):
    outside = {"REMOTE_ADDR": "203.0.113.5"}
    assert client.get("/metrics", environ_base=outside).status_code == 404
    app.config["METRICS_ALLOWED_NETWORKS"] = ["203.0.113.0/24"]
    assert client.get("/metrics", environ_base=outside).status_code == 200
    assert client.get("/metrics").status_code == 404  # loopback is no longer listed


def test_metrics_count_job_runs_and_the_queue(client, runner):
    before = client.get("/metrics").get_data(as_text=True)
    try:
        ran = _metric(before, "digione_job_runs_total", job="rules_activate", outcome="ok")
    except AssertionError:
        ran = 0.0
    assert runner.invoke(args=["jobs", "run", "rules_activate"]).exit_code == 0
    text = client.get("/metrics").get_data(as_text=True)
    assert _metric(text, "digione_job_runs_total", job="rules_activate", outcome="ok") == ran + 1
    assert _metric(text, "digione_jobs_queued") == 0
