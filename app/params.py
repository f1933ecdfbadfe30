"""Numbers in query strings: one parser, with bounds, for every view.

A query string is text anyone can type or craft, and every number a view reads from `request.args`
goes through here (`query_int` and its typed helpers, `paginate`, and the GET forms' fields in
app/forms.py), parsed by `app.validators.whole_number`: the digits 0-9 alone, within bounds that the
database can hold (spaces around them are allowed only where a person types the number into a field
of a page, `spaces=True`). Anything else is a `BadQuery` that names the
parameter with a translated message: a 400 with the error page (app/errors.py), the API's 400 JSON,
or an error shown on the page by the views that collect their filters' errors (the register, the
catalogue).

A page number past the end of a list is no error: `paginate` shows the last page and says so.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, request
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination

from app.extensions import db
from app.security import MAX_ID
from app.validators import whole_number

#: The last page number a list reads as such; any larger whole number is past the end of every list
#: (a million pages), so it shows the last page. The offset stays far within a 64-bit integer.
MAX_PAGE = 1_000_000
#: The years a filter accepts.
FIRST_YEAR, LAST_YEAR = 2000, 2100


class BadQuery(ValueError):
    """A query parameter that is not what the view reads: `parameter` names it, `message` says what it
    should be (translated on pages; the API gives its own English messages)."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter, self.message = parameter, str(message)


def _args(args: Any) -> Any:
    return request.args if args is None else args


def parse_int(text: str | None, minimum: int, maximum: int, *, spaces: bool = False) -> int | None:
    """The whole number written in `text` (the digits 0-9 alone; with `spaces`, spaces around them too),
    or None when it is anything else or outside `minimum`..`maximum`."""
    if text is not None and spaces:
        text = text.strip(" \t")
    return whole_number(text, maximum, minimum)


def query_int(
    name: str,
    default: int | None = None,
    *,
    minimum: int = 0,
    maximum: int = MAX_ID,
    message: str | None = None,
    spaces: bool = False,
    empty: bool = True,
    args: Any = None,
) -> int | None:
    """The parameter `name` of the query string (its first value) as a whole number from `minimum` to
    `maximum`; `default` when it is missing or (with `empty`, as a filter form sends a field left blank)
    empty. Raise BadQuery otherwise. `spaces`: a number typed into a field of a page, where spaces
    around it are a slip, not an error."""
    text = _args(args).get(name)
    if text is None or (empty and (text == "" or (spaces and not text.strip(" \t")))):
        return default
    value = parse_int(text, minimum, maximum, spaces=spaces)
    if value is None:
        raise BadQuery(
            name,
            message
            or _(
                "The address has a value that is not understood: %(name)s must be a "
                "whole number from %(minimum)d to %(maximum)d.",
                name=name,
                minimum=minimum,
                maximum=maximum,
            ),
        )
    return value


def query_id(name: str, *, message: str | None = None, args: Any = None) -> int | None:
    """The id of a row (1 to MAX_ID, what an INTEGER column holds), or None when not given."""
    return query_int(name, minimum=1, maximum=MAX_ID, message=message, args=args)


def query_year(name: str = "year", *, message: str | None = None, spaces: bool = False, args: Any = None) -> int | None:
    """A year from FIRST_YEAR to LAST_YEAR, or None when not given."""
    return query_int(
        name,
        minimum=FIRST_YEAR,
        maximum=LAST_YEAR,
        spaces=spaces,
        args=args,
        message=message or _("Enter a year such as 2026."),
    )


def query_page(name: str = "page", *, args: Any = None) -> int:
    """The page number: 1 when not given, MAX_PAGE for any whole number beyond it (past the end of the
    list). Zero, signs, fractions and other text are a BadQuery."""
    text = _args(args).get(name) or ""
    if not text:
        return 1
    value = parse_int(text, 1, MAX_PAGE)
    if value is None:
        digits = text.lstrip("0")
        if text.isascii() and text.isdigit() and digits:  # leading zeros, or more pages than any list has
            return parse_int(digits, 1, MAX_PAGE) or MAX_PAGE
        raise BadQuery(name, _("The page number must be a whole number, 1 or more."))
    return value


def paginate(stmt: sa.Select, per_page: int, *, name: str = "page") -> Pagination:
    """One page of `stmt`, the page number read with `query_page`. A page past the end shows the last page
    (with a notice): what a person who changed the number, or followed an old link, expects."""
    page = query_page(name)
    result = db.paginate(stmt, page=page, per_page=per_page, max_per_page=per_page, error_out=False)
    if page > 1 and page > result.pages:
        result = db.paginate(stmt, page=max(result.pages, 1), per_page=per_page, max_per_page=per_page, error_out=False)
        flash(_("There is no such page: the list is shorter. Its last page is shown."), "info")
    return result
