"""Guessed ids in form fields and nested URLs: an object of one organisation or body
is never read or changed through another's. (Ids guessed in the path of a URL are
checked for every route by the access matrix's outsiders.)"""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import User
from governance.steering.models import Attendance, Ballot
from marketplace.catalogue.models import PricingPlan
from marketplace.procurement.models import RequestLine
from tests import factories, figures


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_a_buyer_cannot_request_a_plan_that_is_not_the_services_or_not_published(objects, login_as):
    published, draft = objects["published_listing"], objects["listing"]
    buyer = login_as("buyer")
    before = _count(RequestLine)
    for service_id, plan_id in (
        (published.id, draft.plans[0].id),  # another listing's plan
        (draft.id, draft.plans[0].id),  # a listing not in the catalogue
        (published.id, 10**9),
        ("x", "y"),
    ):
        response = buyer.post_form("/procurement/add", {"service": service_id, "plan": plan_id}, follow_redirects=True)
        assert response.status_code == 200
        assert "ei ole nyt palvelukatalogissa" in response.get_data(as_text=True)  # "not in the catalogue now"
        figures.count("access", "ids guessed in form fields and refused")
    assert _count(RequestLine) == before


def test_a_line_of_another_request_cannot_be_read_or_removed_through_ones_own(objects, login_as, people):
    espoo_buyer = factories.UserFactory(
        organisation=people["other_municipality"], org_role="buyer", email="buyer.espoo@example.com"
    )
    own = factories.ProcurementRequestFactory(organisation=people["other_municipality"], requester=espoo_buyer)
    db.session.commit()
    own_id, vantaa_line = own.id, objects["draft_line_id"]
    client = login_as(None)
    client.login(espoo_buyer.email)
    assert client.get(f"/procurement/{own_id}/lines/{vantaa_line}").status_code == 404
    assert client.post_form(f"/procurement/{own_id}/lines/{vantaa_line}/remove").status_code == 404
    assert (
        client.post_form(f"/procurement/{own_id}/lines/{vantaa_line}", {"plan": "1", "quantity": "1"}).status_code
        == 404
    )
    assert db.session.get(RequestLine, vantaa_line) is not None
    figures.count("access", "ids guessed in form fields and refused", 3)


def test_a_provider_cannot_delete_another_providers_plan_through_its_own_listing(objects, people, login_as):
    own_listing = factories.ServiceFactory(organisation=people["other_provider"])
    db.session.commit()
    others_plan = objects["listing"].plans[0].id
    client = login_as("other_provider_user")
    response = client.post_form(f"/listings/{own_listing.id}/plans/{others_plan}/delete")
    assert response.status_code == 404
    assert db.session.get(PricingPlan, others_plan) is not None
    figures.count("access", "ids guessed in form fields and refused")


def test_a_secretary_cannot_record_attendance_or_votes_for_another_bodys_members(objects, people, login_as):
    other_body = factories.BodyFactory(code="OR2")
    outsider = factories.MembershipFactory(body=other_body, role="member")
    meeting = objects["meeting"]
    meeting.status = "in_session"
    db.session.commit()
    secretary = login_as("secretary")
    secretary.post_form(
        f"/meetings/{meeting.id}/attendance", {"present": str(outsider.id)}, page=f"/meetings/{meeting.id}"
    )
    assert _count(Attendance, Attendance.membership_id == outsider.id) == 0
    vote = objects["vote"]
    response = secretary.post_form(
        f"/votes/{vote.id}/ballots",
        {f"ballot_{outsider.id}": "proposal"},
        page=f"/items/{vote.item_id}",
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert _count(Ballot, Ballot.membership_id == outsider.id) == 0
    figures.count("access", "ids guessed in form fields and refused", 2)


def test_order_filters_cannot_widen_what_a_municipality_or_provider_sees(objects, people, login_as):
    espoo_order = factories.OrderFactory(
        request__organisation=people["other_municipality"],
        request__requester=factories.UserFactory(organisation=people["other_municipality"], org_role="buyer"),
        provider_id=people["other_provider"].id,
    )
    db.session.commit()
    vantaa = login_as("buyer")
    page = vantaa.get(f"/procurement/orders?municipality={people['other_municipality'].id}").get_data(as_text=True)
    assert espoo_order.reference not in page and objects["order"].reference in page
    provider = login_as("provider_user")
    page = provider.get(f"/procurement/orders?provider={people['other_provider'].id}").get_data(as_text=True)
    assert espoo_order.reference not in page
    figures.count("access", "ids guessed in form fields and refused", 2)


def test_a_municipality_admin_cannot_change_the_role_of_another_organisations_user(people, login_as):
    espoo_user = factories.UserFactory(organisation=people["other_municipality"], org_role="buyer")
    db.session.commit()
    response = login_as("municipality_admin").post_form(
        f"/organisation/members/{espoo_user.id}/role", {"role": "admin"}
    )
    assert response.status_code in (403, 404)
    assert db.session.get(User, espoo_user.id).org_role == "buyer"
    figures.count("access", "ids guessed in form fields and refused")
