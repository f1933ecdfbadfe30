"""Listings: the provider's working copy, review, publishing and withdrawal.
Plain functions that add and flush, never commit."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import audit
from app.concurrency import lock
from app.extensions import db, utcnow
from app.files import FileRejected, StoredFile, store
from app.mail import queue_mail
from app.models import Organisation, OrgKind, OrgRole, OrgStatus, User
from app.services import ServiceError
from app.urls import external_url
from governance.rules import services as rules
from marketplace.catalogue import facet_index, images
from marketplace.catalogue.models import (
    CONTENT_FIELDS,
    CatalogueEntry,
    CatalogueTag,
    PricingPlan,
    Service,
    ServiceReviewEvent,
    ServiceRevision,
    ServiceScreenshot,
)
from marketplace.catalogue.vocab import CATEGORIES, LEVELS, SUBJECTS, ListingStatus, PriceModel
from marketplace.onboarding import services as onboarding

S = ListingStatus
MAX_PLANS = 10
MAX_SCREENSHOTS = 6
SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


# --- small helpers --------------------------------------------------------------------------


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:60].strip("-") or "palvelu"


def _unique_slug(name: str) -> str:
    base = slugify(name)
    taken = set(
        db.session.scalars(sa.select(Service.slug).where(sa.or_(Service.slug == base, Service.slug.like(f"{base}-%"))))
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def order_key(service_id: int) -> int:
    """A stable pseudo-random number per listing (56 bits, fits a signed BIGINT)."""
    digest = hashlib.sha256(f"digione-listing:{service_id}".encode()).digest()
    return int.from_bytes(digest[:7], "big")


def gross_cents(net_cents: int, vat_rate_bp: int) -> int:
    """The price including VAT, rounded half up to a cent."""
    value = Decimal(net_cents) * (Decimal(10000) + Decimal(vat_rate_bp)) / Decimal(10000)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def provider_can_list(org: Organisation | None) -> bool:
    return bool(
        org is not None
        and org.kind == OrgKind.PROVIDER
        and org.status == OrgStatus.ACTIVE
        and rules.organisation_has_accepted_current_rules(org)
    )


def _require_standing(org: Organisation) -> None:
    if org.status != OrgStatus.ACTIVE:
        raise ServiceError(_("Only active providers can publish listings."))
    if not rules.organisation_has_accepted_current_rules(org):
        raise ServiceError(
            _(
                "Your organisation must accept the ecosystem rules in force before its listings "
                "can be submitted or published."
            )
        )


def _event(actor: User, service: Service, action: str, comment: str = "", revision: int | None = None) -> None:
    db.session.add(
        ServiceReviewEvent(service=service, actor_id=actor.id, action=action, comment=comment, revision_number=revision)
    )


def _changed(service: Service) -> None:
    """An edit by the provider: a published listing now has changes waiting for review."""
    if service.status == S.IN_REVIEW:
        raise ServiceError(
            _(
                "The listing is in review and cannot be changed now. Wait for the review or "
                "ask the coordinator to return it."
            )
        )
    if service.status == S.PUBLISHED:
        service.status = S.DRAFT.value
    service.updated_at = utcnow()


# --- the provider's working copy ------------------------------------------------------------


def create_listing(user: User, data: dict[str, Any]) -> Service:
    org = user.organisation
    if org is None or org.kind != OrgKind.PROVIDER or org.status != OrgStatus.ACTIVE:
        raise ServiceError(_("Only active providers can create listings."))
    service = Service(
        organisation_id=org.id, created_by_id=user.id, slug=_unique_slug(data["name"]), status=S.DRAFT.value
    )
    _apply(service, data)
    db.session.add(service)
    db.session.flush()
    audit.record(user, "listing.created", service, slug=service.slug)
    return service


def _apply(service: Service, data: dict[str, Any]) -> list[str]:
    changed = []
    for name in CONTENT_FIELDS:
        if name in data and getattr(service, name) != data[name]:
            setattr(service, name, data[name])
            changed.append(name)
    return changed


def update_listing(user: User, service: Service, data: dict[str, Any]) -> list[str]:
    lock(service)
    if service.status == S.IN_REVIEW:
        _changed(service)
    changed = _apply(service, data)
    if changed:
        _changed(service)
        audit.record(user, "listing.edited", service, fields=changed)
    return changed


def save_plan(user: User, service: Service, data: dict[str, Any], plan: PricingPlan | None = None) -> PricingPlan:
    lock(service)
    if plan is not None and plan not in service.plans:
        raise ServiceError(_("This pricing plan has been removed."))
    keys = ("name", "model", "unit_price_cents", "vat_rate_bp", "min_quantity", "notes")
    if (
        plan is not None
        and all(getattr(plan, key) == data.get(key) for key in keys)
        and (data["model"] != PriceModel.FREE or plan.unit_price_cents == 0)
    ):
        return plan  # saved again as it was: nothing changes
    _changed(service)
    if data["model"] == PriceModel.FREE:
        data = {**data, "unit_price_cents": 0}
    elif data["unit_price_cents"] <= 0:
        raise ServiceError(_("A plan that is not free needs a price above zero."))
    if plan is None:
        if len(service.plans) >= MAX_PLANS:
            raise ServiceError(_("A listing can have at most %(n)d pricing plans.", n=MAX_PLANS))
        plan = PricingPlan(service=service, position=max((p.position for p in service.plans), default=0) + 1)
        db.session.add(plan)
    for key in keys:
        setattr(plan, key, data[key])
    db.session.flush()
    audit.record(
        user,
        "listing.plan_saved",
        service,
        plan=plan.id,
        model=plan.model,
        unit_price_cents=plan.unit_price_cents,
        vat_rate_bp=plan.vat_rate_bp,
    )
    return plan


def delete_plan(user: User, service: Service, plan: PricingPlan) -> None:
    lock(service)
    if plan not in service.plans:
        raise ServiceError(_("This pricing plan has already been removed."))
    _changed(service)
    service.plans.remove(plan)
    db.session.flush()
    audit.record(user, "listing.plan_deleted", service, plan=plan.id)


def add_screenshot(user: User, service: Service, filename: str | None, data: bytes, alt_text: str) -> ServiceScreenshot:
    lock(service)
    _changed(service)
    if len(service.screenshots) >= MAX_SCREENSHOTS:
        raise ServiceError(_("A listing can have at most %(n)d screenshots.", n=MAX_SCREENSHOTS))
    try:
        checked = images.check(data)
    except FileRejected as exc:
        raise ServiceError(str(exc)) from exc
    stored = store(images.safe_filename(filename, checked.extension), data, checked.content_type, user.id)
    shot = ServiceScreenshot(
        service=service,
        file=stored,
        alt_text=alt_text,
        width=checked.width,
        height=checked.height,
        position=max((s.position for s in service.screenshots), default=0) + 1,
    )
    db.session.add(shot)
    db.session.flush()
    audit.record(user, "listing.screenshot_added", service, file=stored.id, sha256=stored.sha256)
    return shot


def delete_screenshot(user: User, service: Service, shot: ServiceScreenshot) -> None:
    lock(service)
    if shot not in service.screenshots:
        raise ServiceError(_("This screenshot has already been removed."))
    _changed(service)
    service.screenshots.remove(shot)
    db.session.flush()
    audit.record(user, "listing.screenshot_removed", service, file=shot.file_id)


def screenshot_file(file_id: int) -> StoredFile | None:
    return db.session.get(StoredFile, file_id)


# --- submitting, reviewing, publishing ------------------------------------------------------


def submit(user: User, service: Service) -> None:
    lock(service)
    if service.status not in (S.DRAFT, S.RETURNED, S.WITHDRAWN):
        raise ServiceError(_("Only a draft, a returned or a withdrawn listing can be submitted."))
    _require_standing(service.organisation)
    if not service.plans:
        raise ServiceError(_("Add at least one pricing plan before submitting."))
    if service.personal_data and not service.privacy_url:
        raise ServiceError(_("A service that processes personal data needs a link to its privacy notice."))
    service.status = S.IN_REVIEW.value
    service.submitted_at = utcnow()
    _event(user, service, "submitted")
    audit.record(user, "listing.submitted", service)
    for coordinator in onboarding.coordinators():
        queue_mail(
            coordinator.email,
            _l("A listing to review"),
            "listing_for_review",
            coordinator.locale,
            service=service,
            link=external_url("listing_review.show", service_id=service.id),
        )


def snapshot(service: Service) -> dict[str, Any]:
    data = {name: getattr(service, name) for name in CONTENT_FIELDS}
    data["plans"] = [plan.snapshot() for plan in service.plans]
    data["screenshots"] = [shot.snapshot() for shot in service.screenshots]
    return data


def published_revision(service: Service) -> ServiceRevision | None:
    if service.published_version is None:
        return None
    return db.session.scalar(
        sa.select(ServiceRevision).where(
            ServiceRevision.service_id == service.id, ServiceRevision.number == service.published_version
        )
    )


def publish(reviewer: User, service: Service, comment: str = "") -> ServiceRevision:
    lock(service)
    if service.status != S.IN_REVIEW:
        raise ServiceError(_("Only a listing in review can be published."))
    _require_standing(service.organisation)
    number = (
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.max(ServiceRevision.number), 0)).where(
                ServiceRevision.service_id == service.id
            )
        )
        + 1
    )
    revision = ServiceRevision(service=service, number=number, snapshot=snapshot(service), published_by_id=reviewer.id)
    db.session.add(revision)
    service.published_version = number
    service.status = S.PUBLISHED.value
    db.session.flush()
    index_revision(service, revision)
    _event(reviewer, service, "published", comment, number)
    audit.record(reviewer, "listing.published", service, revision=number)
    _mail_provider(service, _l("Your listing was published"), "listing_published", comment=comment)
    return revision


def return_listing(reviewer: User, service: Service, comment: str) -> None:
    lock(service)
    if service.status != S.IN_REVIEW:
        raise ServiceError(_("Only a listing in review can be returned."))
    if not comment.strip():
        raise ServiceError(_("Tell the provider what to change."))
    service.status = S.RETURNED.value
    _event(reviewer, service, "returned", comment.strip())
    audit.record(reviewer, "listing.returned", service, comment=comment.strip())
    _mail_provider(service, _l("Your listing was returned for changes"), "listing_returned", comment=comment.strip())


def withdraw(user: User, service: Service, reason: str = "") -> None:
    lock(service)
    if service.status == S.WITHDRAWN:
        raise ServiceError(_("The listing is already withdrawn."))
    service.status = S.WITHDRAWN.value
    unindex(service)
    _event(user, service, "withdrawn", reason.strip())
    audit.record(user, "listing.withdrawn", service, reason=reason.strip())


def _mail_provider(service: Service, subject, template: str, **context: Any) -> None:
    stmt = sa.select(User).where(
        User.organisation_id == service.organisation_id, User.active.is_(True), User.org_role == OrgRole.ADMIN.value
    )
    recipients = {u.id: u for u in db.session.scalars(stmt)}
    if service.created_by is not None and service.created_by.active:
        recipients.setdefault(service.created_by.id, service.created_by)
    link = external_url("listings.show", service_id=service.id)
    for user in recipients.values():
        queue_mail(user.email, subject, template, user.locale, service=service, link=link, **context)


# --- the catalogue index --------------------------------------------------------------------


def _search_text(data: dict[str, Any], provider: str) -> str:
    """Everything a keyword should find: names, summaries, the description, the provider,
    and the subjects, levels and category by their Finnish names."""

    with force_locale("fi"):
        words = [str(CATEGORIES.get(data["category"], ""))]
        words += [str(LEVELS[v]) for v in data["levels"] if v in LEVELS]
        words += [str(SUBJECTS[v]) for v in data["subjects"] if v in SUBJECTS]
    parts = [
        data["name"],
        data["summary"],
        data.get("summary_sv", ""),
        data.get("summary_en", ""),
        data.get("description", ""),
        provider,
        " ".join(words),
    ]
    return "\n".join(part for part in parts if part)


def tags_for(data: dict[str, Any]) -> set[tuple[str, str]]:
    tags = {
        ("category", data["category"]),
        ("accessibility", data["accessibility"]),
        ("hosting", data["hosting"]),
        ("personal_data", "yes" if data["personal_data"] else "no"),
    }
    for facet, key in (
        ("level", "levels"),
        ("role", "roles"),
        ("subject", "subjects"),
        ("language", "languages"),
        ("standard", "standards"),
    ):
        tags.update((facet, value) for value in data[key])
    tags.update(("model", plan["model"]) for plan in data["plans"])
    return tags


def index_revision(service: Service, revision: ServiceRevision) -> CatalogueEntry:
    """Make the catalogue show this revision (replacing whatever it showed)."""
    data = revision.snapshot
    cheapest = min(data["plans"], key=lambda p: (p["unit_price_cents"], p["id"]), default=None)
    entry = db.session.get(CatalogueEntry, service.id)
    if entry is None:
        entry = CatalogueEntry(service_id=service.id, order_key=order_key(service.id))
        db.session.add(entry)
    entry.organisation_id = service.organisation_id
    entry.slug = service.slug
    entry.name = data["name"]
    entry.sort_name = data["name"].casefold()[:120]
    entry.summary = data["summary"]
    entry.summary_sv = data.get("summary_sv", "")
    entry.summary_en = data.get("summary_en", "")
    entry.provider_name = service.organisation.name
    entry.category = data["category"]
    entry.levels = list(data["levels"])
    entry.standards = list(data["standards"])
    entry.languages = list(data["languages"])
    entry.accessibility = data["accessibility"]
    entry.hosting = data["hosting"]
    entry.min_price_cents = cheapest["unit_price_cents"] if cheapest else None
    entry.min_price_model = cheapest["model"] if cheapest else None
    entry.min_price_vat_bp = cheapest["vat_rate_bp"] if cheapest else None
    entry.published_at = revision.published_at or utcnow()
    entry.revision_number = revision.number
    entry.search_text = _search_text(data, service.organisation.name)
    db.session.flush()
    db.session.execute(sa.delete(CatalogueTag).where(CatalogueTag.service_id == service.id))
    db.session.add_all(CatalogueTag(service_id=service.id, facet=f, value=v) for f, v in sorted(tags_for(data)))
    db.session.flush()
    facet_index.mark_changed()
    return entry


def unindex(service: Service) -> None:
    db.session.execute(sa.delete(CatalogueTag).where(CatalogueTag.service_id == service.id))
    db.session.execute(sa.delete(CatalogueEntry).where(CatalogueEntry.service_id == service.id))
    db.session.flush()
    facet_index.mark_changed()


# --- what the reviewer sees -----------------------------------------------------------------


@dataclass
class FieldChange:
    field: str
    old: Any
    new: Any


def changes(service: Service) -> list[FieldChange]:
    """What the working copy changes compared with the published revision (everything is
    new for a listing never published)."""
    revision = published_revision(service)
    old = revision.snapshot if revision is not None else {}
    new = snapshot(service)
    result = []
    for key in (*CONTENT_FIELDS, "plans", "screenshots"):
        if old.get(key) != new.get(key):
            result.append(FieldChange(key, old.get(key), new.get(key)))
    return result


def review_queue() -> list[Service]:
    stmt = (
        sa.select(Service)
        .where(Service.status == S.IN_REVIEW.value)
        .options(sa.orm.joinedload(Service.organisation))
        .order_by(Service.submitted_at, Service.id)
    )
    return list(db.session.scalars(stmt))


def listings_of(org: Organisation) -> list[Service]:
    stmt = sa.select(Service).where(Service.organisation_id == org.id).order_by(Service.name, Service.id)
    return list(db.session.scalars(stmt))
