"""One way for a view to end its transaction: app.actions (attempt, act, save, undo).

A view that commits by hand forgets a branch sooner or later (the refusal, the lost race), and
the person sees a 500 or a success that did not happen. The source check makes that class of
mistake impossible; the other tests show what a person sees on each branch."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import get_flashed_messages
from sqlalchemy.orm.exc import StaleDataError
from wtforms import Form, StringField

from app.actions import LOST_RACE, attempt, save
from app.extensions import db
from app.models import Organisation
from app.services import ServiceError
from tests import factories
from tests.support import PROJECT_ROOT

ROOT = PROJECT_ROOT


def _view_modules() -> list[Path]:
    """Every module that defines routes: a blueprint's views (views.py, *_views.py, views/)."""
    found = []
    for package in ("app", "governance", "marketplace"):
        for path in (ROOT / package).rglob("*.py"):
            if path.name == "views.py" or path.name.endswith("_views.py") or path.parent.name == "views":
                found.append(path)
    return sorted(found)


def _session_calls(path: Path) -> list[str]:
    """`db.session.commit()` / `.rollback()` (or of any session) written in the module, by line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{path.name}:{node.lineno} {ast.unparse(node)}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"commit", "rollback"}
        and ast.unparse(node.func.value).endswith("session")
    ]


def test_no_view_ends_its_transaction_by_hand():
    modules = _view_modules()
    assert len(modules) >= 15, [str(m) for m in modules]  # the walk finds the views at all
    by_hand = [call for path in modules for call in _session_calls(path)]
    assert not by_hand, "use app.actions (attempt, act, save, undo) instead:\n" + "\n".join(by_hand)


def test_services_never_end_a_transaction():
    """Services add and flush; the view (through app.actions) decides when the change is whole."""
    modules = sorted(
        path
        for package in ("app", "governance", "marketplace")
        for path in (ROOT / package).rglob("*.py")
        if path.name == "services.py" or path.parent.name == "services"
    )
    assert len(modules) >= 8, [str(m) for m in modules]
    ended = [call for path in modules for call in _session_calls(path)]
    assert not ended, "services add and flush, never commit or roll back:\n" + "\n".join(ended)


def test_the_source_check_sees_a_commit_by_hand(tmp_path):
    sample = tmp_path / "views.py"
    sample.write_text("def v():\n    save()\n    db.session.commit()\n    db.session.rollback()\n", encoding="utf-8")
    assert _session_calls(sample) == ["views.py:3 db.session.commit()", "views.py:4 db.session.rollback()"]


class NameForm(Form):
    name = StringField()


def _count(name: str) -> int:
    return db.session.scalar(sa.select(sa.func.count(Organisation.id)).where(Organisation.name == name))


def _added(name: str) -> Organisation:
    org = factories.MunicipalityFactory.build(name=name)
    db.session.add(org)
    db.session.flush()
    return org


def test_done_is_committed_and_said(app):
    with app.test_request_context("/", method="POST"):
        outcome = attempt(lambda: _added("Uusikunta"), lambda org: f"{org.name} tallennettiin.")
        assert outcome and outcome.value.name == "Uusikunta"
        assert get_flashed_messages(with_categories=True) == [("success", "Uusikunta tallennettiin.")]
    db.session.rollback()  # nothing left to roll back: it was committed
    assert _count("Uusikunta") == 1


def test_a_refusal_rolls_back_and_goes_to_the_field(app):
    def refused():
        _added("Hylättykunta")
        raise ServiceError("Kunnan nimi on jo käytössä.")

    with app.test_request_context("/", method="POST"):
        form = NameForm()
        outcome = attempt(refused, "Tallennettu.", field=form.name)
        assert not outcome and outcome.error == "Kunnan nimi on jo käytössä." and not outcome.lost_race
        assert form.name.errors == ["Kunnan nimi on jo käytössä."]
        assert get_flashed_messages() == []  # shown beside the field, not twice
        assert _count("Hylättykunta") == 0


def test_a_refusal_without_a_field_is_flashed(app):
    with app.test_request_context("/", method="POST"):
        outcome = attempt(lambda: (_ for _ in ()).throw(ServiceError("Ei sallittu.")), "Tallennettu.")
        assert not outcome
        assert get_flashed_messages(with_categories=True) == [("error", "Ei sallittu.")]


def test_stale_data_is_a_lost_race_in_the_views_own_words(app):
    def stale():
        raise StaleDataError("UPDATE statement on table 'agenda_items' expected to update 1 row(s); 0 were matched.")

    with app.test_request_context("/", method="POST"):
        plain = attempt(stale, "Tallennettu.")
        assert plain.lost_race and get_flashed_messages() == [str(LOST_RACE)]
    with app.test_request_context("/", method="POST"):
        own = attempt(stale, "Tallennettu.", stale="Joku muu tallensi kohdan samaan aikaan.")
        assert own.lost_race and get_flashed_messages() == ["Joku muu tallensi kohdan samaan aikaan."]


def test_a_second_copy_meeting_a_unique_constraint_at_commit_is_a_lost_race(app):
    existing = factories.MunicipalityFactory(municipality_code="049")
    code = existing.municipality_code

    def second_copy():
        db.session.add(factories.MunicipalityFactory.build(municipality_code=code))

    with app.test_request_context("/", method="POST"):
        outcome = attempt(second_copy, "Tallennettu.")
        assert outcome.lost_race and not outcome
        assert get_flashed_messages() == [str(LOST_RACE)]
    assert (
        db.session.scalar(sa.select(sa.func.count(Organisation.id)).where(Organisation.municipality_code == code)) == 1
    )


def test_a_broken_rule_of_the_schema_is_not_passed_off_as_a_race(app):
    """A NOT NULL violation is a bug: it goes on to the error handler, not to the person as 'try again'."""

    def broken():
        db.session.execute(sa.insert(Organisation).values(name=None, kind="municipality"))

    with app.test_request_context("/", method="POST"), pytest.raises(sa.exc.IntegrityError):
        attempt(broken, "Tallennettu.")
    db.session.rollback()


def test_save_commits_what_the_view_changed_and_says_so(app, people):
    with app.test_request_context("/", method="POST"):
        people["buyer"].name = "Uusi Nimi"
        save("Tallennettu.")
        assert get_flashed_messages() == ["Tallennettu."]
    db.session.expire_all()
    assert people["buyer"].name == "Uusi Nimi"
