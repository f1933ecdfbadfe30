"""The public catalogue: search with facets, the service page, comparison."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import quote_plus

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    get_template_attribute,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, format_decimal, get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from app.actions import save, undo
from app.extensions import db
from app.i18n import money
from app.models import Organisation
from marketplace.catalogue import search, view_counts, vocab
from marketplace.catalogue.models import CatalogueEntry, ServiceRevision
from marketplace.catalogue.permissions import is_provider_member
from marketplace.catalogue.services import SLUG_PATTERN, gross_cents, screenshot_file
from marketplace.onboarding import services as onboarding

bp = Blueprint("catalogue", __name__, url_prefix="/catalogue")
MAX_COMPARE = 4


@lru_cache(maxsize=64)
def _translated(vocabulary: str, locale: str) -> dict[str, str]:
    """A vocabulary's labels in one language (translations do not change while running)."""

    with force_locale(locale):
        return {value: str(label) for value, label in getattr(vocab, vocabulary.upper()).items()}


@bp.app_template_global()
def vocab_label(vocabulary: str, value: str) -> str:

    return _translated(vocabulary, str(get_locale() or "fi")).get(value, value)


@bp.app_template_global()
def listing_status_label(status: str) -> str:
    return str(vocab.STATUS_LABELS.get(status, status))


@bp.app_template_filter()
def with_vat(cents: int | None, vat_rate_bp: int | None) -> int | None:
    return None if cents is None or vat_rate_bp is None else gross_cents(cents, vat_rate_bp)


@bp.app_template_filter()
def vat_percent(vat_rate_bp: int) -> str:

    return format_decimal(vat_rate_bp / 100, format="#,##0.0#")


@bp.get("")
def index():
    query, errors = search.parse(request.args)
    results = search.search(query)
    _facet_links(query, results)
    return render_template(
        "catalogue/index.html",
        results=results,
        query=query,
        errors=errors,
        cards=service_cards(results),
        facets=vocab.FACETS,
        sorts=_sort_labels(),
        page_sizes=search.PAGE_SIZES,
    )


def _facet_links(query: search.CatalogueQuery, results: search.Results) -> None:
    """Each shown facet value's link: the query with that value switched on or off, page 1.
    Built from the query's arguments encoded once (a page has a hundred of these links)."""
    base = url_for("catalogue.index")
    encoded = [
        (name, value, f"{quote_plus(name)}={quote_plus(str(value))}")
        for name, values in query.args(page=None).items()
        for value in (values if isinstance(values, list) else [values])
    ]
    for facet in results.facets:
        last_of_facet = max((i for i, (name, _v, _e) in enumerate(encoded) if name == facet.name), default=None)
        for value in facet.values:
            if not (value.count or value.selected):
                continue
            if value.selected:
                parts = [part for name, v, part in encoded if not (name == facet.name and v == value.value)]
            else:
                at = len(encoded) if last_of_facet is None else last_of_facet + 1
                parts = [part for _n, _v, part in encoded]
                parts.insert(at, f"{quote_plus(facet.name)}={quote_plus(value.value)}")
            value.href = f"{base}?{'&'.join(parts)}" if parts else base


@lru_cache(maxsize=8)
def _card_labels(locale: str) -> dict[str, Any]:
    """What a result card says, in one language."""

    with force_locale(locale):
        # "Compare %(name)s" stays a pattern: the card fills in the name (and escapes it).
        return {
            "from_": _("From"),
            "compare": _("Compare %(name)s", name="%(name)s"),
            **{name: _translated(name, locale) for name in ("categories", "levels", "standards")},
        }


@lru_cache(maxsize=4096)
def _price_texts(cents: int, vat_bp: int | None, model: str | None, locale: str) -> tuple[str, str | None]:

    with force_locale(locale):
        if model == "free" or cents == 0:
            return _("Free of charge"), None
        return (
            f"{money(cents)} {_translated('price_units', locale).get(model or '', model or '')}",
            _(
                "%(net)s excl. VAT, %(gross)s incl. VAT %(rate)s %%",
                net=money(cents),
                gross=money(with_vat(cents, vat_bp)),
                rate=vat_percent(vat_bp or 0),
            ),
        )


@bp.app_template_global()
def price_texts(cents: int, vat_bp: int | None, model: str | None) -> tuple[str, str | None]:
    """A price's two texts: the unit price excluding VAT, and the line with VAT (None when free)."""

    return _price_texts(cents, vat_bp, model, str(get_locale() or "fi"))


def service_cards(results: search.Results) -> list[Markup]:
    """The result cards, each rendered once per language while the catalogue is unchanged
    (kept by the facet index, which a publication or withdrawal replaces)."""

    render = get_template_attribute("catalogue/_card.html", "card")
    remembered = results.index.cards if results.index is not None else None
    locale = str(get_locale() or "fi")
    labels = _card_labels(locale)
    cards = []
    for entry in results.entries:
        key = (locale, entry.service_id, entry.provider_name)
        card = remembered.get(key) if remembered is not None else None
        if card is None:
            card = render(entry, *_summary(entry, locale), labels)  # an autoescaped macro: Markup already
            if remembered is not None:
                remembered.put(key, card)
        cards.append(card)
    return cards


def _sort_labels() -> dict[str, str]:
    return {"relevance": _("Relevance"), "name": _("Name"), "newest": _("Newest"), "price": _("Lowest price")}


def _revisions(entries: list[CatalogueEntry]) -> dict[int, ServiceRevision]:
    if not entries:
        return {}
    stmt = sa.select(ServiceRevision).where(
        sa.tuple_(ServiceRevision.service_id, ServiceRevision.number).in_(
            [(e.service_id, e.revision_number) for e in entries]
        )
    )
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
    return render_template("catalogue/compare.html", columns=columns, notice=notice, missing=len(slugs) - len(columns))


@bp.get("/<slug>")
def show(slug: str):
    entry = _entry_or_404(slug)
    revision = _revisions([entry]).get(entry.service_id)
    if revision is None:
        abort(404)
    org = db.session.get(Organisation, entry.organisation_id)
    page = render_template(
        "catalogue/show.html",
        entry=entry,
        data=revision.snapshot,
        revision=revision,
        org=org,
        acceptance=onboarding.latest_acceptance(org),
        related=search.related(entry),
    )
    _count_view(entry.service_id)
    return page


def _count_view(service_id: int) -> None:
    """Count a person's view of a published service's page: one UPSERT and a commit, after
    the page is rendered. Not audited: a statistic, not a change of record. No personal data
    is kept (see view_counts). A failure to count is logged and never breaks the page."""
    if not view_counts.is_countable(request.method, request.user_agent.string):
        return
    try:
        view_counts.count_view(service_id)
        save()
    except Exception:
        undo()
        current_app.logger.warning("Could not count a view of service %s", service_id, exc_info=True)


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
    return Response(
        stored.data,
        mimetype=stored.content_type,
        headers={
            "Content-Length": str(stored.size),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
            "Cache-Control": "public, max-age=86400" if public else "private, no-store",
            "ETag": f'"{stored.sha256}"',
        },
    )


def _summary(entry: CatalogueEntry, locale: str | None = None) -> tuple[str, str]:

    locale = locale or str(get_locale() or "fi")
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

    return is_provider_member(user)
