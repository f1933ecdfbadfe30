"""Rules of the ecosystem: drafting, consultation, adoption, entry into force,
acceptance. Plain functions that add and flush, never commit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from app import audit
from app.clock import helsinki_today
from app.concurrency import lock
from app.extensions import db, utcnow
from app.mail import queue_mail
from app.models import Organisation, OrgKind, OrgRole, OrgStatus, User
from app.services import ServiceError
from app.urls import external_url
from governance.rules.models import (
    RulesAcceptance,
    RulesComment,
    RulesStatus,
    RulesTranslation,
    RulesVersion,
    text_sha256,
)
from governance.steering import services as steering
from governance.steering.models import Decision, DecisionKind, Level, Resolution

ADOPTING_RESOLUTIONS = (
    Resolution.APPROVED.value,
    Resolution.APPROVED_AMENDED.value,
    Resolution.APPROVED_AFTER_VOTE.value,
)
LABEL_PATTERN = re.compile(r"^\d{1,3}(\.\d{1,3}){0,2}$")
DEFAULT_REACCEPTANCE_DAYS = 60
TRANSLATION_LOCALES = ("sv", "en")


def is_valid_label(label: str) -> bool:
    return bool(LABEL_PATTERN.match(label or ""))


# --- reading -----------------------------------------------------------------------


def version_by_label(label: str) -> RulesVersion | None:
    if not is_valid_label(label):
        return None
    return db.session.scalar(sa.select(RulesVersion).where(RulesVersion.label == label))


def version_in_force() -> RulesVersion | None:
    return db.session.scalar(sa.select(RulesVersion).where(RulesVersion.status == RulesStatus.IN_FORCE.value))


def upcoming_version() -> RulesVersion | None:
    """An adopted version that has not yet entered into force."""
    stmt = (
        sa.select(RulesVersion)
        .where(RulesVersion.status == RulesStatus.ADOPTED.value)
        .order_by(RulesVersion.effective_date.desc(), RulesVersion.id.desc())
        .limit(1)
    )
    return db.session.scalar(stmt)


def versions(include_drafts: bool) -> list[RulesVersion]:
    stmt = sa.select(RulesVersion).order_by(RulesVersion.id.desc())
    if not include_drafts:
        stmt = stmt.where(RulesVersion.status != RulesStatus.DRAFT.value)
    return list(db.session.scalars(stmt))


def open_consultations(today: date | None = None) -> list[RulesVersion]:
    today = today or helsinki_today()
    stmt = sa.select(RulesVersion).where(
        RulesVersion.status == RulesStatus.CONSULTATION.value, RulesVersion.consultation_closes_on >= today
    )
    return list(db.session.scalars(stmt.order_by(RulesVersion.id)))


# --- drafting ------------------------------------------------------------------------


def _check_label(label: str, exclude_id: int | None = None) -> str:
    label = (label or "").strip()
    if not is_valid_label(label):
        raise ServiceError(_("A version label is one to three numbers separated by dots, for example 1.1."))
    stmt = sa.select(RulesVersion.id).where(RulesVersion.label == label)
    if exclude_id is not None:
        stmt = stmt.where(RulesVersion.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise ServiceError(_("Version %(label)s already exists. Choose another label.", label=label))
    return label


def _set_translations(version: RulesVersion, translations: dict[str, tuple[str, str]]) -> None:
    existing = {t.locale: t for t in version.translations}
    for locale in TRANSLATION_LOCALES:
        title, body = translations.get(locale, ("", ""))
        title, body = (title or "").strip(), (body or "").strip()
        if body:
            translation = existing.get(locale) or RulesTranslation(locale=locale)
            translation.title, translation.body = title, body
            if translation not in version.translations:
                version.translations.append(translation)
        elif locale in existing:
            version.translations.remove(existing[locale])


def create_draft(
    actor: User, label: str, title: str, body: str, translations: dict[str, tuple[str, str]] | None = None
) -> RulesVersion:
    version = RulesVersion(
        label=_check_label(label), title=title.strip(), body=body, body_sha256=text_sha256(body), created_by_id=actor.id
    )
    db.session.add(version)
    _set_translations(version, translations or {})
    audit.record(actor, "rules.draft_created", version, label=version.label, sha256=version.body_sha256)
    return version


def update_draft(
    actor: User,
    version: RulesVersion,
    label: str,
    title: str,
    body: str,
    translations: dict[str, tuple[str, str]] | None = None,
) -> None:
    lock(version)
    if not version.is_draft:
        raise ServiceError(
            _("Only a draft can be edited. Version %(label)s is no longer a draft.", label=version.label)
        )
    old_sha = version.body_sha256
    wanted = {
        locale: ((t or "").strip(), (b or "").strip())
        for locale, (t, b) in (translations or {}).items()
        if locale in TRANSLATION_LOCALES and (b or "").strip()
    }
    if (version.label, version.title, version.body) == (label.strip(), title.strip(), body) and wanted == {
        t.locale: (t.title, t.body) for t in version.translations
    }:
        return  # saved again as it was: nothing changes
    version.label = _check_label(label, exclude_id=version.id)
    version.title = title.strip()
    version.body = body
    version.body_sha256 = text_sha256(body)
    _set_translations(version, translations or {})
    audit.record(
        actor, "rules.draft_updated", version, label=version.label, old_sha256=old_sha, sha256=version.body_sha256
    )


def _transition(version: RulesVersion, allowed_from: tuple[RulesStatus, ...], message: str) -> None:
    if version.status not in {s.value for s in allowed_from}:
        raise ServiceError(message)


def open_consultation(actor: User, version: RulesVersion, closes_on: date, today: date | None = None) -> None:
    lock(version)
    today = today or helsinki_today()
    _transition(version, (RulesStatus.DRAFT,), _("Only a draft can be opened for comment."))
    if closes_on < today:
        raise ServiceError(_("The closing date must be today or later."))
    version.status = RulesStatus.CONSULTATION.value
    version.consultation_opened_at = utcnow()
    version.consultation_closes_on = closes_on
    audit.record(actor, "rules.consultation_opened", version, closes_on=closes_on.isoformat())


def add_comment(user: User, version: RulesVersion, section: str, body: str, today: date | None = None) -> RulesComment:
    today = today or helsinki_today()
    if not version.consultation_open(today):
        raise ServiceError(
            _("The consultation on version %(label)s is closed. Comments can no longer be added.", label=version.label)
        )
    if user.organisation is None or user.organisation.kind not in (OrgKind.PROVIDER, OrgKind.MUNICIPALITY):
        raise ServiceError(_("Providers and municipalities comment on the rules."))
    section = (section or "").strip()
    if section and section not in version.sections():
        raise ServiceError(_("Choose one of the sections of this version."))
    comment = RulesComment(
        version=version, user=user, organisation=user.organisation, section=section, body=body.strip()
    )
    db.session.add(comment)
    audit.record(user, "rules.comment_added", comment, version=version.label, section=section)
    return comment


def respond_to_comment(actor: User, comment: RulesComment, response: str) -> None:
    lock(comment)
    if comment.response == response.strip():
        return  # the same answer again: nothing changes
    comment.response = response.strip()
    comment.responded_by_id = actor.id
    comment.responded_at = utcnow()
    audit.record(actor, "rules.comment_answered", comment, version=comment.version.label)


def comments(version: RulesVersion) -> list[RulesComment]:
    stmt = sa.select(RulesComment).where(RulesComment.version_id == version.id).order_by(RulesComment.id)
    return list(db.session.scalars(stmt))


# --- adoption and entry into force ----------------------------------------------------------


def decision_is_about(decision: Decision, version: RulesVersion) -> bool:
    """Whether a decision names this version (its label as a whole, e.g. 1.1 but not 1.10 or 11.1)
    in its title or text: only such a decision can have adopted it."""
    label = re.compile(rf"(?<![\w.]){re.escape(version.label)}(?![\w]|\.\d)")
    return bool(label.search(decision.title or "") or label.search(decision.text or ""))


def version_adopted_by(decision: Decision) -> RulesVersion | None:
    return db.session.scalar(sa.select(RulesVersion).where(RulesVersion.adoption_decision_id == decision.id))


def adoption_decisions_for(version: RulesVersion) -> list[Decision]:
    """The steering group's decisions (in effect) that may be cited as adopting this version: about
    it, and not yet cited by another version."""
    used = set(
        db.session.scalars(
            sa.select(RulesVersion.adoption_decision_id).where(
                RulesVersion.adoption_decision_id.is_not(None), RulesVersion.id != version.id
            )
        )
    )
    return [
        d
        for d in steering.decisions_for_kind((DecisionKind.RULES_ADOPTION.value,))
        if d.id not in used and decision_is_about(d, version)
    ]


def adopt(
    actor: User,
    version: RulesVersion,
    decision: Decision,
    effective_date: date,
    reacceptance_deadline: date | None = None,
) -> None:
    """Adopt by the steering group's decision (in effect). The consultation ends with it."""
    lock(version)
    _transition(
        version,
        (RulesStatus.CONSULTATION,),
        _("A version is adopted after consultation. Open version %(label)s for comment first.", label=version.label),
    )
    if (
        decision is None
        or decision.kind != DecisionKind.RULES_ADOPTION
        or decision.body.level != Level.STRATEGIC
        or decision.resolution not in ADOPTING_RESOLUTIONS
        or not decision.effective
    ):
        raise ServiceError(
            _("Choose the steering group's decision that adopted the rules; its minutes must be approved.")
        )
    if not decision_is_about(decision, version):
        raise ServiceError(
            _(
                "Decision %(ref)s is not about version %(label)s: the decision that adopted the version "
                "names it in its title or text.",
                ref=decision.reference,
                label=version.label,
            )
        )
    other = version_adopted_by(decision)
    if other is not None and other.id != version.id:
        raise ServiceError(
            _(
                "Decision %(ref)s already adopted version %(other)s; one decision adopts one version.",
                ref=decision.reference,
                other=other.label,
            )
        )
    if effective_date < decision.decided_on:
        raise ServiceError(_("The rules cannot enter into force before the decision adopting them."))
    deadline = reacceptance_deadline or effective_date + timedelta(days=DEFAULT_REACCEPTANCE_DAYS)
    if deadline < effective_date:
        raise ServiceError(_("The re-acceptance deadline cannot be before the date of entry into force."))
    version.status = RulesStatus.ADOPTED.value
    version.adoption_decision = decision
    version.adoption_decision_ref = decision.reference
    version.adoption_decision_date = decision.decided_on
    version.adopted_at = utcnow()
    version.effective_date = effective_date
    version.reacceptance_deadline = deadline
    if version.consultation_closes_on and version.consultation_closes_on > helsinki_today():
        version.consultation_closes_on = helsinki_today()
    audit.record(
        actor,
        "rules.adopted",
        version,
        decision=decision.reference,
        decision_id=decision.id,
        effective_date=effective_date.isoformat(),
        reacceptance_deadline=deadline.isoformat(),
    )


@dataclass(frozen=True)
class Activation:
    entered: RulesVersion | None
    superseded: list[RulesVersion]


def activate_due_versions(today: date | None = None) -> Activation:
    """Put the newest adopted version whose date has come into force; supersede the rest.

    Safe to run again and again (cron, page loads): when nothing is due it
    changes nothing. Conditional updates keep two concurrent runs from both
    succeeding; the partial unique index makes two versions in force impossible.
    """
    today = today or helsinki_today()
    due = list(
        db.session.scalars(
            sa.select(RulesVersion)
            .where(RulesVersion.status == RulesStatus.ADOPTED.value, RulesVersion.effective_date <= today)
            .order_by(RulesVersion.effective_date.desc(), RulesVersion.id.desc())
        )
    )
    if not due:
        return Activation(None, [])
    newest, older_due = due[0], due[1:]
    now = utcnow()
    superseded: list[RulesVersion] = []
    current = version_in_force()
    for old in ([current] if current else []) + older_due:
        changed = db.session.execute(
            sa.update(RulesVersion)
            .where(
                RulesVersion.id == old.id,
                RulesVersion.status.in_([RulesStatus.IN_FORCE.value, RulesStatus.ADOPTED.value]),
            )
            .values(status=RulesStatus.SUPERSEDED.value, superseded_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed:
            superseded.append(old)
    entered = db.session.execute(
        sa.update(RulesVersion)
        .where(RulesVersion.id == newest.id, RulesVersion.status == RulesStatus.ADOPTED.value)
        .values(status=RulesStatus.IN_FORCE.value, entered_into_force_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    for version in [*superseded, newest]:
        db.session.refresh(version)
    if not entered:
        return Activation(None, superseded)
    for old in superseded:
        audit.record(None, "rules.superseded", old, by=newest.label)
    audit.record(
        None,
        "rules.entered_into_force",
        newest,
        label=newest.label,
        reacceptance_deadline=newest.reacceptance_deadline.isoformat() if newest.reacceptance_deadline else None,
    )
    _notify_providers(newest)
    return Activation(newest, superseded)


def _notify_providers(version: RulesVersion) -> None:
    stmt = (
        sa.select(User)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(
            Organisation.kind == OrgKind.PROVIDER.value,
            Organisation.status == OrgStatus.ACTIVE.value,
            User.org_role == OrgRole.ADMIN.value,
            User.active.is_(True),
        )
    )
    link = external_url("rules.show", label=version.label)
    for user in db.session.scalars(stmt):
        queue_mail(
            user.email,
            _l("New ecosystem rules are in force: please accept them"),
            "rules_in_force",
            user.locale,
            user=user,
            version=version,
            link=link,
        )


# --- acceptance ---------------------------------------------------------------------------------


def acceptance_of(org: Organisation, version: RulesVersion) -> RulesAcceptance | None:
    return db.session.scalar(
        sa.select(RulesAcceptance).where(
            RulesAcceptance.organisation_id == org.id, RulesAcceptance.version_id == version.id
        )
    )


def accept(
    user: User,
    version: RulesVersion,
    signatory_name: str,
    signatory_title: str,
    authority_confirmed: bool,
    ip_address: str,
    shown_sha256: str,
) -> RulesAcceptance:
    org = user.organisation
    if org is None or org.kind != OrgKind.PROVIDER:
        raise ServiceError(_("Only service providers accept the rules."))
    if not version.is_acceptable:
        if version.status == RulesStatus.SUPERSEDED:
            raise ServiceError(
                _("Version %(label)s has been superseded. Accept the version in force instead.", label=version.label)
            )
        raise ServiceError(
            _("Version %(label)s has not been adopted yet, so it cannot be accepted.", label=version.label)
        )
    if not authority_confirmed:
        raise ServiceError(_("The signatory must confirm the authority to sign for the organisation."))
    if shown_sha256 != version.body_sha256:
        raise ServiceError(
            _(
                "The text you saw is not the text of version %(label)s. Reload the page and read it again.",
                label=version.label,
            )
        )
    if acceptance_of(org, version) is not None:
        raise ServiceError(_("%(org)s has already accepted version %(label)s.", org=org.name, label=version.label))
    acceptance = RulesAcceptance(
        version=version,
        organisation=org,
        user=user,
        signatory_name=signatory_name.strip(),
        signatory_title=signatory_title.strip(),
        signing_authority_confirmed=True,
        ip_address=(ip_address or "")[:45],
        text_sha256=version.body_sha256,
    )
    db.session.add(acceptance)
    audit.record(
        user,
        "rules.accepted",
        acceptance,
        version=version.label,
        organisation_id=org.id,
        signatory=acceptance.signatory_name,
        title=acceptance.signatory_title,
        sha256=acceptance.text_sha256,
        ip=acceptance.ip_address,
    )
    return acceptance


def _accepted_current_clause(org_id, current: RulesVersion | None, today: date) -> sa.ColumnElement[bool]:
    if current is None:
        return sa.true()
    acc = aliased(RulesAcceptance)  # an alias of its own, so it never correlates with an outer query
    accepted_current = sa.exists().where(acc.organisation_id == org_id, acc.version_id == current.id)
    if current.reacceptance_deadline is not None and today <= current.reacceptance_deadline:
        # Within the grace period an acceptance of any earlier version still counts.
        earlier = aliased(RulesAcceptance)
        accepted_earlier = sa.exists().where(earlier.organisation_id == org_id, earlier.version_id != current.id)
        return sa.or_(accepted_current, accepted_earlier)
    return accepted_current


def accepted_current_rules_clause(org_id_column, today: date | None = None) -> sa.ColumnElement[bool]:
    """A SQL condition on an organisation id column: true when it is in good standing
    with the rules (for filtering listings of providers in one query)."""
    return _accepted_current_clause(org_id_column, version_in_force(), today or helsinki_today())


def organisation_has_accepted_current_rules(org: Organisation, today: date | None = None) -> bool:
    """True when the organisation has accepted the version in force, or is still within
    its re-acceptance period having accepted an earlier one, or no version is in force."""
    clause = _accepted_current_clause(org.id, version_in_force(), today or helsinki_today())
    return bool(db.session.scalar(sa.select(clause)))


@dataclass(frozen=True)
class AcceptanceRow:
    organisation: Organisation
    acceptance: RulesAcceptance | None
    in_good_standing: bool


def acceptance_report(version: RulesVersion, today: date | None = None) -> list[AcceptanceRow]:
    """Every active provider, with its acceptance of `version` (or none) and its standing."""
    today = today or helsinki_today()
    standing = _accepted_current_clause(Organisation.id, version_in_force(), today).label("standing")
    stmt = (
        sa.select(Organisation, RulesAcceptance, standing)
        .outerjoin(
            RulesAcceptance,
            sa.and_(RulesAcceptance.organisation_id == Organisation.id, RulesAcceptance.version_id == version.id),
        )
        .where(Organisation.kind == OrgKind.PROVIDER.value, Organisation.status == OrgStatus.ACTIVE.value)
        .order_by(Organisation.name)
    )
    return [AcceptanceRow(org, acc, bool(ok)) for org, acc, ok in db.session.execute(stmt)]


def pending_acceptance_for(org: Organisation | None) -> RulesVersion | None:
    """The version this provider should accept now (in force or upcoming), if it has not."""
    if org is None or org.kind != OrgKind.PROVIDER or org.status != OrgStatus.ACTIVE:
        return None
    for version in (upcoming_version(), version_in_force()):
        if version is not None and acceptance_of(org, version) is None:
            return version
    return None


def is_past_deadline(version: RulesVersion, today: date | None = None) -> bool:
    return bool(version.reacceptance_deadline and (today or helsinki_today()) > version.reacceptance_deadline)
