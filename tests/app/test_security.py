import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.markdown import render
from app.models import User
from app.security import script_tags
from config import Config
from tests import factories


def test_form_without_csrf_token_is_refused_and_saves_nothing(client):
    response = client.post(
        "/signup",
        data={
            "email": "a@example.com",
            "name": "A",
            "password": "pitkä salasana tässä",
            "confirm": "pitkä salasana tässä",
        },
    )
    assert response.status_code == 400
    assert "lomake" in response.get_data(as_text=True).lower()  # a translated explanation, in Finnish
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_csrf_token_of_another_session_is_refused(app, client):
    other = app.test_client()
    token = other.csrf_token()
    factories.UserFactory(email="opettaja@example.com")
    response = client.post("/login", data={"email": "opettaja@example.com", "password": "x", "csrf_token": token})
    assert response.status_code == 400


def test_logout_by_get_is_not_possible(people, login_as):
    client = login_as("buyer")
    assert client.get("/logout").status_code == 405
    assert client.get("/profile").status_code == 200  # still signed in


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    html = response.get_data(as_text=True)
    for tag in script_tags():  # the app's own scripts, from 'self'; nothing inline, nothing else
        assert html.count(tag) == 1
        html = html.replace(tag, "")
    assert "<script" not in html


def test_production_refuses_the_default_secret_key(database_url):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Config, SQLALCHEMY_DATABASE_URI=database_url)


def test_production_cookies_are_secure_httponly_and_samesite(database_url, _schema):
    app = create_app(
        Config,
        SQLALCHEMY_DATABASE_URI=database_url,
        SECRET_KEY="a-long-random-production-key-0123456789",
        PUBLIC_BASE_URL="https://localhost",
    )
    assert app.config["DEMO_DATA_ALLOWED"] is False
    with app.app_context():
        response = app.test_client().get("/login")
        assert response.status_code == 200
        cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
        db.engine.dispose()
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Strict-Transport-Security" in response.headers


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ("[klikkaa](javascript:alert(1))", "javascript:"),
        ('<img src=x onerror="alert(1)">', "onerror"),
        ('<a href="#" onclick="x()">a</a>', "onclick"),
        ("<iframe src='https://evil.example'></iframe>", "<iframe"),
        ("[data](data:text/html;base64,PHNjcmlwdD4=)", "data:text"),
    ],
)
def test_markdown_is_sanitised(app, source, forbidden):
    assert forbidden not in str(render(source)).lower()


def test_markdown_keeps_ordinary_formatting(app):
    html = str(render("# Otsikko\n\n**tärkeä** ja [linkki](https://example.fi)"))
    assert "<h1>Otsikko</h1>" in html and "<strong>tärkeä</strong>" in html
    assert 'href="https://example.fi"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_markdown_headings_can_be_moved_under_the_page_heading(app):
    html = str(render("# Luku\n\n## Kohta\n\n###### Syvä", heading_offset=1))
    assert "<h2>Luku</h2>" in html and "<h3>Kohta</h3>" in html and "<h6>Syvä</h6>" in html and "<h1>" not in html
