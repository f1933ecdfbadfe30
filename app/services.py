"""Account and organisation operations. They add and flush, never commit."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.security import check_password_hash, generate_password_hash

from app import audit, sessions
from app.concurrency import lock
from app.extensions import db, utcnow
from app.mail import queue_mail
from app.models import (
    Invitation,
    JoinRequest,
    JoinRequestStatus,
    Organisation,
    OrgKind,
    OrgRole,
    OrgStatus,
    User,
)
from app.sessions import UserSession
from app.tokens import TokenError, make_token, read_token
from app.urls import external_url
from app.validators import normalise_business_id

#: A few of the passwords people choose most often; long ones too.
COMMON_PASSWORDS = frozenset(
    {
        "password1234",
        "salasana1234",
        "lösenord1234",
        "qwertyuiop12",
        "123456789012",
        "1234567890ab",
        "iloveyou1234",
        "passwordpassword",
        "salasanasalasana",
        "qwertyqwerty",
        "abcdefghijkl",
        "aaaaaaaaaaaa",
        "letmeinletmein",
        "welcome12345",
        "tervetuloa123",
        "kesä2026kesä",
    }
)


class ServiceError(Exception):
    """A rule of the domain refused the operation; the message is for the user."""


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def password_problems(password: str, email: str = "", name: str = "") -> list[str]:
    """What is wrong with a new password, as messages for the user."""
    problems: list[str] = []
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        problems.append(_("Use at least %(n)d characters.", n=minimum))
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 5:
        problems.append(_("This password is too easy to guess. Try a few unrelated words."))
    local = normalise_email(email).split("@")[0]
    if len(local) >= 4 and local in lowered:
        problems.append(_("Do not use your e-mail address in the password."))
    return problems


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_password(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


_DUMMY_HASHES: dict[str, str] = {}


def spend_password_work(password: str) -> None:
    """Check `password` against a hash of nothing: as slow as checking a real account's password,
    so that the time taken does not tell whether an address has an account."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash("no account has this password", method=method)
    check_password_hash(_DUMMY_HASHES[method], password)


def authenticate(email: str, password: str) -> User | None:
    """The active account with this address and password, or None (in about the same time either way).
    The account may still need its address confirmed (`User.email_confirmed`)."""
    user = find_user_by_email(email)
    if user is None:
        spend_password_work(password)
        return None
    if not check_password(user, password) or not user.active:
        return None
    return user


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def register_user(email: str, name: str, password: str, locale: str, confirmed: bool = False) -> User:
    """A new account. `confirmed` only where the address is proven (an invitation link, the operator's
    command line); public sign-up goes through app.signup, which mails a confirmation link."""
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise ServiceError(_("An account with this e-mail address already exists. Sign in or reset your password."))
    user = User(
        email=email,
        name=name.strip(),
        password_hash=hash_password(password),
        locale=locale,
        email_confirmed_at=utcnow() if confirmed else None,
    )
    db.session.add(user)
    audit.record(None, "user.registered", user, email=email, confirmed=confirmed)
    return user


def confirm_email(user: User, how: str) -> bool:
    """The person proved the address is theirs (`how`: "signup_link", "reset_link"). False when it
    was already confirmed (by the same link used at the same moment, too: the update is conditional)."""
    now = utcnow()
    done = db.session.execute(
        sa.update(User)
        .where(User.id == user.id, User.email_confirmed_at.is_(None))
        .values(email_confirmed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        return False
    set_committed_value(user, "email_confirmed_at", now)  # what the UPDATE wrote, without writing it again
    audit.record(user, "user.email_confirmed", user, how=how)
    return True


def record_login(user: User) -> None:
    user.last_login_at = utcnow()
    audit.record(
        user, "user.logged_in", user, session=user.login_session.id if user.login_session is not None else None
    )


def update_profile(user: User, name: str, locale: str) -> None:
    lock(user)
    changes = {}
    if user.name != name.strip():
        changes["name"] = [user.name, name.strip()]
        user.name = name.strip()
    if user.locale != locale:
        changes["locale"] = [user.locale, locale]
        user.locale = locale
    if changes:
        audit.record(user, "user.profile_updated", user, **changes)


def set_locale(user: User, locale: str) -> None:
    lock(user)
    if user.locale != locale:
        audit.record(user, "user.locale_changed", user, old=user.locale, new=locale)
        user.locale = locale


def change_password(
    user: User,
    new_password: str,
    actor: User | None = None,
    keep: UserSession | None = None,
    reason: str = "password_changed",
    expected_hash: str | None = None,
) -> None:
    """Set a new password and end every sign-in session of the person but `keep` (the device
    that changed it; None, after a reset link: all of them). `expected_hash` is the password the
    change was allowed on (the one just checked, or the one a reset link was made for): if it
    changed meanwhile, nothing is changed."""
    lock(user)
    if expected_hash is not None and user.password_hash != expected_hash:
        raise ServiceError(
            _(
                "The password was changed at the same moment in another window. Sign in with the "
                "new password, or ask for a new link."
            )
        )
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    audit.record(actor or user, "user.password_changed", user)
    sessions.revoke_all(actor or user, user, reason, keep=keep)


# --- password reset -------------------------------------------------------------


def _password_fingerprint(user: User) -> str:
    # The tail of the hash changes with every new password: a used link dies.
    return user.password_hash[-12:]


def make_reset_token(user: User, now: datetime | None = None) -> str:
    return make_token("reset", {"u": user.id, "f": _password_fingerprint(user)}, now=now)


def reset_password(user: User, new_password: str, expected_hash: str | None = None) -> None:
    """A new password through the mailed reset link: every session ends, and the link proves the
    address (an account whose sign-up link was lost is confirmed by it)."""
    change_password(user, new_password, reason="password_reset", expected_hash=expected_hash)
    confirm_email(user, "reset_link")


def user_for_reset_token(token: str, now: datetime | None = None) -> User:
    """The user a reset link belongs to. Raises TokenError or TokenExpired."""
    data = read_token("reset", token, current_app.config["PASSWORD_RESET_MAX_AGE"], now=now)
    user = db.session.get(User, data.get("u"))
    if user is None or not user.active or data.get("f") != _password_fingerprint(user):
        raise TokenError("used or unknown")
    return user


def request_password_reset(email: str) -> None:
    """Mail a reset link if the account exists; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    link = external_url("auth.reset_password", token=make_reset_token(user))
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    queue_mail(
        user.email,
        _l("Reset your DigiOne Hub password"),
        "password_reset",
        user.locale,
        user=user,
        link=link,
        minutes=minutes,
    )
    audit.record(None, "user.password_reset_requested", user)


# --- organisations ----------------------------------------------------------------


def create_organisation(
    actor: User | None,
    kind: OrgKind,
    name: str,
    business_id: str | None = None,
    municipality_code: str | None = None,
    status: OrgStatus = OrgStatus.ACTIVE,
    pupil_count: int | None = None,
) -> Organisation:
    _check_pupil_count(kind, pupil_count)
    business_id = normalise_business_id(business_id) if business_id else None
    if business_id and db.session.scalar(sa.select(Organisation.id).where(Organisation.business_id == business_id)):
        raise ServiceError(_("An organisation with this business ID is already registered."))
    if municipality_code and db.session.scalar(
        sa.select(Organisation.id).where(Organisation.municipality_code == municipality_code)
    ):
        raise ServiceError(_("A municipality with this code already exists."))
    org = Organisation(
        kind=kind.value,
        name=name.strip(),
        business_id=business_id,
        municipality_code=municipality_code or None,
        status=status.value,
        pupil_count=pupil_count,
    )
    db.session.add(org)
    audit.record(
        actor,
        "organisation.created",
        org,
        kind=kind.value,
        name=org.name,
        business_id=business_id,
        municipality_code=municipality_code,
        pupil_count=pupil_count,
    )
    return org


#: The most pupils a municipality can have (Finland has about 900 000 in all).
MAX_PUPILS = 2_000_000


def _check_pupil_count(kind: OrgKind | str, pupil_count: int | None) -> None:
    if pupil_count is None:
        return
    if kind != OrgKind.MUNICIPALITY:
        raise ServiceError(_("Only a municipality has pupils."))
    if not 0 <= pupil_count <= MAX_PUPILS:
        raise ServiceError(_("The number of pupils must be between 0 and 2 000 000."))


def set_pupil_count(actor: User, org: Organisation, pupil_count: int | None) -> None:
    """Record a municipality's pupils in basic and upper secondary education (None: unknown)."""
    _check_pupil_count(org.kind, pupil_count)
    lock(org)
    old = org.pupil_count
    if old == pupil_count:
        return
    org.pupil_count = pupil_count
    audit.record(actor, "organisation.pupil_count_changed", org, old=old, new=pupil_count)


def start_provider(user: User, name: str, business_id: str) -> Organisation:
    """A registered person starts a new provider organisation and becomes its admin."""
    lock(user)
    if user.organisation_id is not None:
        raise ServiceError(_("You already belong to an organisation."))
    org = create_organisation(user, OrgKind.PROVIDER, name, business_id, status=OrgStatus.APPLICANT)
    _set_membership(user, org, OrgRole.ADMIN, actor=user)
    return org


def _set_membership(user: User, org: Organisation, role: OrgRole, actor: User | None) -> None:
    if role not in org.roles:
        raise ServiceError(_("This role is not available in this organisation."))
    user.organisation = org
    user.org_role = role.value
    audit.record(actor, "user.joined_organisation", user, organisation_id=org.id, role=role.value)


def set_role(actor: User, user: User, role: OrgRole) -> None:
    lock(user.organisation, user)
    org = user.organisation
    if org is None or role not in org.roles:
        raise ServiceError(_("This role is not available in this organisation."))
    if user.org_role == OrgRole.ADMIN and role != OrgRole.ADMIN and _admin_count(org) <= 1:
        raise ServiceError(_("An organisation needs at least one admin. Make someone else admin first."))
    old = user.org_role
    if old == role.value:
        return  # already in this role: nothing changes
    user.org_role = role.value
    audit.record(actor, "user.role_changed", user, organisation_id=org.id, old=old, new=role.value)


def remove_from_organisation(actor: User, user: User) -> None:
    """Take a person out of their organisation (they keep their account and the record of what they did)."""
    lock(user.organisation, user)
    org = user.organisation
    if org is None:
        raise ServiceError(_("This person does not belong to an organisation."))
    if user.org_role == OrgRole.ADMIN and _admin_count(org) <= 1:
        raise ServiceError(_("An organisation needs at least one admin. Make someone else admin first."))
    audit.record(actor, "user.removed_from_organisation", user, organisation_id=org.id, role=user.org_role)
    user.organisation = None
    user.org_role = None


def _admin_count(org: Organisation) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count(User.id)).where(
                User.organisation_id == org.id, User.org_role == OrgRole.ADMIN.value
            )
        )
        or 0
    )


def members(org: Organisation) -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.organisation_id == org.id).order_by(User.name)))


def municipalities() -> list[Organisation]:
    stmt = sa.select(Organisation).where(
        Organisation.kind == OrgKind.MUNICIPALITY.value, Organisation.status == OrgStatus.ACTIVE.value
    )
    return list(db.session.scalars(stmt.order_by(Organisation.name)))


# --- joining a municipality --------------------------------------------------------


def request_to_join(user: User, org: Organisation, message: str) -> JoinRequest:
    lock(user)
    if user.organisation_id is not None:
        raise ServiceError(_("You already belong to an organisation."))
    if org.kind != OrgKind.MUNICIPALITY:
        raise ServiceError(_("You can ask to join municipalities only."))
    existing = db.session.scalar(
        sa.select(JoinRequest).where(
            JoinRequest.user_id == user.id, JoinRequest.status == JoinRequestStatus.PENDING.value
        )
    )
    if existing is not None:
        raise ServiceError(_("You already have a pending request. Wait for the answer or ask the organisation."))
    request = JoinRequest(user=user, organisation=org, message=message.strip())
    db.session.add(request)
    audit.record(user, "join_request.created", request, organisation_id=org.id)
    for admin in _admins(org):
        queue_mail(
            admin.email,
            _l("A person asks to join your organisation"),
            "join_request",
            admin.locale,
            request=request,
            link=external_url("orgs.organisation"),
        )
    return request


def _admins(org: Organisation) -> list[User]:
    stmt = sa.select(User).where(
        User.organisation_id == org.id, User.org_role == OrgRole.ADMIN.value, User.active.is_(True)
    )
    return list(db.session.scalars(stmt))


def pending_join_requests(org: Organisation | None = None) -> list[JoinRequest]:
    stmt = sa.select(JoinRequest).where(JoinRequest.status == JoinRequestStatus.PENDING.value)
    if org is not None:
        stmt = stmt.where(JoinRequest.organisation_id == org.id)
    return list(db.session.scalars(stmt.order_by(JoinRequest.created_at)))


def pending_join_requests_of(user: User) -> list[JoinRequest]:
    stmt = sa.select(JoinRequest).where(
        JoinRequest.user_id == user.id, JoinRequest.status == JoinRequestStatus.PENDING.value
    )
    return list(db.session.scalars(stmt))


def decide_join_request(actor: User, request: JoinRequest, accept: bool, role: OrgRole, note: str) -> None:
    lock(request, request.user)
    if request.status != JoinRequestStatus.PENDING:
        raise ServiceError(_("This request has already been decided."))
    request.decided_at = utcnow()
    request.decided_by_id = actor.id
    request.decision_note = note.strip()
    if accept:
        if request.user.organisation_id is not None:
            raise ServiceError(_("This person already belongs to an organisation."))
        request.status = JoinRequestStatus.ACCEPTED.value
        _set_membership(request.user, request.organisation, role, actor=actor)
    else:
        request.status = JoinRequestStatus.DECLINED.value
    audit.record(actor, "join_request.decided", request, status=request.status, role=role.value if accept else None)
    queue_mail(
        request.user.email,
        _l("Your request to join an organisation was answered"),
        "join_decision",
        request.user.locale,
        request=request,
    )


# --- invitations -----------------------------------------------------------------------


def invite(actor: User, org: Organisation, email: str, role: OrgRole) -> Invitation:
    email = normalise_email(email)
    if role not in org.roles:
        raise ServiceError(_("This role is not available in this organisation."))
    lock(org)
    existing_user = find_user_by_email(email)
    if existing_user is not None and existing_user.organisation_id is not None:
        raise ServiceError(_("This person already belongs to an organisation."))
    if any(i.email == email for i in open_invitations(org)):
        raise ServiceError(
            _("An invitation to %(email)s is already waiting. Withdraw it first to send a new one.", email=email)
        )
    invitation = Invitation(organisation=org, email=email, org_role=role.value, invited_by=actor)
    db.session.add(invitation)
    audit.record(actor, "invitation.created", invitation, organisation_id=org.id, email=email, role=role.value)
    token = make_token("invite", {"i": invitation.id})
    days = current_app.config["INVITATION_MAX_AGE"] // 86400
    queue_mail(
        email,
        _l("You are invited to DigiOne Hub"),
        "invitation",
        existing_user.locale if existing_user else "fi",
        invitation=invitation,
        link=external_url("auth.invitation", token=token),
        days=days,
    )
    return invitation


def invitation_for_token(token: str, now: datetime | None = None) -> Invitation:
    data = read_token("invite", token, current_app.config["INVITATION_MAX_AGE"], now=now)
    invitation = db.session.get(Invitation, data.get("i"))
    if invitation is None or not invitation.is_open:
        raise TokenError("used or revoked")
    return invitation


def accept_invitation(invitation: Invitation, user: User) -> None:
    lock(invitation, user)
    if not invitation.is_open:
        raise ServiceError(_("This invitation has already been used or withdrawn."))
    if user.email != invitation.email:
        raise ServiceError(_("This invitation was sent to another e-mail address."))
    if user.organisation_id is not None:
        raise ServiceError(_("You already belong to an organisation."))
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    audit.record(user, "invitation.accepted", invitation)
    _set_membership(user, invitation.organisation, OrgRole(invitation.org_role), actor=user)


def revoke_invitation(actor: User, invitation: Invitation) -> None:
    lock(invitation)
    if not invitation.is_open:
        raise ServiceError(_("This invitation has already been used or withdrawn."))
    invitation.revoked_at = utcnow()
    audit.record(actor, "invitation.revoked", invitation)


def open_invitations(org: Organisation) -> list[Invitation]:
    stmt = sa.select(Invitation).where(
        Invitation.organisation_id == org.id, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None)
    )
    return list(db.session.scalars(stmt.order_by(Invitation.created_at.desc())))
