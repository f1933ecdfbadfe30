"""The security checks count the responses whose headers they checked (tests/figures.py)."""

from __future__ import annotations

import pytest

from tests import figures
from tests.security.checks import HEADERS_CHECKED


@pytest.fixture(autouse=True)
def _count_header_checks():
    HEADERS_CHECKED["n"] = 0
    yield
    figures.count("security", "responses checked for headers", HEADERS_CHECKED["n"])
