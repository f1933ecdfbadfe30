"""Login throttling: per address and account together, and per address.

tests/app/test_auth.py proves the basic lock (one address, one account) and that the right password is refused
during it. Here: the lock is per address and account together, so a stranger's guesses from one
address never lock the owner out on another; the same account spelt differently is the same account;
a broader per-address limit stops guessing across accounts; the refusal says in Finnish why and when
to try again, and signs nobody in."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import ngettext as babel_ngettext
from markupsafe import escape

from app.errors import MESSAGES, TITLES
from tests import factories, figures
from tests.conftest import TEST_PASSWORD
from tests.security.checks import assert_headers, fi


def _login_attempt(client, email: str, password: str, address: str):
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": client.csrf_token("/login")},
        environ_base={"REMOTE_ADDR": address},
    )


def _assert_throttled(response, client) -> None:
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert fi(TITLES[429]) in html and fi(MESSAGES[429]) in html
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= 61  # the tests' limits are per minute
    with force_locale("fi"):
        said = [
            babel_ngettext("You can try again in %(num)d minute.", "You can try again in %(num)d minutes.", n)
            for n in (1, 2)
        ]  # 61 s rounds up to 2 minutes
    assert said[0] != "You can try again in 1 minute."  # translated
    assert any(str(escape(text)) in html for text in said), "the page does not say when to try again"
    assert "per 1 minute" not in html  # the limit itself, in English, is not shown
    assert_headers(response, "429 page")
    assert client.get("/profile").status_code == 302, "a throttled sign-in signed the user in"


def test_a_strangers_guesses_do_not_lock_the_owner_out(app):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    owner = factories.UserFactory(email="koordinaattori@example.com")
    stranger, own = app.test_client(), app.test_client()
    spellings = ["koordinaattori@example.com", "KOORDINAATTORI@example.com", " Koordinaattori@Example.COM "]
    codes = [_login_attempt(stranger, email, "arvaus ei osu", "198.51.100.7").status_code for email in spellings]
    assert codes == [200, 200, 200]
    # The stranger's next guess is refused, even with the right password, however the address is spelt.
    _assert_throttled(_login_attempt(stranger, "Koordinaattori@example.com", "arvaus ei osu", "198.51.100.7"), stranger)
    _assert_throttled(_login_attempt(stranger, owner.email, TEST_PASSWORD, "198.51.100.7"), stranger)
    # The owner, from another address, signs in with the right password at once.
    response = _login_attempt(own, owner.email, TEST_PASSWORD, "203.0.113.20")
    assert response.status_code == 302, "the stranger's guesses locked the owner out"
    assert own.get("/profile").status_code == 200
    # And the stranger may still sign in to an account of their own from their address.
    factories.UserFactory(email="vieras@example.com")
    assert _login_attempt(stranger, "vieras@example.com", TEST_PASSWORD, "198.51.100.7").status_code == 302
    figures.count("security", "login throttle cases", 6)


def test_the_address_limit_stops_guessing_across_accounts(app):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    app.config["LOGIN_ADDRESS_RATE_LIMIT"] = "5 per minute"
    target = factories.UserFactory(email="kohde@example.com")
    guesser = app.test_client()
    codes = [
        _login_attempt(guesser, f"arvaus{i}@example.com", "arvaus ei osu", "192.0.2.50").status_code for i in range(5)
    ]
    assert codes == [200] * 5  # no pair was tried more than once
    _assert_throttled(_login_attempt(guesser, target.email, TEST_PASSWORD, "192.0.2.50"), guesser)
    colleague = app.test_client()
    assert _login_attempt(colleague, target.email, TEST_PASSWORD, "192.0.2.51").status_code == 302
    figures.count("security", "login throttle cases", 7)


def test_no_login_limit_is_keyed_by_the_email_address_alone(app):
    """Many addresses guessing one account (a stranger with many addresses) slow down only themselves:
    the owner is never refused for what others did."""
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    app.config["LOGIN_ADDRESS_RATE_LIMIT"] = "4 per minute"
    owner = factories.UserFactory(email="omistaja@example.com")
    strangers = app.test_client()
    codes = [
        _login_attempt(strangers, owner.email, "arvaus ei osu", f"198.51.100.{i // 2 + 1}").status_code
        for i in range(20)
    ]
    assert codes == [200] * 20
    assert _login_attempt(app.test_client(), owner.email, TEST_PASSWORD, "203.0.113.99").status_code == 302
    figures.count("security", "login throttle cases", 21)
