"""Signed, expiring tokens for e-mailed links (password reset, invitations).

The issue time travels inside the signed payload and the age is checked
against an explicit ``now``, so expiry is testable without touching clocks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from app.extensions import utcnow


class TokenError(Exception):
    """The token is malformed, forged or for another purpose."""


class TokenExpired(TokenError):
    """The token was genuine but is too old."""


def _serializer(purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"digione.{purpose}")


def make_token(purpose: str, payload: dict[str, Any], now: datetime | None = None) -> str:
    issued = int((now or utcnow()).timestamp())
    return _serializer(purpose).dumps({**payload, "iat": issued})


def read_token(purpose: str, token: str, max_age: int, now: datetime | None = None) -> dict[str, Any]:
    try:
        data = _serializer(purpose).loads(token)
    except BadSignature as exc:
        raise TokenError(str(exc)) from exc
    if not isinstance(data, dict) or not isinstance(data.get("iat"), int):
        raise TokenError("payload")
    age = int((now or utcnow()).timestamp()) - data["iat"]
    if age > max_age or age < -60:
        raise TokenExpired(f"age {age}s")
    return data
