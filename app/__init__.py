"""DigiOne Hub: the application factory, built from small register_* steps."""

from __future__ import annotations

from flask import Flask

from config import BASE_DIR, DEFAULT_SECRET_KEY, INSTANCE_DIR, Config, load_config, trusted_hosts


def create_app(config: type[Config] | None = None, **overrides: object) -> Flask:
    config = config or load_config()
    app = Flask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder=str(BASE_DIR / "templates"),
        static_folder="static",
    )
    app.config.from_object(config)
    app.config.update(overrides)
    check_config(app)
    register_logging(app)
    register_extensions(app)
    register_models()
    register_i18n(app)
    register_id_converter(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_security(app)
    register_submissions(app)
    register_template_helpers(app)
    register_jobs()
    register_cli(app)
    return app


def check_config(app: Flask) -> None:
    production = app.config["ENV_NAME"] == "production"
    if production and app.config["SECRET_KEY"] in (None, "", DEFAULT_SECRET_KEY):
        raise RuntimeError("SECRET_KEY must be set to a long random value in production (see README).")
    check_public_address(app, production)
    check_shared_limits(app, production)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and str(INSTANCE_DIR) in uri:
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)


def check_shared_limits(app: Flask, production: bool) -> None:
    """Several workers must count rate limits in one place (Redis), or each worker would allow the
    whole limit: production refuses to start that way."""
    storage = app.config["RATELIMIT_STORAGE_URI"] or ""
    if production and storage.startswith("memory://") and app.config["WEB_CONCURRENCY"] > 1:
        raise RuntimeError(
            f"WEB_CONCURRENCY is {app.config['WEB_CONCURRENCY']} but rate limits are kept in each worker's memory: "
            "set REDIS_URL (or RATELIMIT_STORAGE_URI) so that all workers and hosts share them (see README)."
        )


def check_public_address(app: Flask, production: bool) -> None:
    """PUBLIC_BASE_URL is a plain http(s) address; in production the app answers only TRUSTED_HOSTS,
    and the public address is one of them (else every link in mail would be refused)."""
    from urllib.parse import urlsplit

    from werkzeug.sansio.utils import host_is_trusted

    base = app.config["PUBLIC_BASE_URL"] or ""
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise RuntimeError(f"PUBLIC_BASE_URL must be the site's address, like https://hub.example.fi, not {base!r}.")
    if not production:
        return
    if app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = trusted_hosts(None, base)
    trusted = app.config["TRUSTED_HOSTS"]
    if not trusted:
        raise RuntimeError("TRUSTED_HOSTS must name the host names the site answers in production (see README).")
    if not host_is_trusted(parts.netloc, trusted):
        raise RuntimeError(f"The host of PUBLIC_BASE_URL ({parts.hostname}) must be one of TRUSTED_HOSTS.")


def register_migrations(app: Flask, always: bool = False) -> None:
    """Flask-Migrate, only where migrations run: the `flask` command line (`flask db ...`,
    `flask run`) or when asked. Web workers (gunicorn) never need Alembic, which costs each
    of them about 12 MB."""
    import click

    if not always and click.get_current_context(silent=True) is None:
        return
    from flask_migrate import Migrate

    Migrate(
        app,
        app.extensions["sqlalchemy"],
        directory=str(BASE_DIR / "migrations"),
        compare_type=True,
        render_as_batch=True,
    )


def register_extensions(app: Flask) -> None:
    from app.database import configure_engine_options, register_engine_events
    from app.extensions import csrf, db, limiter, login_manager

    configure_engine_options(app)
    db.init_app(app)
    register_engine_events(app)
    register_migrations(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"

    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Sign in to see this page.")
    login_manager.localize_callback = str  # evaluate the lazy text in the request's language

    @login_manager.user_loader
    def _load_user(session_id: str):
        # The session and remember cookies carry "<user id>:<token>" (app.sessions): the user is
        # signed in only while that session is not revoked and the user is active.
        from app.sessions import load_user

        return load_user(session_id)


def register_logging(app: Flask) -> None:
    from app.operations import register_logging as _register

    _register(app)


def register_models() -> None:
    """Import every model so that metadata (and Alembic) sees them all."""
    import app.audit
    import app.concurrency
    import app.files
    import app.mail
    import app.models
    import app.sessions
    import app.submissions  # noqa: F401
    import governance.rules.models
    import governance.rules.reminders
    import governance.steering.models
    import governance.steering.reminders  # noqa: F401
    import marketplace.catalogue.models
    import marketplace.onboarding.models
    import marketplace.procurement.models  # noqa: F401


def register_i18n(app: Flask) -> None:
    from app.i18n import register_i18n as _register

    _register(app)


def register_id_converter(app: Flask) -> None:
    from app.security import register_id_converter as _register

    _register(app)


def register_blueprints(app: Flask) -> None:
    from app.views import account, admin, auth, main, orgs
    from governance.register import views as register_views
    from governance.rules import views as governance_views
    from governance.steering import item_views, meeting_views  # noqa: F401  (they add routes to steering.bp)
    from governance.steering import views as steering_views
    from marketplace.api import views as api_views
    from marketplace.catalogue import provider_views, public_views, review_views
    from marketplace.insights import views as insights_views
    from marketplace.onboarding import profile_views as providers
    from marketplace.onboarding import review_views as review
    from marketplace.onboarding import wizard_views as onboarding
    from marketplace.procurement import views as procurement_views

    for module in (
        main,
        auth,
        account,
        orgs,
        admin,
        governance_views,
        steering_views,
        register_views,
        onboarding,
        review,
        providers,
        api_views,
        public_views,
        provider_views,
        review_views,
        procurement_views,
        insights_views,
    ):
        app.register_blueprint(module.bp)
    app.register_blueprint(procurement_views.webhook_bp)

    from governance.rules import demo as governance_demo
    from governance.steering import demo as steering_demo
    from marketplace.catalogue import demo as catalogue_demo
    from marketplace.onboarding import demo as marketplace_demo
    from marketplace.procurement import demo as procurement_demo

    # Domain packages add their demo data after the core's (`flask demo load`).
    app.extensions["demo_loaders"] = [
        steering_demo.load,
        governance_demo.load,
        marketplace_demo.load,
        catalogue_demo.load,
        procurement_demo.load,
    ]


def register_error_handlers(app: Flask) -> None:
    from app.errors import register_error_handlers as _register

    _register(app)


def register_security(app: Flask) -> None:
    from app.security import register_host_guard, register_input_guard, register_proxies, register_security_headers

    register_proxies(app)
    register_host_guard(app)
    register_input_guard(app)
    register_security_headers(app)


def register_submissions(app: Flask) -> None:
    """Forms take effect once however many times they are sent (app/submissions.py)."""
    from app.submissions import register_submissions as _register

    _register(app)


def register_template_helpers(app: Flask) -> None:
    from flask_wtf.csrf import generate_csrf

    from app import labels, markdown, permissions
    from app.security import SCRIPTS
    from app.urls import external_url

    app.jinja_env.filters["markdown"] = markdown.render
    app.jinja_env.globals.update(
        csrf_token=generate_csrf,
        own_scripts=SCRIPTS,
        external_url=external_url,
        is_coordinator=permissions.is_coordinator,
        org_kind_label=labels.org_kind_label,
        org_status_label=labels.org_status_label,
        role_label=labels.role_label,
    )


def register_jobs() -> None:
    """The periodic jobs of every package (app.jobs; `flask jobs worker` runs them)."""
    import app.jobs  # noqa: F401
    import governance.rules.jobs
    import governance.steering.jobs  # noqa: F401
    import marketplace.procurement.jobs  # noqa: F401


def register_cli(app: Flask) -> None:
    from app.cli import register_cli as _register

    _register(app)
