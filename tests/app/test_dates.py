"""Dates in forms: typed the Finnish way or in ISO form, always shown back the Finnish way.

Every date field of every form of the app is the one date field (`app.forms.FinnishDateField`), and
after a failed submit each shows what was typed as 1.8.2026 on the page, never as 2026-08-01.
"""

from __future__ import annotations

import importlib
import inspect
import re

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import DateField

from app.forms import FinnishDateField

MODULES = [
    "app.forms",
    "governance.rules.forms",
    "governance.steering.forms",
    "marketplace.onboarding.forms",
    "marketplace.catalogue.forms",
    "marketplace.procurement.forms",
]


def _date_fields() -> list[tuple[type, str]]:
    found = []
    for name in MODULES:
        for _, cls in inspect.getmembers(importlib.import_module(name), inspect.isclass):
            if issubclass(cls, FlaskForm) and cls.__module__ == name:
                for attr, value in vars(cls).items():
                    field_class = getattr(value, "field_class", None)
                    if isinstance(field_class, type) and issubclass(field_class, DateField):
                        found.append((cls, attr))
    return found


DATE_FIELDS = _date_fields()


def test_the_forms_have_date_fields_to_check():
    assert len(DATE_FIELDS) >= 10


@pytest.mark.parametrize(("form_class", "name"), DATE_FIELDS, ids=[f"{c.__name__}.{n}" for c, n in DATE_FIELDS])
@pytest.mark.parametrize("typed", ["2026-08-01", "1.8.2026", "01.08.2026"])
def test_a_date_is_shown_back_the_finnish_way_after_a_failed_submit(app, form_class, name, typed):
    with app.test_request_context(method="POST", headers={"Accept-Language": "fi"}):
        form = form_class(formdata=MultiDict({name: typed}), meta={"csrf": False})
        field = getattr(form, name)
        assert isinstance(field, FinnishDateField), f"{form_class.__name__}.{name} is not the app's date field"
        for other in form:  # choices the views set from the database
            if getattr(other, "choices", False) is None:
                other.choices = []
        form.validate()  # other fields are missing: the form is refused, as after a failed submit
        assert not field.errors, field.errors
        html = field()
        assert re.search(r'value="1\.8\.2026"', html), html
        assert 'type="text"' in html


def test_a_date_that_is_not_one_gets_the_finnish_hint_and_is_kept_as_typed(app):
    from governance.steering.forms import TaskForm

    with app.test_request_context(method="POST", headers={"Accept-Language": "fi"}):
        form = TaskForm(formdata=MultiDict({"due_on": "31.2.2026"}), meta={"csrf": False})
        form.owner_body.choices = form.owner_user.choices = []
        form.validate()
        assert form.due_on.errors == ["Anna päivämäärä muodossa päivä.kuukausi.vuosi, esimerkiksi 1.8.2026."]
        assert 'value="31.2.2026"' in form.due_on()
