"""Every upload field checks the content and size of a file, and stores nothing it refuses.

Every upload field: the joining application's two PDF attachments, the listing screenshot and the
agenda item attachment. tests/marketplace/onboarding/test_onboarding.py and
tests/marketplace/catalogue/test_catalogue.py check some contents in one field each; here every field
gets script dressed up as its file type, an oversize file and a too large request."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from app.errors import MESSAGES, TITLES
from app.extensions import db
from app.files import StoredFile
from governance.steering.models import ItemAttachment
from marketplace.catalogue.models import ServiceScreenshot
from marketplace.onboarding.models import ApplicationAttachment
from tests import factories, figures
from tests.conftest import BrowserLikeClient
from tests.onboarding_data import PDF
from tests.security.checks import assert_headers, changed_tables, fi, fi_gettext, snapshot

HTML_FILE = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG_FILE = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass
class UploadField:
    name: str
    kind: str  # "pdf" or "image"
    send: Callable[[tuple[bytes, str]], object]
    links: Callable[[], int]  # rows linking a stored file to this field's owner
    client: BrowserLikeClient  # the uploader (a redirect shows the outcome on the next page)


@pytest.fixture()
def upload_fields(app, people, login_as) -> list[UploadField]:
    applicant = login_as("no_org")
    assert (
        applicant.post_form(
            "/organisation/start/provider",
            {"name": "Uusi Oppi Oy", "business_id": "0920632-0"},
            page="/organisation/start",
        ).status_code
        == 302
    )
    assert applicant.get("/join").status_code == 302  # starts the application
    provider = login_as("provider_admin")
    listing = factories.ServiceFactory(organisation=people["provider"], created_by=people["provider_admin"])
    body = factories.BodyFactory(code="JT", level="tactical")
    factories.MembershipFactory(body=body, user=people["secretary"], role="secretary", voting=False)
    item = factories.AgendaItemFactory(meeting=factories.MeetingFactory(body=body, status="agenda_published"))
    secretary = login_as("secretary")
    listing_id, item_id = listing.id, item.id

    def count(model) -> Callable[[], int]:
        return lambda: db.session.scalar(sa.select(sa.func.count()).select_from(model))

    def application_file(kind):
        def send(file):
            data, name = file
            return applicant.post_form(
                "/join/step/attachments",
                {kind: (io.BytesIO(data), name)},
                page="/join/step/attachments",
                content_type="multipart/form-data",
            )

        return send

    def screenshot(file):
        data, name = file
        return provider.post_form(
            f"/listings/{listing_id}/screenshots",
            {"alt_text": "Tehtävänäkymä", "image": (io.BytesIO(data), name)},
            page=f"/listings/{listing_id}/screenshots",
            content_type="multipart/form-data",
        )

    def item_attachment(file):
        data, name = file
        return secretary.post_form(
            f"/items/{item_id}/attachments",
            {"title": "Liite", "public": "y", "file": (io.BytesIO(data), name)},
            page=f"/items/{item_id}",
            content_type="multipart/form-data",
        )

    fields = [
        UploadField(
            "application: data processing agreement",
            "pdf",
            application_file("dpa"),
            count(ApplicationAttachment),
            applicant,
        ),
        UploadField(
            "application: trade register extract",
            "pdf",
            application_file("trade_register"),
            count(ApplicationAttachment),
            applicant,
        ),
        UploadField("listing screenshot", "image", screenshot, count(ServiceScreenshot), provider),
        UploadField("agenda item attachment", "pdf", item_attachment, count(ItemAttachment), secretary),
    ]
    return fields


def _shown(field: UploadField, response) -> str:
    """The page that tells the uploader what happened (a redirect shows it on the next page)."""
    if response.status_code == 302:
        return field.client.get(response.headers["Location"]).get_data(as_text=True)
    return response.get_data(as_text=True)


def _refused_uploads() -> dict[str, list[tuple[str, tuple[bytes, str], str]]]:
    from app.files import PDF_MAX_BYTES
    from marketplace.catalogue.images import MAX_BYTES as IMAGE_MAX_BYTES

    not_pdf = fi_gettext("The file is not a PDF document. Save it as PDF and try again.")
    not_image = fi_gettext("The file is not a PNG or JPEG image.")
    unreadable = fi_gettext("The image could not be read. It may be damaged; save it again as PNG or JPEG.")
    return {
        "pdf": [
            ("HTML with script named .pdf", (HTML_FILE, "sopimus.pdf"), not_pdf),
            ("SVG with script named .pdf", (SVG_FILE, "sopimus.pdf"), not_pdf),
            ("PNG image named .pdf", (factories.png_bytes(), "sopimus.pdf"), not_pdf),
            ("HTML named .pdf with a PDF signature late in the file", (HTML_FILE + PDF, "sopimus.pdf"), not_pdf),
            (
                "a PDF over the size limit",
                (PDF + b"0" * PDF_MAX_BYTES, "iso.pdf"),
                fi_gettext("The file is larger than 10 MB."),
            ),
        ],
        "image": [
            ("HTML with script named .png", (HTML_FILE, "kuva.png"), not_image),
            ("SVG with script named .png", (SVG_FILE, "kuva.png"), not_image),
            ("PDF named .png", (PDF, "kuva.png"), not_image),
            ("HTML behind a PNG signature", (PNG_SIGNATURE + HTML_FILE, "kuva.png"), unreadable),
            (
                "an image over the size limit",
                (PNG_SIGNATURE + b"0" * IMAGE_MAX_BYTES, "iso.png"),
                fi_gettext("The image is larger than 2 MB. Make it smaller and try again."),
            ),
        ],
    }


def test_every_upload_field_refuses_disguised_and_oversize_files_and_stores_nothing(app, upload_fields):
    cases = _refused_uploads()
    too_large = (fi(TITLES[413]), fi(MESSAGES[413]))
    refused = 0
    for field in upload_fields:
        for name, file, message in cases[field.kind]:
            files_before, links_before = db.session.scalar(sa.select(sa.func.count(StoredFile.id))), field.links()
            response = field.send(file)
            assert response.status_code in (200, 302, 400), f"{field.name}, {name}: {response.status_code}"
            assert message in _shown(field, response), f"{field.name}, {name}: no explanation in Finnish"
            db.session.expire_all()
            assert db.session.scalar(sa.select(sa.func.count(StoredFile.id))) == files_before, f"{field.name}: {name}"
            assert field.links() == links_before, f"{field.name}: {name} was attached"
            refused += 1
        # A request above MAX_CONTENT_LENGTH is refused before any form is read.
        before = snapshot()
        response = field.send((b"%PDF-" + b"0" * app.config["MAX_CONTENT_LENGTH"], "valtava.pdf"))
        assert response.status_code == 413, f"{field.name}: {response.status_code}"
        html = response.get_data(as_text=True)
        assert all(text in html for text in too_large), f"{field.name}: the 413 page is not in Finnish"
        assert_headers(response, f"{field.name}: 413")
        assert changed_tables(before, snapshot()) == [], f"{field.name}: a too large request changed the database"
        refused += 1
    figures.count("security", "upload cases refused", refused)


def test_uploads_are_stored_under_a_name_that_matches_their_content(app, upload_fields):
    """A genuine file with a misleading name (ohje.html) is kept under the name of what it is, so a
    download is never saved or opened as a page."""
    for field in upload_fields:
        content = (PDF, "ohje.html") if field.kind == "pdf" else (factories.png_bytes(), "kuva.html")
        links_before = field.links()
        response = field.send(content)
        assert response.status_code in (200, 302), f"{field.name}: {response.status_code}"
        db.session.expire_all()
        assert field.links() == links_before + 1, f"{field.name}: the genuine file was not kept"
        stored = db.session.scalar(sa.select(StoredFile).order_by(StoredFile.id.desc()).limit(1))
        expected = (".pdf", "application/pdf") if field.kind == "pdf" else (".png", "image/png")
        assert stored.filename.endswith(expected[0]) and stored.content_type == expected[1], (
            f"{field.name}: stored as {stored.filename} ({stored.content_type})"
        )
    figures.count("security", "upload names checked against content", len(upload_fields))
