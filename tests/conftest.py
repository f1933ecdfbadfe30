"""Fixtures: an app per test on a fresh database (SQLite, or PostgreSQL when
TEST_DATABASE_URL is set), a client that fills in CSRF tokens like a browser,
and signed-in clients for each kind of user."""

from __future__ import annotations

import contextvars
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from app import create_app, services, sessions
from app.extensions import db, limiter
from app.operations import migration_heads
from config import TestConfig
from tests import factories, figures
from tests.audit_guard import guard_lifted
from tests.pg import ensure_database

pytest_plugins = [
    "tests.stripe_servers",  # localstripe and the Stripe fake, for the tests that pay
    "tests.fixtures.api",
    "tests.fixtures.mail",
    "tests.fixtures.register",
    "tests.fixtures.steering",
]

TEST_PASSWORD = factories.TEST_PASSWORD
_CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


#: The longest tests (each a sweep of every route: 15-80 s on the 2-core machine), started first,
#: so that the parallel processes end together on short tests instead of one waiting for the
#: last long one (longest first). Any order is correct; this one is faster.
LONGEST_FIRST = (
    "tests/test_query_strings.py::test_no_number_in_a_query_string_breaks_a_route",
    "tests/fuzz/test_groups.py",
    "tests/browser/test_every_page_accessible.py",
    "tests/test_confidentiality.py",
    "tests/test_no_server_errors.py",
    "tests/test_race_matrix.py",
    "tests/marketplace/api/test_api_schema.py",
    "tests/browser/",
    "tests/app/test_migrations.py",
)


def _rank(item: pytest.Item) -> int:
    return next((i for i, prefix in enumerate(LONGEST_FIRST) if item.nodeid.startswith(prefix)), len(LONGEST_FIRST))


def pytest_collection_modifyitems(session, config, items) -> None:
    items.sort(key=_rank)  # stable: the rest keep their order


def pytest_sessionfinish(session, exitstatus) -> None:
    """Keep the reliability figures this run recorded (tests/figures.py). A pytest-xdist worker
    hands its figures to the controller (pytest_testnodedown), which writes them all once."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["figures"] = figures.export()
    else:
        figures.write()


def pytest_testnodedown(node, error) -> None:
    exported = getattr(node, "workeroutput", {}).get("figures")
    if exported:
        figures.merge(exported)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> str:
    """The run's database: SQLite in the session's temporary folder, or TEST_DATABASE_URL. With
    pytest-xdist each worker has its own (`digione_test_gw0`, ... created when missing)."""
    if TestConfig.TEST_DATABASE_URL:
        if worker_id == "master":
            return TestConfig.TEST_DATABASE_URL
        parsed = make_url(TestConfig.TEST_DATABASE_URL)
        url = parsed.set(database=f"{parsed.database}_{worker_id}").render_as_string(hide_password=False)
        problem = ensure_database(url)
        assert problem is None, f"cannot create the worker's database: {problem}"
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@sa.event.listens_for(sa.Engine, "connect")
def _fast_test_commits(dbapi_connection, connection_record) -> None:
    """The suite's throwaway databases need no durability: skip the fsync on every
    commit (the factories commit often). Behaviour is otherwise unchanged."""
    module = type(dbapi_connection).__module__
    cursor = dbapi_connection.cursor()
    if module.startswith("sqlite3"):
        cursor.execute("PRAGMA synchronous=OFF")
    elif module.startswith("psycopg"):
        cursor.execute("SET synchronous_commit TO OFF")
        dbapi_connection.commit()
    cursor.close()


@pytest.fixture(scope="session")
def _schema(database_url: str) -> Iterator[None]:
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        db.drop_all()
        db.create_all()
        _stamp_migrations_head()
        db.session.remove()
        db.engine.dispose()
    yield
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def _stamp_migrations_head() -> None:
    """create_all builds the schema the migrations end at (tests/app/test_migrations.py checks that
    they agree): record it as Alembic would, so that /readyz sees a database at the head."""
    db.session.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    db.session.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
    for head in sorted(migration_heads()):
        db.session.execute(sa.text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": head})
    db.session.commit()


def empty_database() -> None:
    """Every table emptied (and PostgreSQL's id sequences restarted), as at the start of a test."""
    _empty_all_tables()
    limiter.reset()


def _empty_all_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        # DELETE from the tables that have rows, then restart the sequences that were used: the
        # same end as TRUNCATE ... RESTART IDENTITY of every table, in a tenth of its time (each
        # TRUNCATE costs ~0.1 s whatever it empties). Triggers are off for this transaction only
        # (session_replication_role): the foreign keys, since every row goes, and the audit
        # trail's append-only guard, as with TRUNCATE.
        probe = " UNION ALL ".join(f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables)
        used = db.session.execute(sa.text(probe)).scalars().all()
        db.session.execute(sa.text("SET LOCAL session_replication_role = replica"))
        for name in used:
            db.session.execute(sa.text(f'DELETE FROM "{name}"'))
        sequences = db.session.execute(
            sa.text("SELECT schemaname || '.' || sequencename FROM pg_sequences WHERE last_value IS NOT NULL")
        ).scalars()
        for sequence in list(sequences):
            db.session.execute(sa.text("SELECT setval(:sequence, 1, false)"), {"sequence": sequence})
    else:
        with guard_lifted():  # emptying audit_events is a DELETE, which its guard refuses
            for table in tables:
                db.session.execute(table.delete())
    db.session.commit()


class BrowserLikeClient(FlaskClient):
    """A test client that behaves like a browser against a real server.

    Each request runs in a context of its own, so it gets a fresh application
    context (its own ``g``, its own database session) exactly as it would in
    production, instead of sharing the test's. Afterwards the test's session
    is expired so that it reads what the request committed. Forms carry the
    page's CSRF token, as a browser's would.
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():  # redirects followed inside the request's own context skip this
            db.session.expire_all()
        return response

    _token: str | None = None

    def csrf_token(self, page: str = "/", fresh: bool = False) -> str:
        """The session's CSRF token, read from a page once (it stays valid for the session)."""
        if self._token is not None and not fresh:
            return self._token
        html = self.get(page).get_data(as_text=True)
        match = _CSRF.search(html)
        if match is None:
            html = self.get("/").get_data(as_text=True)
            match = _CSRF.search(html)
        assert match, "no CSRF token found on the page"
        self._token = match.group(1)
        return self._token

    def post_form(self, url: str, data: dict | None = None, page: str | None = None, **kwargs):
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.csrf_token(page or "/"))
        return self.post(url, data=payload, **kwargs)

    def sign_in_as(self, user) -> None:
        """Sign `user` in on this client as a successful sign-in form leaves it (a server-side
        session, its id in the session cookie), without the form's two requests: for tests of
        what a signed-in person may do. Signing in itself is tested through `login`."""
        record = sessions.start(user, "127.0.0.1", "pytest")
        services.record_login(user)  # audited like a sign-in through the form
        db.session.commit()
        with self.session_transaction() as cookie:
            cookie["_user_id"] = f"{user.id}:{user.login_token}"
            cookie["_fresh"] = True
        assert record.id is not None

    def login(self, email: str, password: str = TEST_PASSWORD):
        response = self.post_form("/login", {"email": email, "password": password}, page="/login")
        assert response.status_code == 302, f"login of {email} failed"
        return response

    def logout(self):
        return self.post_form("/logout")


@pytest.fixture(scope="session")
def _shared_app(_schema: None, database_url: str) -> Iterator[Flask]:
    """One application per test process (building one compiles ~150 URL rules: 60 ms), given to
    each test with the configuration it was built with (`app` restores it)."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url)
    app.test_client_class = BrowserLikeClient
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture()
def app(_shared_app: Flask) -> Iterator[Flask]:
    """The application on an empty database; what a test changes in `app.config` is undone."""
    app = _shared_app
    configured = dict(app.config)
    with app.app_context():
        limiter.reset()
        try:
            yield app
        finally:
            db.session.rollback()
            _empty_all_tables()
            db.session.remove()
            app.config.clear()
            app.config.update(configured)


@pytest.fixture()
def client(app: Flask) -> BrowserLikeClient:
    return app.test_client()  # type: ignore[return-value]


@pytest.fixture()
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture()
def people(app: Flask) -> dict:
    """One user of every kind the access matrix knows, in separate organisations."""
    return build_people()


def build_people() -> dict:
    """The `people` fixture's world, for a test that builds it more than once (after `empty_database`)."""
    municipality = factories.MunicipalityFactory(name="Vantaa", municipality_code="092")
    other_municipality = factories.MunicipalityFactory(name="Espoo", municipality_code="049")
    provider = factories.ProviderFactory(name="Oppimisen Polku Oy")
    other_provider = factories.ProviderFactory(name="Kielisilta Oy")
    coordinator_org = factories.CoordinatorOrgFactory()
    return {
        "municipality": municipality,
        "other_municipality": other_municipality,
        "provider": provider,
        "other_provider": other_provider,
        "coordinator_org": coordinator_org,
        "coordinator": factories.UserFactory(organisation=coordinator_org, org_role="admin", email="coord@example.com"),
        "provider_admin": factories.UserFactory(organisation=provider, org_role="admin", email="padmin@example.com"),
        "provider_user": factories.UserFactory(organisation=provider, org_role="member", email="puser@example.com"),
        "other_provider_user": factories.UserFactory(
            organisation=other_provider, org_role="member", email="other.puser@example.com"
        ),
        "municipality_admin": factories.UserFactory(
            organisation=municipality, org_role="admin", email="madmin@example.com"
        ),
        "buyer": factories.UserFactory(organisation=municipality, org_role="buyer", email="buyer@example.com"),
        "approver": factories.UserFactory(organisation=municipality, org_role="approver", email="approver@example.com"),
        "other_approver": factories.UserFactory(
            organisation=other_municipality, org_role="approver", email="other.approver@example.com"
        ),
        "no_org": factories.UserFactory(organisation=None, org_role=None, email="newcomer@example.com"),
        "body_member": factories.UserFactory(
            organisation=other_municipality, org_role="member", email="body.member@example.com"
        ),
        # A member of another body (the access matrix's objects put them in OR, not JT).
        "other_body_member": factories.UserFactory(
            organisation=other_municipality, org_role="member", email="other.body.member@example.com"
        ),
        # A body's secretary whose only power is that role (not coordinator staff).
        "secretary": factories.UserFactory(
            organisation=other_municipality, org_role="member", email="body.secretary@example.com"
        ),
    }


@pytest.fixture()
def objects(people: dict) -> dict:
    """Everything the route-by-role matrix tries its routes on (tests/matrix.py)."""
    from tests.matrix import build_objects

    return build_objects(people)


@pytest.fixture()
def login_as(app: Flask, people: dict):
    """A fresh client signed in as one of `people` (None means anonymous)."""

    def _login(key: str | None) -> BrowserLikeClient:
        client: BrowserLikeClient = app.test_client()  # type: ignore[assignment]
        if key is not None:
            client.sign_in_as(people[key])
        return client

    return _login


@pytest.fixture()
def count_queries(app: Flask, client):
    """How many SQL statements one GET of a page runs (to check they stay bounded)."""

    def _count(url: str) -> int:
        statements: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            assert client.get(url).status_code == 200, url
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)
        return len(statements)

    return _count
