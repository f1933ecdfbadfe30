import pytest

from app import create_app
from config import TestConfig


@pytest.mark.parametrize(
    ("lang", "title"), [("fi", "Sivua ei löytynyt"), ("sv", "Sidan hittades inte"), ("en", "Page not found")]
)
def test_404_page_in_three_languages(client, lang, title):
    response = client.get("/ei-ole-olemassa", headers={"Accept-Language": lang})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html and title in html


def test_403_page_explains_what_is_missing(people, login_as):
    response = login_as("buyer").get("/admin/organisations")
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "Sinulla ei ole pääsyä tälle sivulle" in html
    assert "koordinaat" in html.lower()  # says the page is for the coordinator's staff


def test_api_errors_are_json(client):
    response = client.get("/api/v1/ei-ole")
    assert response.status_code == 404
    assert response.is_json and response.get_json()["error"] == 404


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        ("fi", "Palvelussa tapahtui virhe"),
        ("sv", "Ett fel uppstod i tjänsten"),
        ("en", "Something went wrong on our side"),
    ],
)
def test_500_page_in_three_languages(database_url, _schema, lang, title):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url, PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise ValueError("kaboom")

    response = app.test_client().get("/boom", headers={"Accept-Language": lang})
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert title in html and "kaboom" not in html


def test_method_not_allowed_is_a_page_not_a_crash(client):
    response = client.delete("/")
    assert response.status_code == 405
    assert "Allow" in response.headers
