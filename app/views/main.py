"""Home page, language switcher and health check."""

from __future__ import annotations

import contextlib

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request, session
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from app import metrics, operations, services
from app.actions import save, undo
from app.extensions import db
from app.forms import LanguageForm
from app.security import client_address, safe_redirect

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    return render_template("main/index.html")


@bp.post("/language")
def set_language():
    form = LanguageForm()
    lang = request.form.get("lang", "")
    if form.validate_on_submit() and lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            services.set_locale(current_user, lang)
            save()
    return safe_redirect(request.form.get("next"))


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError:
        current_app.logger.warning("health check: database unreachable")
        with contextlib.suppress(SQLAlchemyError):
            undo()
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok")


@bp.get("/readyz")
def readyz():
    """Readiness for a load balancer: the database, the schema at the migrations' head, the mail
    backlog (app.operations). 503 while any check fails; /healthz is the liveness probe."""
    result = operations.readiness(current_app.config["READY_MAX_MAIL_BACKLOG"])
    if not result.ready:
        current_app.logger.warning("not ready: %s", result.as_json()["checks"])
    return jsonify(result.as_json()), 200 if result.ready else 503


@bp.get("/metrics")
def metrics_page():
    """Prometheus metrics (app.metrics), for the networks allowed to read them; a 404 elsewhere."""
    if not metrics.allowed(client_address()):
        abort(404)
    body, content_type = metrics.exposition()
    return Response(body, content_type=content_type)


@bp.get("/ping")
def ping():
    """The least a request can cost: no database, no template (a baseline for benchmarks)."""
    return jsonify(status="ok")
