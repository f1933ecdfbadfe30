"""Provider onboarding: the wizard, pre-assessment, review cycle, attachments, provider status."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.audit import AuditEvent
from app.extensions import db, utcnow
from app.files import StoredFile
from app.mail import OutboxMessage
from app.models import Organisation
from governance.rules.models import RulesAcceptance
from marketplace.onboarding.models import ApplicationAttachment, ProviderApplication
from tests import factories
from tests.onboarding_data import PDF, STEP_DATA, pdf_upload
from tests.support.onboarding import accept_rules_step, fill_wizard


@pytest.fixture()
def applicant(people, login_as):
    """A newcomer who has started a provider organisation, signed in."""
    client = login_as("no_org")
    response = client.post_form(
        "/organisation/start/provider", {"name": "Uusi Oppi Oy", "business_id": "0920632-0"}, page="/organisation/start"
    )
    assert response.headers["Location"] == "/join"
    return client


def _application() -> ProviderApplication:
    return db.session.scalar(sa.select(ProviderApplication).order_by(ProviderApplication.id.desc()))


# --- the wizard ------------------------------------------------------------------------------------


def test_each_step_is_saved_and_the_wizard_resumes_where_it_stopped(applicant):
    response = applicant.get("/join")
    assert response.headers["Location"] == "/join/step/organisation"
    page = applicant.get("/join/step/organisation").get_data(as_text=True)
    assert 'value="Uusi Oppi Oy"' in page and 'aria-current="step"' in page  # prefilled, progress shown
    applicant.post_form("/join/step/organisation", STEP_DATA["organisation"], page="/join/step/organisation")
    applicant.post_form("/join/step/contacts", STEP_DATA["contacts"], page="/join/step/contacts")
    # Later, the person comes back: the wizard continues at the first unfinished step.
    assert applicant.get("/join").headers["Location"] == "/join/step/data-protection"
    assert 'value="Matti Yhteys"' in applicant.get("/join/step/contacts").get_data(as_text=True)


def test_an_invalid_step_is_kept_as_typed_and_explains_what_is_wrong(applicant):
    data = {**STEP_DATA["organisation"], "business_id": "0920632-1", "postcode": "123"}
    response = applicant.post_form("/join/step/organisation", data, page="/join/step/organisation")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "error-summary" in html and 'value="Mannerheimintie 1"' in html
    stored = _application().step("organisation")
    assert stored["street_address"] == "Mannerheimintie 1" and "organisation" not in _application().completed_steps
    # Coming back later, what was typed is still there.
    assert 'value="0920632-1"' in applicant.get("/join/step/organisation").get_data(as_text=True)


@pytest.mark.parametrize(
    ("slug", "field", "value"),
    [
        ("organisation", "einvoice_address", "003712345678"),  # digits not those of the business ID
        ("organisation", "website", "not a web address"),
        ("contacts", "support_email", "matti@uusioppi.example.fi"),  # a person's own address
        ("contacts", "signatory_phone", "soita minulle"),
        ("data-protection", "processor_role", ""),  # a required declaration left unanswered
        ("data-protection", "hosting", "outside"),  # outside the EU without a safeguard
        ("accessibility", "evaluated_on", "eilen"),
        ("security", "evidence", []),
    ],
)
def test_step_validation(applicant, slug, field, value):
    data = {**STEP_DATA[slug], field: value}
    response = applicant.post_form(f"/join/step/{slug}", data, page=f"/join/step/{slug}")
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.get_data(as_text=True) or "error-summary" in response.get_data(
        as_text=True
    )
    assert slug not in _application().completed_steps


@pytest.mark.parametrize(
    ("desk", "mailbox"),
    [
        ("Tuki", "tuki@uusioppi.example.fi"),  # exactly what the field's hint suggests
        ("Asiakastuki", "asiakastuki@uusioppi.example.fi"),
        ("Tekninen tuki", "tuki@uusioppi.example.fi"),
        ("Support", "support@uusioppi.example.fi"),
        ("Asiakaspalvelu", "asiakaspalvelu@uusioppi.example.fi"),
    ],
)
def test_a_shared_support_mailbox_named_like_the_desk_is_accepted(applicant, desk, mailbox):
    data = {**STEP_DATA["contacts"], "support_name": desk, "support_email": mailbox}
    response = applicant.post_form("/join/step/contacts", data, page="/join/step/contacts")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "contacts" in _application().completed_steps


@pytest.mark.parametrize("mailbox", ["matti@uusioppi.example.fi", "matti.meikalainen@uusioppi.example.fi"])
def test_a_contact_persons_own_address_is_still_refused_as_the_support_mailbox(applicant, mailbox):
    data = {
        **STEP_DATA["contacts"],
        "support_name": "Tuki",
        "technical_name": "Matti Meikäläinen",
        "support_email": mailbox,
    }
    response = applicant.post_form("/join/step/contacts", data, page="/join/step/contacts")
    assert response.status_code == 200 and "contacts" not in _application().completed_steps


def test_summary_shows_everything_with_edit_links_and_the_vat_number(applicant):
    fill_wizard(applicant)
    accept_rules_step(applicant)
    html = applicant.get("/join/summary").get_data(as_text=True)
    assert "FI09206320" in html  # EU VAT number derived from the business ID
    assert "Sanna Allekirjoittaja" in html and "sopimus.pdf" in html
    for slug in STEP_DATA:
        assert f'href="/join/step/{slug}"' in html


# --- attachments ----------------------------------------------------------------------------------


def test_pdf_is_checked_by_content_not_by_name(applicant):
    fill_wizard(applicant, skip=("attachments",))
    response = applicant.post_form(
        "/join/step/attachments",
        {"dpa": pdf_upload("sopimus.pdf", b"PK\x03\x04 this is a zip"), "trade_register": pdf_upload("kauppa.pdf")},
        page="/join/step/attachments",
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "PDF" in response.get_data(as_text=True)
    application = _application()
    assert application.attachment("dpa") is None
    assert application.attachment("trade_register") is not None  # the good file was kept


def test_oversized_pdf_is_refused(applicant):
    fill_wizard(applicant, skip=("attachments",))
    big = PDF + b"0" * (10 * 1024 * 1024)
    response = applicant.post_form(
        "/join/step/attachments",
        {"dpa": pdf_upload("iso.pdf", big)},
        page="/join/step/attachments",
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and "10 MB" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(StoredFile.id))) == 0


def test_attachment_is_stored_with_size_and_hash_and_shown_only_to_its_owner_and_coordinators(applicant, login_as):
    fill_wizard(applicant)
    attachment = db.session.scalar(sa.select(ApplicationAttachment).where(ApplicationAttachment.kind == "dpa"))
    assert attachment.file.size == len(PDF) and len(attachment.file.sha256) == 64
    response = applicant.get(f"/join/attachments/{attachment.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert login_as("provider_admin").get(f"/join/attachments/{attachment.id}").status_code == 403
    app_id = attachment.application_id
    assert login_as("coordinator").get(f"/admin/applications/{app_id}/attachments/{attachment.id}").data == PDF


# --- submitting -----------------------------------------------------------------------------------


def test_submit_accepts_the_rules_pre_assesses_and_queues(applicant, login_as, people):
    version = factories.RulesVersionFactory(label="1.0", in_force=True)
    fill_wizard(applicant)
    assert accept_rules_step(applicant, version).status_code == 302
    response = applicant.post_form("/join/submit", page="/join/summary")
    assert response.status_code == 302
    application = _application()
    assert (application.status, application.pre_assessment, application.submission_count) == ("submitted", "pass", 1)
    acceptance = db.session.scalar(sa.select(RulesAcceptance))
    assert (acceptance.signatory_name, acceptance.text_sha256) == ("Sanna Allekirjoittaja", version.body_sha256)
    assert application.rules_acceptance_id == acceptance.id
    recipients = set(db.session.scalars(sa.select(OutboxMessage.recipient)))
    assert people["no_org"].email in recipients and people["coordinator"].email in recipients
    queue = login_as("coordinator").get("/admin/applications").get_data(as_text=True)
    assert "Uusi Oppi Oy" in queue


def test_submitting_twice_and_editing_a_submitted_application_are_refused(applicant):
    fill_wizard(applicant)
    accept_rules_step(applicant)
    applicant.post_form("/join/submit", page="/join/summary")
    again = applicant.post_form("/join/submit", page="/join/summary", follow_redirects=True)
    assert "Hakemus on jo lähetetty." in again.get_data(as_text=True)
    assert _application().submission_count == 1
    edit = applicant.post_form(
        "/join/step/organisation", {**STEP_DATA["organisation"], "legal_name": "Muutettu Oy"}, page="/join/summary"
    )
    assert edit.status_code == 302 and edit.headers["Location"] == "/join/summary"
    assert _application().step("organisation")["legal_name"] == "Uusi Oppi Oy"


def test_incomplete_application_cannot_be_submitted(applicant):
    fill_wizard(applicant, skip=("security", "attachments"))
    response = applicant.post_form("/join/submit", page="/join/summary", follow_redirects=True)
    assert _application().status == "draft"
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("overrides", "outcome", "reason"),
    [
        ({"data-protection": {"processor_role": "no"}}, "fail", "not_processor"),
        ({"data-protection": {"sells_data": "yes"}}, "fail", "sells_data"),
        ({"accessibility": {"wcag": "none"}}, "fail", "wcag_none"),
        (
            {"data-protection": {"hosting": "outside", "safeguard": "EU:n vakiolausekkeet"}},
            "needs_review",
            "hosting_outside",
        ),
        ({"accessibility": {"wcag": "partial"}}, "needs_review", "wcag_partial"),
        ({"security": {"admin_mfa": "no"}}, "needs_review", "no_admin_mfa"),
        ({"security": {"evidence": ["self_assessment"]}}, "needs_review", "self_assessment_only"),
        ({}, "pass", None),
    ],
)
def test_pre_assessment(applicant, overrides, outcome, reason):
    fill_wizard(applicant, **overrides)
    accept_rules_step(applicant)
    applicant.post_form("/join/submit", page="/join/summary")
    application = _application()
    assert application.pre_assessment == outcome
    if reason:
        assert reason in application.pre_assessment_reasons
    else:
        assert application.pre_assessment_reasons == []


# --- review ----------------------------------------------------------------------------------------


def _submitted(applicant):
    fill_wizard(applicant)
    accept_rules_step(applicant)
    applicant.post_form("/join/submit", page="/join/summary")
    return _application()


def test_full_review_cycle_with_changes_requested_and_resubmission(applicant, login_as, people):
    application = _submitted(applicant)
    coordinator = login_as("coordinator")
    url = f"/admin/applications/{application.id}"
    assert coordinator.post_form(f"{url}/decision", {"action": "start"}, page=url).status_code == 302
    assert _application().status == "in_review"

    # Changes need a message.
    refused = coordinator.post_form(f"{url}/decision", {"action": "request_changes", "message": ""}, page=url)
    assert refused.status_code == 400 and _application().status == "in_review"
    coordinator.post_form(f"{url}/comments", {"body": "Sisäinen huomio: tarkista Y-tunnus."}, page=url)
    coordinator.post_form(
        f"{url}/decision", {"action": "request_changes", "message": "Lisätkää alihankkijat tietosuojaosioon."}, page=url
    )
    assert _application().status == "changes_requested"
    summary = applicant.get("/join/summary").get_data(as_text=True)
    assert "Lisätkää alihankkijat tietosuojaosioon." in summary
    assert "Sisäinen huomio" not in summary  # internal comments stay internal

    data = {**STEP_DATA["data-protection"], "sub_processors": "Pilvi Oy, palvelinkeskus, Suomi"}
    assert applicant.post_form("/join/step/data-protection", data, page="/join/step/data-protection").status_code == 302
    applicant.post_form("/join/submit", page="/join/summary")
    application = _application()
    assert (application.status, application.submission_count) == ("submitted", 2)

    page = coordinator.get(url).get_data(as_text=True)
    assert "Pilvi Oy, palvelinkeskus, Suomi" in page  # shown as changed since the previous submission
    assert 'id="changes-heading"' in page

    coordinator.post_form(f"{url}/decision", {"action": "approve", "message": ""}, page=url)
    application = _application()
    org = db.session.get(Organisation, application.organisation_id)
    assert (application.status, org.status, org.einvoice_address) == ("approved", "active", "003709206320")
    actions = list(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like("application.%"))))
    for action in ("application.submitted", "application.start", "application.request_changes", "application.approve"):
        assert action in actions
    subjects = list(
        db.session.scalars(sa.select(OutboxMessage.subject).where(OutboxMessage.recipient == people["no_org"].email))
    )
    assert len(subjects) >= 5  # received, in review, changes, received again, approved

    public = login_as(None).get(f"/providers/{org.id}").get_data(as_text=True)
    assert "Uusi Oppi Oy" in public and "https://uusioppi.example.fi" in public
    assert "+358 40 123 4567" not in public  # personal contact details stay private


def test_rejection_needs_reasons(applicant, login_as):
    application = _submitted(applicant)
    coordinator = login_as("coordinator")
    url = f"/admin/applications/{application.id}"
    assert coordinator.post_form(f"{url}/decision", {"action": "reject"}, page=url).status_code == 400
    coordinator.post_form(f"{url}/decision", {"action": "reject", "message": "Myy oppilaiden tietoja."}, page=url)
    application = _application()
    assert (application.status, application.decision_reason) == ("rejected", "Myy oppilaiden tietoja.")
    assert db.session.get(Organisation, application.organisation_id).status == "applicant"


def test_applicant_withdraws(applicant):
    _submitted(applicant)
    assert applicant.post_form("/join/withdraw", page="/join/summary").status_code == 302
    assert _application().status == "withdrawn"


def test_one_provider_cannot_see_another_s_application(applicant, login_as):
    application = _submitted(applicant)
    other = login_as("provider_admin")
    assert other.get(f"/admin/applications/{application.id}").status_code == 403
    # Their own /join never shows someone else's answers.
    assert "Uusi Oppi Oy" not in other.get("/join/summary").get_data(as_text=True)


def test_queue_filters(applicant, login_as):
    fill_wizard(applicant, accessibility={"wcag": "partial"})
    accept_rules_step(applicant)
    applicant.post_form("/join/submit", page="/join/summary")
    coordinator = login_as("coordinator")
    assert "Uusi Oppi Oy" in coordinator.get("/admin/applications?pre=needs_review&age=week").get_data(as_text=True)
    assert "Uusi Oppi Oy" not in coordinator.get("/admin/applications?pre=pass").get_data(as_text=True)
    assert "Uusi Oppi Oy" not in coordinator.get("/admin/applications?status=approved").get_data(as_text=True)
    assert "Uusi Oppi Oy" not in coordinator.get("/admin/applications?age=older").get_data(as_text=True)
    assert coordinator.get("/admin/applications?status=bogus&pre=<script>").status_code == 200


def test_the_queue_lists_open_applications_first_the_longest_waiting_at_the_top(login_as):
    now = utcnow()

    def application(name: str, status: str, days_ago: int, decided_days_ago: int | None = None):
        org = factories.ProviderFactory(status="applicant", name=name)
        return factories.ProviderApplicationFactory(
            organisation=org,
            status=status,
            submitted_at=now - timedelta(days=days_ago),
            decided_at=None if decided_days_ago is None else now - timedelta(days=decided_days_ago),
        )

    application("Hylätty vanha Oy", "rejected", 90, 80)
    application("Uusi jono Oy", "submitted", 1)
    application("Peruttu Oy", "withdrawn", 60, 5)
    application("Vanha jono Oy", "submitted", 20)
    application("Muutokset Oy", "changes_requested", 10)
    application("Käsittelyssä Oy", "in_review", 15)
    application("Hyväksytty Oy", "approved", 40, 2)
    db.session.commit()
    html = login_as("coordinator").get("/admin/applications").get_data(as_text=True)
    names = [
        "Vanha jono Oy",
        "Käsittelyssä Oy",
        "Muutokset Oy",
        "Uusi jono Oy",  # open, longest waiting first
        "Hyväksytty Oy",
        "Peruttu Oy",
        "Hylätty vanha Oy",
    ]  # closed, latest decided first
    positions = [html.index(name) for name in names]
    assert positions == sorted(positions), [n for _, n in sorted(zip(positions, names, strict=False))]


# --- provider status -------------------------------------------------------------------------------------


def test_coordinator_suspends_and_reinstates_a_provider_with_reason_and_decision(people, login_as):
    org = people["provider"]
    decision = factories.DecisionFactory(
        item__decision_kind="provider_suspension",
        item__meeting__body__code="JT",
        item__meeting__number=3,
        item__section=5,
    )
    coordinator = login_as("coordinator")
    without = coordinator.post_form(
        f"/admin/providers/{org.id}/status",
        {"status": "suspended", "reason": "Ilman päätöstä."},
        page=f"/providers/{org.id}",
    )
    assert without.status_code == 302 and db.session.get(Organisation, org.id).status == "active"
    response = coordinator.post_form(
        f"/admin/providers/{org.id}/status",
        {"status": "suspended", "reason": "Tietoturvapoikkeama selvitetään.", "decision": str(decision.id)},
        page=f"/providers/{org.id}",
    )
    assert response.status_code == 302
    assert db.session.get(Organisation, org.id).status == "suspended"
    assert login_as(None).get(f"/providers/{org.id}").status_code == 404  # no longer public
    history = coordinator.get(f"/providers/{org.id}").get_data(as_text=True)
    assert "JT 3/2026 § 5" in history and "Tietoturvapoikkeama selvitetään." in history
    coordinator.post_form(
        f"/admin/providers/{org.id}/status", {"status": "active", "reason": "Korjattu."}, page=f"/providers/{org.id}"
    )
    assert db.session.get(Organisation, org.id).status == "active"
    no_reason = coordinator.post_form(
        f"/admin/providers/{org.id}/status", {"status": "terminated", "reason": ""}, page=f"/providers/{org.id}"
    )
    assert no_reason.status_code == 302 and db.session.get(Organisation, org.id).status == "active"


def test_only_coordinators_change_provider_status(people, login_as):
    org = people["provider"]
    response = login_as("provider_admin").post_form(
        f"/admin/providers/{org.id}/status", {"status": "terminated", "reason": "x"}, page="/"
    )
    assert response.status_code == 403
    assert db.session.get(Organisation, org.id).status == "active"


@pytest.mark.parametrize(
    ("status", "says", "link"),
    [
        (None, "Täytä liittymishakemus", "/join"),
        ("draft", "Jatka liittymishakemusta", "/join"),
        ("submitted", "odottaa koordinaattorin käsittelyä", "/join/summary"),
        ("in_review", "Koordinaattori käsittelee liittymishakemustasi", "/join/summary"),
        ("changes_requested", "pyysi muutoksia", "/join/summary"),
        ("rejected", "Perustelu: Tietosuojaselvitys puuttuu.", "/join"),
        ("withdrawn", "Peruit liittymishakemuksesi.", "/join"),
    ],
)
def test_the_organisation_page_tells_where_the_joining_application_stands(people, login_as, status, says, link):
    admin = people["no_org"]
    org = factories.ProviderFactory(status="applicant", name="Tila Oy")
    admin.organisation, admin.org_role = org, "admin"
    if status is not None:
        factories.ProviderApplicationFactory(
            organisation=org,
            created_by=admin,
            status=status,
            submitted_at=utcnow() if status != "draft" else None,
            decision_reason="Tietosuojaselvitys puuttuu." if status == "rejected" else "",
        )
    db.session.commit()
    html = login_as("no_org").get("/organisation").get_data(as_text=True)
    notice = html.split('<p class="notice">', 1)[1].split("</p>", 1)[0]
    assert says in notice and f'href="{link}"' in notice, notice
    if status not in (None, "draft"):
        assert "Täytä liittymishakemus" not in notice
