"""Finnish identifiers (business IDs, municipality codes, payment references) and whole numbers typed by people."""

from __future__ import annotations

import re

_BUSINESS_ID = re.compile(r"^(\d{7})-(\d)$")
_BUSINESS_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
_MUNICIPALITY_CODE = re.compile(r"^\d{3}$")


def business_id_check_digit(first_seven: str) -> int | None:
    """The check digit for the seven digits of a Y-tunnus, or None if none exists.

    A remainder of 1 means no valid check digit: such numbers are never issued.
    """
    if len(first_seven) != 7 or not first_seven.isdigit():
        raise ValueError("seven digits expected")
    remainder = sum(int(d) * w for d, w in zip(first_seven, _BUSINESS_ID_WEIGHTS, strict=True)) % 11
    if remainder == 0:
        return 0
    if remainder == 1:
        return None
    return 11 - remainder


def normalise_business_id(value: str) -> str:
    """Trim spaces and pad an old six-digit form (123456-7) to seven digits."""
    value = (value or "").strip().replace(" ", "")
    if re.fullmatch(r"\d{6}-\d", value):
        value = "0" + value
    return value


def is_valid_business_id(value: str) -> bool:
    """True for a well-formed Y-tunnus `NNNNNNN-C` whose check digit is right."""
    match = _BUSINESS_ID.match(normalise_business_id(value))
    if not match:
        return False
    expected = business_id_check_digit(match.group(1))
    return expected is not None and expected == int(match.group(2))


def whole_number(text: str | None, maximum: int = 2**31 - 1, minimum: int = 0) -> int | None:
    """`text` as a whole number if it is written in the digits 0-9 alone and lies from `minimum` to
    `maximum`, else None. The one parser of numbers people and clients send (see app/params.py).

    `int()` is no check: it accepts " 1", "+1", "1_000" and Arabic-Indic digits ("١٢٣"), refuses
    "²" (which `str.isdigit()` accepts) and strings of over 4 300 digits with a ValueError, and
    returns numbers far beyond what a database column holds. Here no more digits than `maximum`
    has ever reach `int()`."""
    if not text or not text.isascii() or not text.isdigit() or len(text) > len(str(maximum)):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def is_valid_municipality_code(value: str) -> bool:
    return bool(_MUNICIPALITY_CODE.match((value or "").strip()))


_REFERENCE_WEIGHTS = (7, 3, 1)


def reference_check_digit(base: str) -> int:
    """The check digit of a Finnish payment reference (viitenumero): the base's digits
    weighted 7, 3, 1, 7, 3, 1 ... from the right; (10 - sum mod 10) mod 10."""
    if not base.isdigit() or not 3 <= len(base) <= 19:
        raise ValueError("a reference base is 3 to 19 digits")
    total = sum(int(d) * _REFERENCE_WEIGHTS[i % 3] for i, d in enumerate(reversed(base)))
    return (10 - total % 10) % 10


def payment_reference(base: str) -> str:
    """The reference number for a base: the base followed by its check digit."""
    return f"{base}{reference_check_digit(base)}"


def is_valid_payment_reference(value: str) -> bool:
    digits = (value or "").replace(" ", "")
    if not digits.isdigit() or not 4 <= len(digits) <= 20:
        return False
    return reference_check_digit(digits[:-1]) == int(digits[-1])


def format_payment_reference(value: str) -> str:
    """Groups of five digits from the right, as printed on Finnish invoices (12345 67890)."""
    digits = value.replace(" ", "")
    head = len(digits) % 5
    groups = ([digits[:head]] if head else []) + [digits[i : i + 5] for i in range(head, len(digits), 5)]
    return " ".join(groups)
