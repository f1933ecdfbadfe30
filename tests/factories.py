"""factory-boy factories for every model."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import factory
import sqlalchemy as sa
from factory.alchemy import SQLAlchemyModelFactory

from app import audit
from app.clock import HELSINKI, helsinki_today
from app.extensions import db, utcnow
from app.files import StoredFile
from app.mail import OutboxMessage
from app.models import Invitation, JoinRequest, Organisation, User
from app.services import hash_password
from app.validators import business_id_check_digit, payment_reference
from governance.rules.models import RulesAcceptance, RulesComment, RulesTranslation, RulesVersion, text_sha256
from governance.steering.models import (
    AgendaItem,
    Attendance,
    Ballot,
    Body,
    Case,
    Decision,
    DecisionKind,
    Dissent,
    ItemAttachment,
    Meeting,
    Membership,
    Minutes,
    Recusal,
    Task,
    TaskNote,
    VoteRound,
    decision_slug,
)
from marketplace.catalogue.models import (
    CatalogueEntry,
    CatalogueTag,
    PricingPlan,
    Service,
    ServiceReviewEvent,
    ServiceRevision,
    ServiceScreenshot,
    ServiceViewCount,
)
from marketplace.onboarding.models import (
    ApplicationAttachment,
    ApplicationComment,
    ApplicationSubmission,
    ProviderApplication,
    ProviderStatusChange,
)
from marketplace.procurement.models import Order, PaymentCustomer, ProcurementRequest, RequestLine, StripeEvent

TEST_PASSWORD = "correct horse battery"


def valid_business_id(n: int) -> str:
    """The n-th valid Y-tunnus from 2000000 upwards (skipping numbers with no check digit)."""
    base = 2_000_000 + n
    while True:
        digits = f"{base:07d}"
        check = business_id_check_digit(digits)
        if check is not None:
            return f"{digits}-{check}"
        base += 1_000_000  # a different number that cannot collide with another n


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class OrganisationFactory(BaseFactory):
    class Meta:
        model = Organisation

    kind = "provider"
    name = factory.Sequence(lambda n: f"Organisaatio {n} Oy")
    business_id = factory.Sequence(valid_business_id)
    status = "active"


class MunicipalityFactory(OrganisationFactory):
    kind = "municipality"
    name = factory.Sequence(lambda n: f"Kunta {n}")

    @factory.lazy_attribute_sequence
    def municipality_code(self, n: int) -> str:
        """A three-digit code no municipality has yet (the tests also create real ones, such as 398)."""
        taken = set(
            db.session.scalars(
                sa.select(Organisation.municipality_code).where(Organisation.municipality_code.is_not(None))
            )
        )
        return next(code for i in range(800) if (code := f"{((n + i) % 800) + 100:03d}") not in taken)

    business_id = None


class ProviderFactory(OrganisationFactory):
    kind = "provider"


class CoordinatorOrgFactory(OrganisationFactory):
    kind = "coordinator"
    name = "DigiOne-koordinaatio"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Sequence(lambda n: f"Testi Käyttäjä {n}")
    password_hash = factory.LazyFunction(lambda: hash_password(TEST_PASSWORD))
    organisation = factory.SubFactory(MunicipalityFactory)
    org_role = "member"
    locale = "fi"
    email_confirmed_at = factory.LazyFunction(utcnow)


class InvitationFactory(BaseFactory):
    class Meta:
        model = Invitation

    organisation = factory.SubFactory(MunicipalityFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    org_role = "buyer"
    invited_by = factory.SubFactory(UserFactory, organisation=factory.SelfAttribute("..organisation"), org_role="admin")


class JoinRequestFactory(BaseFactory):
    class Meta:
        model = JoinRequest

    user = factory.SubFactory(UserFactory, organisation=None, org_role=None)
    organisation = factory.SubFactory(MunicipalityFactory)
    message = "Olen opettaja Tikkurilan koulussa."


class OutboxMessageFactory(BaseFactory):
    class Meta:
        model = OutboxMessage

    recipient = factory.Sequence(lambda n: f"recipient{n}@example.com")
    subject = "Testiviesti"
    body = "Hei!"

    class Params:
        #: Given up after its last attempt (listed on /admin/mail for a retry).
        given_up = factory.Trait(
            attempts=10,
            last_error="550 5.1.1 mailbox unavailable",
            dead_at=factory.LazyFunction(lambda: datetime.now(UTC)),
        )


class AuditEventFactory(factory.Factory):
    """Audit events are only ever appended through audit.record, so is this one."""

    class Meta:
        model = audit.AuditEvent

    actor = None
    action = "test.event"
    obj = ("test", "1")
    data = factory.Dict({"n": factory.Sequence(int)})

    @classmethod
    def _create(cls, model_class, actor=None, action="test.event", obj=None, data=None, **kwargs):
        event = audit.record(actor, action, obj, **(data or {}))
        db.session.commit()
        return event


# --- governance: rules -----------------------------------------------------------------

RULES_TEXT = "# 1. Tarkoitus\n\nSäännöt koskevat kaikkia.\n\n# 2. Tietosuoja\n\nTietoja ei myydä.\n"


class RulesVersionFactory(BaseFactory):
    class Meta:
        model = RulesVersion

    label = factory.Sequence(lambda n: f"1.{n}")
    title = "Pelisäännöt"
    body = RULES_TEXT
    body_sha256 = factory.LazyAttribute(lambda o: text_sha256(o.body))
    status = "draft"

    class Params:
        consultation = factory.Trait(
            status="consultation",
            consultation_opened_at=factory.LazyFunction(utcnow),
            consultation_closes_on=factory.LazyFunction(lambda: helsinki_today() + timedelta(days=30)),
        )
        in_force = factory.Trait(
            status="in_force",
            consultation_opened_at=factory.LazyFunction(utcnow),
            consultation_closes_on=date(2026, 1, 31),
            adoption_decision_ref="OR 1/2026 § 3",
            adoption_decision_date=date(2026, 2, 10),
            effective_date=date(2026, 3, 1),
            reacceptance_deadline=date(2026, 4, 30),
            entered_into_force_at=factory.LazyFunction(utcnow),
        )


class RulesTranslationFactory(BaseFactory):
    class Meta:
        model = RulesTranslation

    version = factory.SubFactory(RulesVersionFactory)
    locale = "sv"
    title = "Spelregler"
    body = "# 1. Syfte\n\nReglerna gäller alla.\n"


class RulesCommentFactory(BaseFactory):
    class Meta:
        model = RulesComment

    version = factory.SubFactory(RulesVersionFactory, consultation=True)
    user = factory.SubFactory(UserFactory)
    organisation = factory.SelfAttribute("user.organisation")
    section = ""
    body = "Hyvä ehdotus."


class RulesAcceptanceFactory(BaseFactory):
    class Meta:
        model = RulesAcceptance

    version = factory.SubFactory(RulesVersionFactory, in_force=True)
    user = factory.SubFactory(UserFactory, organisation=factory.SubFactory(ProviderFactory), org_role="admin")
    organisation = factory.SelfAttribute("user.organisation")
    signatory_name = factory.SelfAttribute("user.name")
    signatory_title = "toimitusjohtaja"
    signing_authority_confirmed = True
    ip_address = "127.0.0.1"
    text_sha256 = factory.SelfAttribute("version.body_sha256")


# --- marketplace: onboarding ---------------------------------------------------------------------------


class StoredFileFactory(BaseFactory):
    class Meta:
        model = StoredFile

    filename = "liite.pdf"
    content_type = "application/pdf"
    data = b"%PDF-1.4\n%%EOF\n"
    size = factory.LazyAttribute(lambda o: len(o.data))
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.data).hexdigest())


class ProviderApplicationFactory(BaseFactory):
    class Meta:
        model = ProviderApplication

    organisation = factory.SubFactory(ProviderFactory, status="applicant")
    created_by = factory.SubFactory(UserFactory, organisation=factory.SelfAttribute("..organisation"), org_role="admin")
    status = "draft"
    answers = factory.LazyFunction(dict)
    completed_steps = factory.LazyFunction(list)

    class Params:
        submitted = factory.Trait(
            status="submitted", submitted_at=factory.LazyFunction(utcnow), submission_count=1, pre_assessment="pass"
        )


class ApplicationAttachmentFactory(BaseFactory):
    class Meta:
        model = ApplicationAttachment

    application = factory.SubFactory(ProviderApplicationFactory)
    kind = "dpa"
    file = factory.SubFactory(StoredFileFactory)


class ApplicationCommentFactory(BaseFactory):
    class Meta:
        model = ApplicationComment

    application = factory.SubFactory(ProviderApplicationFactory, submitted=True)
    author = factory.SubFactory(UserFactory, organisation=factory.SubFactory(CoordinatorOrgFactory), org_role="admin")
    body = "Tarkistettava."
    visible_to_applicant = False


class ApplicationSubmissionFactory(BaseFactory):
    class Meta:
        model = ApplicationSubmission

    application = factory.SubFactory(ProviderApplicationFactory, submitted=True)
    number = 1
    answers = factory.LazyFunction(dict)
    attachment_hashes = factory.LazyFunction(dict)


class ProviderStatusChangeFactory(BaseFactory):
    class Meta:
        model = ProviderStatusChange

    organisation = factory.SubFactory(ProviderFactory)
    old_status = "active"
    new_status = "suspended"
    reason = "Selvitys kesken."
    decision_ref = "JT 1/2026 § 2"
    actor = factory.SubFactory(UserFactory, organisation=factory.SubFactory(CoordinatorOrgFactory), org_role="admin")


# --- governance: steering ------------------------------------------------------------------------------


class BodyFactory(BaseFactory):
    class Meta:
        model = Body

    code = factory.Sequence(lambda n: f"B-{n:02d}")
    name = factory.Sequence(lambda n: f"Toimielin {n}")
    level = "strategic"
    mandate = factory.LazyFunction(lambda: [k.value for k in DecisionKind])


class MembershipFactory(BaseFactory):
    class Meta:
        model = Membership

    body = factory.SubFactory(BodyFactory)
    user = factory.SubFactory(UserFactory)
    role = "member"
    voting = True
    term_start = date(2026, 1, 1)


class CaseFactory(BaseFactory):
    class Meta:
        model = Case

    record_number = factory.Sequence(lambda n: f"DIGI-2026-{n + 1:06d}")
    title = factory.Sequence(lambda n: f"Asia {n}")
    awaiting_body = factory.SubFactory(BodyFactory)


class MeetingFactory(BaseFactory):
    class Meta:
        model = Meeting

    body = factory.SubFactory(BodyFactory)
    year = 2026
    number = factory.Sequence(lambda n: n + 1)
    starts_at = factory.LazyFunction(lambda: datetime(2026, 6, 1, 10, tzinfo=HELSINKI))
    place = "Pasila"
    status = "planned"


class AgendaItemFactory(BaseFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    case = factory.SubFactory(CaseFactory, awaiting_body=None)
    section = factory.Sequence(lambda n: n + 1)
    decision_kind = "operational"
    proposal = "Ehdotetaan hyväksyttäväksi."


class AttendanceFactory(BaseFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory, status="in_session")
    membership = factory.SubFactory(MembershipFactory, body=factory.SelfAttribute("..meeting.body"))
    present = True


class RecusalFactory(BaseFactory):
    class Meta:
        model = Recusal

    item = factory.SubFactory(AgendaItemFactory)
    membership = factory.SubFactory(MembershipFactory, body=factory.SelfAttribute("..item.meeting.body"))
    reason = "Hallituksen jäsen palveluntarjoajassa."


class VoteRoundFactory(BaseFactory):
    class Meta:
        model = VoteRound

    item = factory.SubFactory(AgendaItemFactory)
    counter_proposal = "Asia palautetaan valmisteluun."
    mover = factory.SubFactory(MembershipFactory, body=factory.SelfAttribute("..item.meeting.body"))
    seconder = factory.SubFactory(MembershipFactory, body=factory.SelfAttribute("..item.meeting.body"))


class BallotFactory(BaseFactory):
    class Meta:
        model = Ballot

    round = factory.SubFactory(VoteRoundFactory)
    membership = factory.SubFactory(MembershipFactory, body=factory.SelfAttribute("..round.item.meeting.body"))
    choice = "proposal"


class DecisionFactory(BaseFactory):
    """A decision whose minutes are approved (in effect)."""

    class Meta:
        model = Decision

    item = factory.SubFactory(AgendaItemFactory, meeting=factory.SubFactory(MeetingFactory, status="minutes_approved"))
    case = factory.SelfAttribute("item.case")
    body = factory.SelfAttribute("item.meeting.body")
    reference = factory.LazyAttribute(
        lambda o: f"{o.item.meeting.body.code} {o.item.meeting.number}/{o.item.meeting.year} § {o.item.section}"
    )
    slug = factory.LazyAttribute(lambda o: decision_slug(o.reference))
    title = factory.SelfAttribute("item.case.title")
    effective_at = factory.LazyAttribute(lambda o: utcnow() if o.item.meeting.status == "minutes_approved" else None)
    kind = factory.SelfAttribute("item.decision_kind")
    resolution = "approved"
    text = "Hyväksyttiin."
    decided_on = date(2026, 6, 1)


class DissentFactory(BaseFactory):
    class Meta:
        model = Dissent

    decision = factory.SubFactory(DecisionFactory)
    membership = factory.SubFactory(MembershipFactory, body=factory.SelfAttribute("..decision.body"))
    text = "Jätän eriävän mielipiteen."


class MinutesFactory(BaseFactory):
    class Meta:
        model = Minutes

    meeting = factory.SubFactory(MeetingFactory, status="held")
    version = 1
    body = "# Pöytäkirja\n"


class TaskFactory(BaseFactory):
    class Meta:
        model = Task

    decision = factory.SubFactory(DecisionFactory)
    description = "Päivitetään ohje."
    owner_body = factory.SelfAttribute("decision.body")
    due_on = date(2026, 7, 1)


class TaskNoteFactory(BaseFactory):
    class Meta:
        model = TaskNote

    task = factory.SubFactory(TaskFactory)
    user = factory.SubFactory(UserFactory)
    text = "Aloitettu."


class ItemAttachmentFactory(BaseFactory):
    class Meta:
        model = ItemAttachment

    item = factory.SubFactory(AgendaItemFactory)
    file = factory.SubFactory(StoredFileFactory)
    title = "Liite"
    public = True


# --- marketplace: catalogue ----------------------------------------------------------------------------


class ServiceFactory(BaseFactory):
    """A listing's working copy (a draft unless told otherwise)."""

    class Meta:
        model = Service

    organisation = factory.SubFactory(ProviderFactory)
    created_by = factory.SubFactory(UserFactory, organisation=factory.SelfAttribute("..organisation"))
    slug = factory.Sequence(lambda n: f"palvelu-{n}")
    status = "draft"
    name = factory.Sequence(lambda n: f"Palvelu {n}")
    summary = "Oppimateriaali matematiikan opetukseen."
    description = "Kuvaus.\n\n- ominaisuus"
    category = "learning_materials"
    levels = factory.LazyFunction(lambda: ["grades_7_9"])
    roles = factory.LazyFunction(lambda: ["teacher", "learner"])
    subjects = factory.LazyFunction(lambda: ["MA"])
    languages = factory.LazyFunction(lambda: ["fi"])
    standards = factory.LazyFunction(lambda: ["mpassid"])
    accessibility = "full"
    accessibility_statement_url = "https://example.fi/saavutettavuus"
    hosting = "finland"
    personal_data = True
    support_url = "https://example.fi/tuki"
    privacy_url = "https://example.fi/tietosuoja"


class PricingPlanFactory(BaseFactory):
    class Meta:
        model = PricingPlan

    service = factory.SubFactory(ServiceFactory)
    name = "Oppilaslisenssi"
    model = "per_pupil_year"
    unit_price_cents = 1250
    vat_rate_bp = 2550
    min_quantity = 1


class ServiceScreenshotFactory(BaseFactory):
    class Meta:
        model = ServiceScreenshot

    service = factory.SubFactory(ServiceFactory)
    file = factory.SubFactory(
        StoredFileFactory, filename="kuva.png", content_type="image/png", data=factory.LazyFunction(lambda: png_bytes())
    )
    alt_text = "Tehtävänäkymä"
    width = 200
    height = 120


class ServiceRevisionFactory(BaseFactory):
    class Meta:
        model = ServiceRevision

    service = factory.SubFactory(ServiceFactory)
    number = 1
    snapshot = factory.LazyAttribute(lambda o: {"name": o.service.name, "plans": [], "screenshots": []})
    published_by = factory.SubFactory(UserFactory, organisation=factory.SubFactory(CoordinatorOrgFactory))


class ServiceReviewEventFactory(BaseFactory):
    class Meta:
        model = ServiceReviewEvent

    service = factory.SubFactory(ServiceFactory)
    actor = factory.SelfAttribute("service.created_by")
    action = "submitted"


class CatalogueEntryFactory(BaseFactory):
    class Meta:
        model = CatalogueEntry

    class Params:
        service = factory.SubFactory(ServiceFactory, status="published", published_version=1)

    service_id = factory.SelfAttribute("service.id")
    organisation_id = factory.SelfAttribute("service.organisation_id")
    slug = factory.SelfAttribute("service.slug")
    name = factory.SelfAttribute("service.name")
    sort_name = factory.LazyAttribute(lambda o: o.name.casefold())
    summary = factory.SelfAttribute("service.summary")
    provider_name = factory.SelfAttribute("service.organisation.name")
    category = factory.SelfAttribute("service.category")
    accessibility = "full"
    hosting = "finland"
    order_key = factory.Sequence(lambda n: n * 7919)
    published_at = factory.LazyFunction(utcnow)
    revision_number = 1
    search_text = factory.SelfAttribute("service.summary")


class CatalogueTagFactory(BaseFactory):
    class Meta:
        model = CatalogueTag

    facet = "level"
    value = "grades_7_9"
    service_id = factory.LazyFunction(lambda: CatalogueEntryFactory().service_id)


def png_bytes(
    width: int = 200, height: int = 120, color: tuple[int, int, int] = (30, 90, 160), fmt: str = "PNG"
) -> bytes:
    """A real image made with Pillow."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format=fmt)
    return buffer.getvalue()


# --- procurement ---------------------------------------------------------------------------------


class ProcurementRequestFactory(BaseFactory):
    """A buyer's draft (pass status and totals for a sent one)."""

    class Meta:
        model = ProcurementRequest

    organisation = factory.SubFactory(MunicipalityFactory)
    requester = factory.SubFactory(UserFactory, organisation=factory.SelfAttribute("..organisation"), org_role="buyer")
    purpose = "Matematiikan oppimateriaalit yläkouluihin."
    cost_centre = "4100"
    status = "draft"


class RequestLineFactory(BaseFactory):
    class Meta:
        model = RequestLine

    request = factory.SubFactory(ProcurementRequestFactory)
    service_id = factory.LazyFunction(lambda: PricingPlanFactory().service_id)
    provider_id = factory.LazyAttribute(lambda o: db.session.get(Service, o.service_id).organisation_id)
    plan_id = factory.LazyAttribute(lambda o: db.session.get(Service, o.service_id).plans[0].id)
    quantity = 100
    term_start = date(2026, 8, 1)
    term_end = date(2027, 7, 31)
    service_name = factory.LazyAttribute(lambda o: db.session.get(Service, o.service_id).name)
    plan_name = "Oppilaslisenssi"
    price_model = "per_pupil_year"


class OrderFactory(BaseFactory):
    """An approved request's order to a provider, waiting for the provider's answer."""

    class Meta:
        model = Order

    request = factory.SubFactory(ProcurementRequestFactory, status="approved", net_cents=125_000, vat_cents=31_875)
    organisation_id = factory.SelfAttribute("request.organisation_id")
    provider_id = factory.LazyFunction(lambda: ProviderFactory().id)
    reference = factory.Sequence(lambda n: f"PO-2026-{n + 1:06d}")
    payment_reference = factory.Sequence(lambda n: payment_reference(f"2026{n + 1:06d}"))
    status = "sent"
    term_start = date(2026, 8, 1)
    term_end = date(2027, 7, 31)
    net_cents = 125_000
    vat_cents = 31_875
    payment_method = "manual"


class PaymentCustomerFactory(BaseFactory):
    class Meta:
        model = PaymentCustomer

    organisation_id = factory.LazyFunction(lambda: MunicipalityFactory().id)
    stripe_customer_id = factory.Sequence(lambda n: f"cus_test{n:06d}")


class StripeEventFactory(BaseFactory):
    class Meta:
        model = StripeEvent

    id = factory.Sequence(lambda n: f"evt_test{n:06d}")
    type = "invoice.paid"
    stripe_created = 1_790_000_000
    outcome = "applied"


class ServiceViewCountFactory(BaseFactory):
    """A day's page views of a service (a bare counter: no personal data)."""

    class Meta:
        model = ServiceViewCount

    class Params:
        service = factory.SubFactory(ServiceFactory, status="published", published_version=1)

    service_id = factory.SelfAttribute("service.id")
    day = factory.LazyFunction(helsinki_today)
    views = 1
