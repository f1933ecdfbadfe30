"""Every stored value a person can see has a label in every language.

Labels are keyed by their enum's members, so a new member without a label (or a label left for a
member that is gone) fails here, not on a page that shows the raw code `pending_approval`."""

from __future__ import annotations

import enum

import pytest
from babel.messages.pofile import read_po

from app import labels as core
from app.models import OrgKind, OrgRole, OrgStatus
from governance.rules.models import RulesStatus
from governance.rules.views import STATUS_LABELS as RULES_STATUS_LABELS
from governance.steering import forms as steering
from governance.steering.models import DecisionKind, Level, MeetingStatus, Resolution, Role, TaskStatus
from marketplace.catalogue import vocab
from marketplace.onboarding import services as onboarding
from marketplace.onboarding.models import ApplicationStatus, PreAssessment
from marketplace.procurement import labels as procurement
from marketplace.procurement.models import OrderStatus, PaymentMethod, PaymentStatus, RequestStatus
from tests.support import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "app" / "translations"

#: Each enum whose values are shown, and the labels that name its members.
LABELLED: list[tuple[type[enum.StrEnum], dict]] = [
    (OrgRole, core.ROLE_LABELS),
    (OrgKind, core.KIND_LABELS),
    (OrgStatus, core.STATUS_LABELS),
    (RulesStatus, RULES_STATUS_LABELS),
    (DecisionKind, steering.KIND_LABELS),
    (Resolution, steering.RESOLUTION_LABELS),
    (Role, steering.ROLE_LABELS),
    (Level, steering.LEVEL_LABELS),
    (MeetingStatus, steering.MEETING_STATUS_LABELS),
    (TaskStatus, steering.TASK_STATUS_LABELS),
    (ApplicationStatus, onboarding.APPLICATION_STATUS_LABELS),
    (PreAssessment, onboarding.PRE_ASSESSMENT_LABELS),
    (RequestStatus, procurement.REQUEST_STATUS_LABELS),
    (OrderStatus, procurement.ORDER_STATUS_LABELS),
    (PaymentStatus, procurement.PAYMENT_STATUS_LABELS),
    (PaymentMethod, procurement.PAYMENT_METHOD_LABELS),
    (vocab.ListingStatus, vocab.STATUS_LABELS),
    (vocab.PriceModel, vocab.PRICE_MODELS),
]


def _catalogue(language: str):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po)


@pytest.mark.parametrize(("members", "labels"), LABELLED, ids=[e.__name__ for e, _ in LABELLED])
def test_every_member_has_a_label_keyed_by_the_member(members, labels):
    assert all(isinstance(key, members) for key in labels), f"{members.__name__}: keys must be its members"
    missing = {m.value for m in members} - {k.value for k in labels}
    assert not missing, f"{members.__name__} members without a label: {sorted(missing)}"


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_every_label_is_translated(language):
    catalogue = _catalogue(language)
    untranslated = []
    for members, labels in LABELLED:
        for member, label in labels.items():
            message = catalogue.get(label._args[0])
            if message is None or not message.string:
                untranslated.append(f"{members.__name__}.{member.name}: {label._args[0]!r}")
    assert not untranslated, f"labels without a {language} translation:\n" + "\n".join(untranslated)


def test_the_labels_are_what_a_page_shows(app):
    """A stored plain string finds its label (a StrEnum member is equal to its value)."""
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("fi"):
        assert str(procurement.REQUEST_STATUS_LABELS["pending_approval"]) == "Odottaa hyväksyntää"
        assert str(steering.ROLE_LABELS["deputy"]) == "Henkilökohtainen varajäsen"
