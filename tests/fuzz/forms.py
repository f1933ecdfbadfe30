"""The fields of a route: the WTForms classes its view uses and the ``request.form`` / ``request.args``
keys its code reads (what the app declares), and the forms on the pages that send to it."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import wtforms
from flask_wtf import FlaskForm
from wtforms.fields.core import UnboundField

from tests.fuzz.values import Field

_FORM_KEYS = re.compile(r"request\.(?:form|values)\.(?:get|getlist)\(\s*[\"']([^\"']+)")
_QUERY_KEYS = re.compile(
    r"\bargs\.(?:get|getlist)\(\s*[\"']([^\"']+)|\bargs\[\s*[\"']([^\"']+)"
    r"|[\"']([^\"']+)[\"']\s+(?:not\s+)?in\s+request\.args"
    r"|\bquery_(?:int|id|year|page)\(\s*[\"']([^\"']+)"
)  # app.params' parser
_CALLS = re.compile(r"\b([A-Za-z_][\w.]*)\(")
_GIVEN_ARGS = re.compile(r"\b([A-Za-z_][\w.]*)\(\s*request\.args")


def _resolve(name: str, namespace: dict) -> Any:
    head, *rest = name.split(".")
    obj = namespace.get(head)
    for part in rest:
        if not inspect.ismodule(obj) and not inspect.isclass(obj):
            return None  # request, current_user and other proxies are not code
        obj = getattr(obj, part, None)
    return obj


def sources(function: Callable, depth: int = 2) -> Iterator[tuple[str, dict]]:
    """The code of a view and of the helpers it calls: its own module's, and whatever it hands request.args."""
    seen: set = set()

    def walk(fn, level):
        fn = inspect.unwrap(fn)
        if fn in seen or not inspect.isfunction(fn):
            return
        seen.add(fn)
        try:
            source = inspect.getsource(fn)
        except (OSError, TypeError):
            return
        yield source, fn.__globals__
        if level == 0:
            return
        for name in set(_CALLS.findall(source)):
            helper = _resolve(name, fn.__globals__)
            own = inspect.isfunction(helper) and helper.__module__ == fn.__module__
            if own or (inspect.isfunction(helper) and name in _GIVEN_ARGS.findall(source)):
                yield from walk(helper, level - 1)

    yield from walk(function, depth)


def _kind_of(field_class: type) -> str:
    from flask_wtf.file import FileField as WtfFileField

    # Subclasses first: a SubmitField is a BooleanField, a DateField a DateTimeField.
    order = [
        (wtforms.FileField, "file"),
        (WtfFileField, "file"),
        (wtforms.SubmitField, "submit"),
        (wtforms.BooleanField, "bool"),
        (wtforms.DateTimeLocalField, "datetime"),
        (wtforms.DateField, "date"),
        (wtforms.DateTimeField, "datetime"),
        (wtforms.IntegerField, "int"),
        (wtforms.DecimalField, "decimal"),
        (wtforms.FloatField, "decimal"),
        (wtforms.SelectMultipleField, "multi"),
        (wtforms.RadioField, "choice"),
        (wtforms.SelectField, "choice"),
        (wtforms.HiddenField, "hidden"),
    ]
    return next((kind for cls, kind in order if issubclass(field_class, cls)), "text")


def form_classes(function: Callable) -> list[type[FlaskForm]]:
    found: list[type[FlaskForm]] = []
    for source, namespace in sources(function):
        for name in re.findall(r"\b([A-Z]\w*(?:Form|Step))\b", source):
            cls = namespace.get(name)
            if isinstance(cls, type) and issubclass(cls, FlaskForm) and cls not in found:
                found.append(cls)
    return found


def class_fields(cls: type[FlaskForm]) -> dict[str, Field]:
    fields: dict[str, Field] = {}
    for name in dir(cls):
        unbound = getattr(cls, name, None)
        if not isinstance(unbound, UnboundField) or name == "csrf_token":
            continue
        options = [
            str(getattr(c, "value", c[0] if isinstance(c, tuple) else c))
            for c in (unbound.kwargs.get("choices") or [])
            if not isinstance(c, dict)
        ]
        default = unbound.kwargs.get("default")
        fields[name] = Field(
            name,
            _kind_of(unbound.field_class),
            options,
            str(default) if isinstance(default, (str, int, float)) and not isinstance(default, bool) else None,
        )
    return fields


def code_form_keys(function: Callable) -> set[str]:
    return {key for source, _ in sources(function) for key in _FORM_KEYS.findall(source)}


def code_query_keys(function: Callable) -> set[str]:
    keys = {key for source, _ in sources(function) for match in _QUERY_KEYS.findall(source) for key in match if key}
    if any(re.search(r"\b(?:paginate|query_page)\(", source) for source, _ in sources(function)):
        keys.add("page")  # app.params.paginate reads the page number
    return keys


@dataclass
class PageForm:
    action: str
    method: str
    fields: dict[str, Field] = field(default_factory=dict)


class _FormParser(HTMLParser):
    """The forms of a page: action, method, and each control with its choices and what it holds."""

    TYPES = {
        "checkbox": "multi",
        "radio": "choice",
        "file": "file",
        "date": "date",
        "datetime-local": "datetime",
        "number": "int",
        "hidden": "hidden",
        "submit": "submit",
    }

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page, self.forms, self.current = page, [], None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def _add(self, f: Field) -> None:
        if self.current is None or not f.name or f.name == "csrf_token":
            return
        if f.name in self.current.fields:
            self.current.fields[f.name].merge(f)
        else:
            self.current.fields[f.name] = f

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self.current = PageForm(
                urlsplit(a.get("action") or self.page).path or urlsplit(self.page).path,
                (a.get("method") or "get").lower(),
            )
            self.forms.append(self.current)
        elif tag == "input" and "name" in a:
            kind = self.TYPES.get(a.get("type", "text").lower(), "text")
            value = a.get("value", "")
            if kind == "multi":
                self._add(Field(a["name"], "multi", [value or "y"], [value or "y"] if "checked" in a else None))
            elif kind == "choice":
                self._add(Field(a["name"], "choice", [value], value if "checked" in a else None))
            else:
                self._add(Field(a["name"], kind, [], value))
        elif tag == "select" and "name" in a:
            self._select = Field(a["name"], "multi" if "multiple" in a else "choice")
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select.options.append(value)
            if "selected" in a:
                self._select.default = value
        elif tag == "textarea" and "name" in a:
            self._textarea = Field(a["name"], "text", [], "")
        elif tag == "button" and "name" in a:
            self._add(Field(a["name"], "choice", [a.get("value", "")]))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.default += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            self._add(self._select)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._add(self._textarea)
            self._textarea = None
        elif tag == "form":
            self.current = None


def page_forms(page: str, html: str) -> list[PageForm]:
    parser = _FormParser(page)
    parser.feed(html)
    return parser.forms
