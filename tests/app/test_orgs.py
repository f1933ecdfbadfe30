import re

import sqlalchemy as sa

from app.audit import AuditEvent
from app.extensions import db
from app.mail import OutboxMessage
from app.models import Invitation, JoinRequest, Organisation, User
from tests import factories


def _last_mail() -> OutboxMessage:
    return db.session.scalar(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()))


def test_newcomer_starts_a_provider_and_becomes_its_admin(people, login_as):
    client = login_as("no_org")
    response = client.post_form(
        "/organisation/start/provider", {"name": "Uusi Oppi Oy", "business_id": "0920632-0"}, page="/organisation/start"
    )
    # 0920632-0 is already used by no one in this test: the provider is created as an applicant.
    assert response.status_code == 302
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Uusi Oppi Oy"))
    assert (org.kind, org.status) == ("provider", "applicant")
    user = db.session.get(User, people["no_org"].id)
    assert (user.organisation_id, user.org_role) == (org.id, "admin")
    assert "Uusi Oppi Oy" in client.get("/organisation").get_data(as_text=True)


def test_provider_with_a_wrong_check_digit_is_refused(people, login_as):
    client = login_as("no_org")
    response = client.post_form(
        "/organisation/start/provider", {"name": "Virhe Oy", "business_id": "0920632-1"}, page="/organisation/start"
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'value="Virhe Oy"' in html  # nothing typed is lost
    assert db.session.scalar(sa.select(Organisation).where(Organisation.name == "Virhe Oy")) is None


def test_duplicate_business_id_is_refused(people, login_as):
    client = login_as("no_org")
    taken = people["provider"].business_id
    response = client.post_form(
        "/organisation/start/provider", {"name": "Kopio Oy", "business_id": taken}, page="/organisation/start"
    )
    assert response.status_code == 400
    assert db.session.scalar(sa.select(Organisation).where(Organisation.name == "Kopio Oy")) is None


def test_member_of_an_organisation_cannot_start_another(people, login_as):
    client = login_as("buyer")
    response = client.post_form(
        "/organisation/start/provider", {"name": "Sivubisnes Oy", "business_id": "0920632-0"}, page="/organisation"
    )
    assert response.status_code == 403


def test_join_request_is_accepted_by_the_municipality_admin(people, login_as):
    newcomer = login_as("no_org")
    vantaa = people["municipality"]
    response = newcomer.post_form(
        "/organisation/start/municipality",
        {"organisation": str(vantaa.id), "message": "Opettaja, Tikkurilan koulu"},
        page="/organisation/start",
    )
    assert response.status_code == 302
    request = db.session.scalar(sa.select(JoinRequest))
    assert request.status == "pending"
    assert _last_mail().recipient == people["municipality_admin"].email

    # Another municipality's approver cannot answer it.
    assert login_as("other_approver").get(f"/organisation/join-requests/{request.id}").status_code == 403

    admin = login_as("municipality_admin")
    assert "Tikkurilan koulu" in admin.get(f"/organisation/join-requests/{request.id}").get_data(as_text=True)
    response = admin.post_form(
        f"/organisation/join-requests/{request.id}",
        {"decision": "accept", "role": "buyer", "note": "Tervetuloa"},
        page=f"/organisation/join-requests/{request.id}",
    )
    assert response.status_code == 302
    user = db.session.get(User, people["no_org"].id)
    assert (user.organisation_id, user.org_role) == (vantaa.id, "buyer")
    assert _last_mail().recipient == people["no_org"].email
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"join_request.created", "join_request.decided", "user.joined_organisation"} <= actions


def test_declined_request_leaves_the_person_without_organisation(people, login_as):
    request = factories.JoinRequestFactory(organisation=people["municipality"])
    coordinator = login_as("coordinator")
    response = coordinator.post_form(
        f"/organisation/join-requests/{request.id}",
        {"decision": "decline", "role": "member", "note": ""},
        page=f"/organisation/join-requests/{request.id}",
    )
    assert response.status_code == 302
    assert db.session.get(JoinRequest, request.id).status == "declined"
    assert db.session.get(User, request.user_id).organisation_id is None


def test_invitation_by_e_mail_lets_a_new_person_join_with_the_role(app, people, login_as):
    admin = login_as("municipality_admin")
    org = people["municipality"]
    response = admin.post_form(
        f"/organisation/{org.id}/invitations",
        {"email": "Rehtori@Example.com", "role": "approver"},
        page="/organisation",
    )
    assert response.status_code == 302
    mail = _last_mail()
    assert mail.recipient == "rehtori@example.com"
    link = re.search(re.escape(app.config["PUBLIC_BASE_URL"]) + r"(/invitations/\S+)", mail.body).group(1)

    guest = app.test_client()
    response = guest.get(link)
    assert response.status_code == 302 and "/signup?invitation=" in response.headers["Location"]
    register_url = response.headers["Location"]
    page = guest.get(register_url).get_data(as_text=True)
    assert 'value="rehtori@example.com"' in page
    response = guest.post_form(
        register_url,
        {
            "email": "rehtori@example.com",
            "name": "Riikka Rehtori",
            "password": "koulun paras johtaja",
            "confirm": "koulun paras johtaja",
        },
        page=register_url,
    )
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "rehtori@example.com"))
    assert (user.organisation_id, user.org_role) == (org.id, "approver")
    assert db.session.scalar(sa.select(Invitation)).accepted_at is not None
    # The link cannot be used again.
    assert app.test_client().get(link).status_code == 302


def test_invitation_registration_must_use_the_invited_address(app, people, login_as):
    invitation = factories.InvitationFactory(organisation=people["municipality"], email="kutsuttu@example.com")
    from app.tokens import make_token

    with app.test_request_context():
        token = make_token("invite", {"i": invitation.id})
    client = app.test_client()
    url = f"/signup?invitation={token}"
    response = client.post_form(
        url,
        {
            "email": "joku.muu@example.com",
            "name": "Joku Muu",
            "password": "koulun paras johtaja",
            "confirm": "koulun paras johtaja",
        },
        page=url,
    )
    assert response.status_code == 200
    assert db.session.scalar(sa.select(User).where(User.email == "joku.muu@example.com")) is None


def test_only_admins_invite(people, login_as):
    org = people["municipality"]
    response = login_as("buyer").post_form(
        f"/organisation/{org.id}/invitations", {"email": "x@example.com", "role": "buyer"}, page="/organisation"
    )
    assert response.status_code == 403
    other = login_as("provider_admin").post_form(
        f"/organisation/{org.id}/invitations", {"email": "x@example.com", "role": "buyer"}, page="/organisation"
    )
    assert other.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0


def test_invitation_with_a_role_of_another_kind_is_refused(people, login_as):
    org = people["provider"]
    response = login_as("provider_admin").post_form(
        f"/organisation/{org.id}/invitations", {"email": "x@example.com", "role": "approver"}, page="/organisation"
    )
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0


def test_admin_changes_a_role_but_not_the_last_admin_away(people, login_as):
    admin = login_as("municipality_admin")
    buyer = people["buyer"]
    response = admin.post_form(f"/organisation/members/{buyer.id}/role", {"role": "approver"}, page="/organisation")
    assert response.status_code == 302
    assert db.session.get(User, buyer.id).org_role == "approver"
    me = people["municipality_admin"]
    admin.post_form(f"/organisation/members/{me.id}/role", {"role": "member"}, page="/organisation")
    assert db.session.get(User, me.id).org_role == "admin"


def test_role_of_another_organisations_member_cannot_be_changed(people, login_as):
    target = people["other_approver"]
    response = login_as("municipality_admin").post_form(
        f"/organisation/members/{target.id}/role", {"role": "buyer"}, page="/organisation"
    )
    assert response.status_code == 403
    assert db.session.get(User, target.id).org_role == "approver"


def test_coordinator_creates_a_municipality(people, login_as):
    client = login_as("coordinator")
    bad = client.post_form(
        "/admin/organisations/new", {"name": "Lahti", "municipality_code": "39"}, page="/admin/organisations/new"
    )
    assert bad.status_code == 200 and 'value="Lahti"' in bad.get_data(as_text=True)
    taken = client.post_form(
        "/admin/organisations/new", {"name": "Vantaa 2", "municipality_code": "092"}, page="/admin/organisations/new"
    )
    assert taken.status_code == 200
    ok = client.post_form(
        "/admin/organisations/new",
        {"name": "Lahti", "municipality_code": "398", "business_id": "0208223-0"},
        page="/admin/organisations/new",
    )
    assert ok.status_code == 302
    lahti = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Lahti"))
    assert (lahti.kind, lahti.municipality_code) == ("municipality", "398")
    assert "Lahti" in client.get(f"/admin/organisations/{lahti.id}").get_data(as_text=True)


def test_revoked_invitation_no_longer_works(app, people, login_as):
    invitation = factories.InvitationFactory(
        organisation=people["municipality"], invited_by=people["municipality_admin"]
    )
    from app.tokens import make_token

    with app.test_request_context():
        token = make_token("invite", {"i": invitation.id})
    admin = login_as("municipality_admin")
    response = admin.post_form(f"/organisation/invitations/{invitation.id}/revoke", page="/organisation")
    assert response.status_code == 302
    assert db.session.get(Invitation, invitation.id).revoked_at is not None
    response = app.test_client().get(f"/invitations/{token}")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_admin_removes_a_person_but_not_the_last_admin(people, login_as):
    admin = login_as("municipality_admin")
    buyer = people["buyer"]
    assert admin.post_form(f"/organisation/members/{buyer.id}/remove", page="/organisation").status_code == 302
    removed = db.session.get(User, buyer.id)
    assert removed.organisation_id is None and removed.org_role is None
    me = people["municipality_admin"]
    admin.post_form(f"/organisation/members/{me.id}/remove", page="/organisation")
    assert db.session.get(User, me.id).organisation_id == people["municipality"].id
    other = people["other_approver"]
    assert admin.post_form(f"/organisation/members/{other.id}/remove", page="/organisation").status_code == 403
    assert db.session.get(User, other.id).organisation_id is not None
