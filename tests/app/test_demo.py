import pytest
import sqlalchemy as sa

from app import demo
from app.extensions import db
from app.models import Organisation, User
from marketplace.catalogue.models import CatalogueEntry, Service


def test_demo_load_is_idempotent_and_every_account_signs_in(app, runner):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output

    def counts():
        return tuple(
            db.session.scalar(sa.select(sa.func.count(column)))
            for column in (User.id, Organisation.id, Service.id, CatalogueEntry.service_id)
        )

    before = counts()
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0
    assert counts() == before
    # cities, coordinator, providers, one applicant in the queue, three earlier applicants (2 rejected, 1 in review)
    assert before[1] == 7 + 1 + 6 + 1 + 3
    assert before[2:] == (44, 43)  # listings; one is still a draft
    for account in demo.ACCOUNTS:
        assert account.email in first.output
        client = app.test_client()
        client.login(account.email, demo.DEMO_PASSWORD)


@pytest.mark.parametrize(
    ("email", "kind", "role"),
    [
        ("coordinator@example.com", "coordinator", "admin"),
        ("provider@example.com", "provider", "admin"),
        ("buyer.vantaa@example.com", "municipality", "buyer"),
        ("approver.vantaa@example.com", "municipality", "approver"),
        ("admin.vantaa@example.com", "municipality", "admin"),
    ],
)
def test_required_demo_accounts(app, runner, email, kind, role):
    runner.invoke(args=["demo", "load"])
    user = db.session.scalar(sa.select(User).where(User.email == email))
    assert (user.organisation.kind, user.org_role) == (kind, role)


def test_seven_cities_with_their_codes(app, runner):
    runner.invoke(args=["demo", "load"])
    codes = dict(
        db.session.execute(
            sa.select(Organisation.name, Organisation.municipality_code).where(Organisation.kind == "municipality")
        ).all()
    )
    assert codes == {
        "Espoo": "049",
        "Jyväskylä": "179",
        "Lahti": "398",
        "Oulu": "564",
        "Tampere": "837",
        "Turku": "853",
        "Vantaa": "092",
    }


def test_demo_data_is_refused_outside_development(app, runner):
    app.config["DEMO_DATA_ALLOWED"] = False
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 1
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_create_coordinator_command_makes_an_admin_who_can_sign_in(app, runner):
    result = runner.invoke(
        args=["users", "create-coordinator", "kaija@example.fi", "Kaija Koordinaattori", "--business-id", "2077474-0"],
        input="pitkä ja hyvä salasana\npitkä ja hyvä salasana\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "kaija@example.fi"))
    assert (user.organisation.kind, user.org_role) == ("coordinator", "admin")
    client = app.test_client()
    client.login("kaija@example.fi", "pitkä ja hyvä salasana")
    assert client.get("/admin/audit").status_code == 200
    weak = runner.invoke(args=["users", "create-coordinator", "toinen@example.fi", "Toinen"], input="lyhyt\nlyhyt\n")
    assert weak.exit_code != 0
    assert db.session.scalar(sa.select(User).where(User.email == "toinen@example.fi")) is None
