"""Languages: locale choice, and dates and money formatted per locale."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_currency as babel_format_currency
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

from app.extensions import babel

LANGUAGE_NAMES = {"fi": "suomi", "sv": "svenska", "en": "English"}


def select_locale() -> str:
    """The signed-in user's choice, then this browser's, then Accept-Language, then Finnish."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and background work: Finnish unless forced otherwise
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    user = current_user if current_user and getattr(current_user, "is_authenticated", False) else None
    if user is not None and user.locale in languages:
        return user.locale
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def money(cents: int | None, currency: str = "EUR") -> str:
    """Format a sum of cents for the current locale (fi: 1 234,50 €)."""
    if cents is None:
        return ""
    return _money(cents, currency, str(get_locale() or "fi"))


@lru_cache(maxsize=65536)
def _money(cents: int, currency: str, locale: str) -> str:
    return babel_format_currency(Decimal(cents) / 100, currency, locale=locale)


def when(value: datetime | date | None, style: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, style)
    return format_date(value, style)


def register_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["when"] = when

    @app.context_processor
    def _languages() -> dict:
        return {"languages": LANGUAGE_NAMES, "current_locale": str(get_locale() or "fi")}
