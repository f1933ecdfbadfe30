"""Configuration. This module is the only place that reads the environment."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

#: The development key. Production refuses to start with it.
DEFAULT_SECRET_KEY = "dev-only-not-secret"


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_bool(name: str, default: bool = False) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_seconds(name: str, default: float) -> float:
    """A duration in seconds (fractions allowed); 0 turns the limit off."""
    value = _env(name)
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        raise RuntimeError(f"{name} must be a number of seconds, not {value!r}") from None
    if seconds < 0:
        raise RuntimeError(f"{name} must be 0 (no limit) or more, not {value!r}")
    return seconds


def _env_count(name: str, default: int) -> int:
    """A whole number, 0 or more."""
    value = _env(name)
    if value is None:
        return default
    if not value.strip().isascii() or not value.strip().isdigit():
        raise RuntimeError(f"{name} must be a whole number, 0 or more, not {value!r}")
    return int(value)


def _env_list(name: str) -> list[str] | None:
    """A comma-separated list; None when unset or empty."""
    items = [item.strip() for item in (_env(name) or "").split(",") if item.strip()]
    return items or None


def trusted_hosts(listed: list[str] | None, public_base_url: str) -> list[str]:
    """The Host names production answers: the TRUSTED_HOSTS given, else the host of PUBLIC_BASE_URL."""
    if listed:
        return listed
    host = urlsplit(public_base_url).hostname
    return [host] if host else []


class Config:
    """Settings shared by every environment; production is the default."""

    ENV_NAME = "production"
    SECRET_KEY = _env("SECRET_KEY", DEFAULT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'digione.sqlite'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False
    # Database timeouts in seconds (0: none), so that a stalled or locked database answers the 503
    # page within seconds instead of holding the request for ever; app/database.py turns them into
    # the driver's options (PostgreSQL or SQLite, by the URL). Below gunicorn's 30 s worker timeout.
    #: Connecting: PostgreSQL's connect_timeout (whole seconds, at least 2, per address tried).
    DATABASE_CONNECT_TIMEOUT = _env_seconds("DATABASE_CONNECT_TIMEOUT", 5)
    #: PostgreSQL's statement_timeout: a statement running longer is cancelled.
    DATABASE_STATEMENT_TIMEOUT = _env_seconds("DATABASE_STATEMENT_TIMEOUT", 15)
    #: Waiting for a row or table lock held by someone else: PostgreSQL's lock_timeout.
    DATABASE_LOCK_TIMEOUT = _env_seconds("DATABASE_LOCK_TIMEOUT", 5)
    #: Waiting for SQLite's one write lock (its busy timeout). Longer than the lock timeout: every
    #: write of the host queues for the same lock, and SQLite hands it to whichever waiter polls
    #: first, not the longest waiting; at 50 clients on 2 cores a write waited up to 5.7 s.
    DATABASE_BUSY_TIMEOUT = _env_seconds("DATABASE_BUSY_TIMEOUT", 10)
    #: PostgreSQL ends a session left idle inside a transaction (its locks with it).
    DATABASE_IDLE_IN_TRANSACTION_TIMEOUT = _env_seconds("DATABASE_IDLE_IN_TRANSACTION_TIMEOUT", 60)
    #: A dropped network: unacknowledged data (tcp_user_timeout) and TCP keepalives give up after it.
    DATABASE_NETWORK_TIMEOUT = _env_seconds("DATABASE_NETWORK_TIMEOUT", 20)

    # Languages: Finnish first.
    LANGUAGES = ("fi", "sv", "en")
    BABEL_DEFAULT_LOCALE = "fi"
    BABEL_DEFAULT_TIMEZONE = "Europe/Helsinki"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "app" / "translations")

    # Sessions and cookies.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 14
    #: How long a sign-in session lasts at most, remembered or not (app.sessions); then the person signs in again.
    USER_SESSION_MAX_AGE = REMEMBER_COOKIE_DURATION
    PREFERRED_URL_SCHEME = "https"
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024

    # Forms.
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 60 * 60 * 8

    # Several hosts and workers share one Redis (REDIS_URL): rate limits are counted there.
    REDIS_URL = _env("REDIS_URL")
    #: How many web worker processes serve the app on this host (gunicorn reads the same variable):
    #: with more than one, limits kept in one process's memory would be counted per worker.
    WEB_CONCURRENCY = _env_count("WEB_CONCURRENCY", 1)
    #: Reverse proxies in front of the app that add X-Forwarded-For and X-Forwarded-Proto (a load
    #: balancer: 1). The client's address (rate limits, sign-in sessions, acceptance evidence) is
    #: read that many hops back; 0 (the default) trusts no such header, which anyone can send.
    TRUSTED_PROXY_COUNT = _env_count("TRUSTED_PROXY_COUNT", 0)

    # Background work (app/jobs.py): huey's queue in Redis when REDIS_URL is set, else in this file.
    JOBS_SQLITE_PATH = _env("JOBS_SQLITE_PATH", str(INSTANCE_DIR / "jobs.sqlite"))

    # Operations (app/operations.py).
    #: "json": one JSON object per log line (for a log collector); "text" for people reading a terminal.
    LOG_FORMAT = _env("LOG_FORMAT", "json")
    LOG_LEVEL = (_env("LOG_LEVEL", "INFO") or "INFO").upper()
    #: /readyz says "not ready" (503) while more mail than this waits to be sent: the sender is stuck.
    READY_MAX_MAIL_BACKLOG = _env_count("READY_MAX_MAIL_BACKLOG", 1000)
    #: Who may read /metrics (addresses or networks, comma-separated): loopback unless configured.
    METRICS_ALLOWED_NETWORKS = _env_list("METRICS_ALLOWED_NETWORKS") or ["127.0.0.0/8", "::1/128"]
    #: Several worker processes on a host: an empty folder where prometheus_client keeps each
    #: worker's figures (it reads this variable itself) so that /metrics adds them up.
    METRICS_MULTIPROCESS_DIR = _env("PROMETHEUS_MULTIPROC_DIR")

    # Rate limits: in Redis when REDIS_URL is set, else in this process's memory (one worker only).
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI") or REDIS_URL or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    #: Sign-in attempts per client address and e-mail address together (guessing one account's password).
    LOGIN_RATE_LIMIT = _env("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    #: Sign-in attempts per client address, whatever the account: broader, since a school or an office
    #: signs in from one address. No limit is keyed by the e-mail address alone (a stranger could lock
    #: the account's owner out).
    LOGIN_ADDRESS_RATE_LIMIT = _env("LOGIN_ADDRESS_RATE_LIMIT", "30 per minute;300 per hour")
    #: "Send the sign-up link again", per client address (each press mails someone).
    CONFIRMATION_RESEND_RATE_LIMIT = "5 per hour"

    # Accounts.
    PASSWORD_MIN_LENGTH = 12
    PASSWORD_HASH_METHOD = "scrypt"
    PASSWORD_RESET_MAX_AGE = 60 * 60  # seconds
    INVITATION_MAX_AGE = 60 * 60 * 24 * 7
    EMAIL_CONFIRMATION_MAX_AGE = 60 * 60 * 48  # the sign-up link

    # Mail: the outbox is delivered by `flask mail send`.
    MAIL_SERVER = _env("MAIL_SERVER")
    MAIL_PORT = int(_env("MAIL_PORT", "587") or 587)
    MAIL_USERNAME = _env("MAIL_USERNAME")
    MAIL_PASSWORD = _env("MAIL_PASSWORD")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", True)
    MAIL_SENDER = _env("MAIL_SENDER", "DigiOne Hub <no-reply@digione.example>")
    #: A sender's claim on a message: no other sender takes it meanwhile; if the sender dies, the
    #: message is due again after it. Longer than an SMTP conversation (its timeout is 30 s).
    MAIL_LEASE_SECONDS = _env_seconds("MAIL_LEASE_SECONDS", 300)
    #: The wait after a failed attempt, doubled after each further failure (at most a day).
    MAIL_RETRY_SECONDS = _env_seconds("MAIL_RETRY_SECONDS", 60)
    #: Attempts before a message is given up and listed for the coordinator (/admin/mail).
    MAIL_MAX_ATTEMPTS = _env_count("MAIL_MAX_ATTEMPTS", 10)
    #: The site's address: every absolute link (mail, the Atom feed, CSV, the API) starts with it,
    #: inside a request too; never taken from the request's Host header.
    PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    #: Host names production answers (Flask's own setting; a leading dot allows subdomains); any
    #: other Host header gets 400. Comma-separated in the environment; unset means the host of
    #: PUBLIC_BASE_URL (create_app fills it in with `trusted_hosts`, after any overrides).
    TRUSTED_HOSTS: list[str] | None = _env_list("TRUSTED_HOSTS")

    DEMO_DATA_ALLOWED = False
    AUDIT_PAGE_SIZE = 50

    #: Where `flask backup` writes when no path is given (created owner-only if missing).
    BACKUP_DIR = _env("BACKUP_DIR", str(INSTANCE_DIR / "backups"))

    # Payments: without a secret key, orders are invoiced by hand (the coordinator marks them paid).
    STRIPE_SECRET_KEY = _env("STRIPE_SECRET_KEY")
    STRIPE_WEBHOOK_SECRET = _env("STRIPE_WEBHOOK_SECRET")
    #: Another address for Stripe's API (a local test server); unset means Stripe itself.
    STRIPE_API_BASE = _env("STRIPE_API_BASE")
    STRIPE_MAX_NETWORK_RETRIES = 2
    STRIPE_INVOICE_DAYS_UNTIL_DUE = 30
    STRIPE_IDEMPOTENCY_PREFIX = _env("STRIPE_IDEMPOTENCY_PREFIX", "digione")


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    LOG_FORMAT = _env("LOG_FORMAT", "text")
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    PREFERRED_URL_SCHEME = "http"
    DEMO_DATA_ALLOWED = True
    #: Unset: any host (127.0.0.1, localhost, a LAN address).
    TRUSTED_HOSTS = _env_list("TRUSTED_HOSTS")


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    #: PostgreSQL (or another) database for the suite; unset means SQLite.
    TEST_DATABASE_URL = _env("TEST_DATABASE_URL")
    #: Where `make test` looks for PostgreSQL when TEST_DATABASE_URL is not given.
    DEFAULT_POSTGRES_TEST_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/digione_test"
    #: In CI an unreachable PostgreSQL is a failure, not a skip.
    CI = _env_bool("CI")
    #: Parallel test processes per database in `make test` (pytest-xdist): a number, "auto" (one
    #: per core) or 0 for one process.
    TEST_WORKERS = _env("TEST_WORKERS") or "auto"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    PREFERRED_URL_SCHEME = "http"
    SERVER_NAME = None
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"  # not the developer's environment
    TRUSTED_HOSTS = None  # the test client's localhost, and the tests' own Host headers
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast hashes keep the suite quick
    RATELIMIT_STORAGE_URI = "memory://"
    LOGIN_RATE_LIMIT = "1000 per minute"  # tests that check throttling set a low limit themselves
    LOGIN_ADDRESS_RATE_LIMIT = "1000 per minute"
    CONFIRMATION_RESEND_RATE_LIMIT = "1000 per hour"
    DEMO_DATA_ALLOWED = True
    # Tests that need Stripe point these at the local servers themselves (tests/stripe_servers.py).
    STRIPE_SECRET_KEY = None
    STRIPE_WEBHOOK_SECRET = None
    STRIPE_API_BASE = None


CONFIGS: dict[str, type[Config]] = {
    "production": Config,
    "development": DevelopmentConfig,
    "test": TestConfig,
}


def load_config(name: str | None = None) -> type[Config]:
    """Return the configuration class named by DIGIONE_ENV (production by default)."""
    key = (name or _env("DIGIONE_ENV", "production") or "production").lower()
    try:
        return CONFIGS[key]
    except KeyError as exc:
        raise RuntimeError(f"Unknown DIGIONE_ENV {key!r}; use one of {', '.join(CONFIGS)}") from exc
