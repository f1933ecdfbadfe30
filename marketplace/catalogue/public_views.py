"""The public catalogue: search with facets, the service page, comparison."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _

from app.extensions import db
from app.models import Organisation
from marketplace import services as onboarding
from marketplace.catalogue import search, vocab
from marketplace.catalogue.models import CatalogueEntry, ServiceRevision
from marketplace.catalogue.services import SLUG_PATTERN, gross_cents, screenshot_file

bp = Blueprint("catalogue", __name__, url_prefix="/catalogue")
MAX_COMPARE = 4


@lru_cache(maxsize=64)
def _translated(vocabulary: str, locale: str) -> dict[str, str]:
    """A vocabulary's labels in one language (translations do not change while running)."""
    from flask_babel import force_locale

    with force_locale(locale):
        return {value: str(label) for value, label in getattr(vocab, vocabulary.upper()).items()}


@bp.app_template_global()
def vocab_label(vocabulary: str, value: str) -> str:
    from flask_babel import get_locale

    return _translated(vocabulary, str(get_locale() or "fi")).get(value, value)


@bp.app_template_global()
def listing_status_label(status: str) -> str:
    return str(vocab.STATUS_LABELS.get(status, status))


@bp.app_template_filter()
def with_vat(cents: int | None, vat_rate_bp: int | None) -> int | None:
    return None if cents is None or vat_rate_bp is None else gross_cents(cents, vat_rate_bp)


@bp.app_template_filter()
def vat_percent(vat_rate_bp: int) -> str:
    from flask_babel import format_decimal

    return format_decimal(vat_rate_bp / 100, format="#,##0.0#")


@bp.get("")
def index():
    query, errors = search.parse(request.args)
    results = search.search(query)
    base = url_for("catalogue.index")
    for facet in results.facets:
        for value in facet.values:
            if value.count or value.selected:
                args = query.toggled(facet.name, value.value)
                value.href = f"{base}?{urlencode(args, doseq=True)}" if args else base
    return render_template("catalogue/index.html", results=results, query=query, errors=errors,
                           facets=vocab.FACETS, sorts=_sort_labels(), page_sizes=search.PAGE_SIZES)


def _sort_labels() -> dict[str, str]:
    return {"relevance": _("Relevance"), "name": _("Name"), "newest": _("Newest"), "price": _("Lowest price")}


def _revisions(entries: list[CatalogueEntry]) -> dict[int, ServiceRevision]:
    if not entries:
        return {}
    stmt = sa.select(ServiceRevision).where(sa.tuple_(ServiceRevision.service_id, ServiceRevision.number).in_(
        [(e.service_id, e.revision_number) for e in entries]))
    return {r.service_id: r for r in db.session.scalars(stmt)}


def _entry_or_404(slug: str) -> CatalogueEntry:
    if len(slug) > 80 or not SLUG_PATTERN.fullmatch(slug):
        abort(404, description=_("There is no service at this address. Check the address or search the catalogue."))
    entry = search.visible_entry(slug)
    if entry is None:
        abort(404, description=_("This service is not in the catalogue. It may have been withdrawn."))
    return entry


@bp.get("/compare")
def compare():
    slugs: list[str] = []
    for slug in request.args.getlist("s"):
        if slug not in slugs and len(slug) <= 80 and SLUG_PATTERN.fullmatch(slug):
            slugs.append(slug)
    notice = None
    if len(slugs) > MAX_COMPARE:
        notice = _("You can compare at most four services at a time. The first four are shown.")
        slugs = slugs[:MAX_COMPARE]
    entries = search.entries_by_slugs(slugs)
    revisions = _revisions(entries)
    columns = [(e, revisions[e.service_id].snapshot) for e in entries if e.service_id in revisions]
    return render_template("catalogue/compare.html", columns=columns, notice=notice,
                           missing=len(slugs) - len(columns))


@bp.get("/<slug>")
def show(slug: str):
    entry = _entry_or_404(slug)
    revision = _revisions([entry]).get(entry.service_id)
    if revision is None:
        abort(404)
    org = db.session.get(Organisation, entry.organisation_id)
    return render_template("catalogue/show.html", entry=entry, data=revision.snapshot, revision=revision,
                           org=org, acceptance=onboarding.latest_acceptance(org), related=search.related(entry))


@bp.get("/<slug>/screenshots/<int:file_id>")
def screenshot(slug: str, file_id: int):
    entry = _entry_or_404(slug)
    revision = _revisions([entry]).get(entry.service_id)
    if revision is None or file_id not in {s["file_id"] for s in revision.snapshot.get("screenshots", [])}:
        abort(404, description=_("There is no such screenshot."))
    stored = screenshot_file(file_id)
    if stored is None:
        abort(404)
    return image_response(stored, public=True)


def image_response(stored: Any, public: bool) -> Response:
    return Response(stored.data, mimetype=stored.content_type, headers={
        "Content-Length": str(stored.size),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'",
        "Cache-Control": "public, max-age=86400" if public else "private, no-store",
        "ETag": f'"{stored.sha256}"',
    })


def _summary(entry: CatalogueEntry) -> tuple[str, str]:
    from flask_babel import get_locale

    locale = str(get_locale() or "fi")
    if locale == "sv" and entry.summary_sv:
        return entry.summary_sv, "sv"
    if locale == "en" and entry.summary_en:
        return entry.summary_en, "en"
    return entry.summary, "fi"


@bp.app_template_global()
def entry_summary(entry: CatalogueEntry) -> str:
    """The summary in the reader's language where the provider gave one."""
    return _summary(entry)[0]


@bp.app_template_global()
def entry_summary_lang(entry: CatalogueEntry) -> str:
    """The language of `entry_summary` (for the lang attribute)."""
    return _summary(entry)[1]


@bp.app_template_global()
def listing_field_label(field: str) -> str:
    return str(vocab.FIELD_LABELS.get(field, field))


@bp.app_template_global()
def listing_event_label(action: str) -> str:
    return str(vocab.EVENT_LABELS.get(action, action))


@bp.app_template_global("is_provider_member")
def _is_provider_member(user) -> bool:
    from marketplace.catalogue.permissions import is_provider_member

    return is_provider_member(user)
