"""Which routes are fuzzed together, by whom and in which order, and what a group needs beyond the
access matrix's objects for its forms to show."""

from __future__ import annotations

import re
from collections.abc import Callable

from app.extensions import db
from tests import factories
from tests.matrix import MATRIX, OK, REDIRECT

#: Routes by blueprint. Each group builds the objects once; groups keep one area's state changes (a
#: buyer made approver, a meeting closed) away from the others. `test_every_blueprint_is_fuzzed` keeps
#: this complete.
GROUPS: dict[str, set[str]] = {
    "core": {"main", "auth", "account", "orgs", "admin"},
    "rules": {"rules"},
    "onboarding": {"join", "review"},
    "catalogue": {"listings", "listing_review", "catalogue", "providers"},
    "steering": {"steering"},
    "reports": {"register", "api", "dashboards"},
    "procurement": {"procurement", "stripe"},
}
IGNORED = {"static"}

#: Routes that take more URLs than the matrix's one: each wizard step, an existing plan, a body's feed.
VARIANTS: dict[str, Callable[[dict], list[str]]] = {
    "join.step": lambda o: [f"/join/step/{step.slug}" for step in _steps()],
    "listings.plan": lambda o: [
        f"/listings/{o['listing'].id}/plans/new",
        f"/listings/{o['listing'].id}/plans/{o['listing'].plans[0].id}",
    ],
    "register.feed": lambda o: ["/register/feed.atom", f"/register/feed/{o['body'].code}.atom"],
}
#: Who fuzzes, in order of preference, among those the matrix lets in.
PREFERENCE = [
    "coordinator",
    "secretary",
    "provider_admin",
    "buyer",
    "approver",
    "municipality_admin",
    "body_member",
    "provider_user",
    "no_org",
    None,
]
#: Posted last in their group: they take away what the others need.
LATE = re.compile(r"withdraw|remove|delete|end_membership|cancel|logout|revoke|close_vote|submit")
#: Pages the sweep follows links to, per user, beyond the group's own and those the fuzz landed on.
CRAWL = 40
#: Routes that keep what was typed even when it does not validate (the wizard saves each step as a draft).
SAVES_DRAFTS = {"join.step"}


def _steps():
    from marketplace.onboarding.steps import STEPS

    return STEPS


def group_of(endpoint: str) -> str | None:
    blueprint = endpoint.split(".", 1)[0]
    return next((name for name, blueprints in GROUPS.items() if blueprint in blueprints), None)


def role_for(endpoint: str) -> str | None:
    """The first user in PREFERENCE the matrix lets use the route (allowed, else sent on)."""
    rule = MATRIX[endpoint]
    for wanted in (OK, REDIRECT):
        for role in PREFERENCE:
            if rule.expected(role or "anonymous") == wanted:
                if wanted == REDIRECT and endpoint.startswith("join."):
                    return "applicant"  # the matrix's providers are active; the wizard needs an applicant
                return role
    return "coordinator"


def meeting_in_session(objects: dict) -> None:
    """The vote, conflict and decision forms show only while a meeting is in session with people present."""
    from governance.steering import services

    meeting = objects["meeting"]
    services.start_session(objects["coordinator"], meeting)
    db.session.flush()
    everyone = {m.id for m in services.active_memberships(meeting)}
    services.record_attendance(objects["coordinator"], meeting, everyone, {})
    db.session.commit()


def adoption_decision(objects: dict) -> None:
    """The adoption form offers the steering group's decisions on adopting rules: one such."""
    factories.DecisionFactory(item__decision_kind="rules_adoption")
    db.session.commit()


#: What a group needs beyond the matrix's objects for its forms to show.
PREPARE: dict[str, Callable[[dict], None]] = {"steering": meeting_in_session, "rules": adoption_decision}
