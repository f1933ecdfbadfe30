from app import create_app
from app.extensions import db
from config import TestConfig


def test_health_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_health_reports_an_unreachable_database():
    # Nothing listens on port 1: a real connection failure, not a mock.
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI="postgresql+psycopg://postgres@127.0.0.1:1/none",
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 2}},
    )
    with app.app_context():
        response = app.test_client().get("/healthz")
        db.engine.dispose()
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"
