"""Rules of the ecosystem: lifecycle, consultation, adoption, entry into force, acceptance."""

import csv
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.audit import AuditEvent
from app.clock import helsinki_today
from app.extensions import db
from app.mail import OutboxMessage
from governance.rules import services
from governance.rules.models import ImmutableRecordError, RulesAcceptance, RulesComment, RulesVersion, text_sha256
from tests import factories

HOSTILE = (
    "# Otsikko\n\n<script>alert('x')</script>\n\n[klikkaa](javascript:alert(1))\n\n"
    "<img src=x onerror=alert(1)>\n\nTavallinen **teksti**."
)


def _version(label: str) -> RulesVersion:
    return db.session.scalar(sa.select(RulesVersion).where(RulesVersion.label == label))


def _draft_form(label="2.0", title="Pelisäännöt", body="# 1. Tarkoitus\n\nTeksti.", **extra):
    return {"label": label, "title": title, "body": body, **extra}


# --- lifecycle ------------------------------------------------------------------------------


def test_coordinator_drafts_edits_opens_and_adopts(people, login_as):
    client = login_as("coordinator")
    assert client.post_form("/rules/new", _draft_form(), page="/rules/new").status_code == 302
    version = _version("2.0")
    assert version.status == "draft" and version.body_sha256 == text_sha256("# 1. Tarkoitus\n\nTeksti.")

    response = client.post_form(
        "/rules/2.0/edit",
        _draft_form(body="# 1. Tarkoitus\n\nUusi teksti.", title_sv="Spelregler", body_sv="# 1. Syfte"),
        page="/rules/2.0/edit",
    )
    assert response.status_code == 302
    assert _version("2.0").body_sha256 == text_sha256("# 1. Tarkoitus\n\nUusi teksti.")
    assert [t.locale for t in _version("2.0").translations] == ["sv"]

    closes = (helsinki_today() + timedelta(days=14)).isoformat()
    client.post_form("/rules/2.0/consultation", {"closes_on": closes}, page="/rules/2.0")
    assert _version("2.0").status == "consultation"

    # Text can change only while draft.
    refused = client.post_form("/rules/2.0/edit", _draft_form(body="Muutettu"), page="/rules/2.0")
    assert refused.status_code == 302
    assert "Uusi teksti" in _version("2.0").body

    today = helsinki_today()
    decision = factories.DecisionFactory(item__decision_kind="rules_adoption", title="Pelisääntöjen 2.0 hyväksyminen")
    assert decision.reference in client.get("/rules/2.0/adopt").get_data(as_text=True)
    response = client.post_form(
        "/rules/2.0/adopt",
        {"decision": str(decision.id), "effective_date": (today + timedelta(days=10)).isoformat()},
        page="/rules/2.0/adopt",
    )
    assert response.status_code == 302
    version = _version("2.0")
    assert version.status == "adopted"
    assert (version.adoption_decision_id, version.adoption_decision_ref) == (decision.id, decision.reference)
    assert version.reacceptance_deadline == today + timedelta(days=70)  # 60 days after entry into force
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"rules.draft_created", "rules.draft_updated", "rules.consultation_opened", "rules.adopted"} <= actions


def test_refused_transitions_leave_the_version_as_it_was(app, people):
    coordinator = people["coordinator"]
    draft = factories.RulesVersionFactory(label="3.0")
    decision = factories.DecisionFactory(item__decision_kind="rules_adoption")
    with app.test_request_context():
        with pytest.raises(services.ServiceError):
            services.adopt(coordinator, draft, decision, date(2026, 7, 1))
        with pytest.raises(services.ServiceError):
            services.open_consultation(coordinator, draft, helsinki_today() - timedelta(days=1))
        consultation = factories.RulesVersionFactory(label="3.1", consultation=True)
        with pytest.raises(services.ServiceError):
            services.open_consultation(coordinator, consultation, helsinki_today() + timedelta(days=5))
        with pytest.raises(services.ServiceError):
            services.update_draft(coordinator, consultation, "3.1", "x", "y")
        with pytest.raises(services.ServiceError):  # in force before the decision
            services.adopt(coordinator, consultation, decision, date(2026, 4, 1))
    db.session.rollback()
    assert _version("3.0").status == "draft" and _version("3.1").status == "consultation"


def test_duplicate_label_is_refused_and_the_text_is_kept(people, login_as):
    factories.RulesVersionFactory(label="2.0")
    client = login_as("coordinator")
    response = client.post_form("/rules/new", _draft_form(body="Pitkä huolella kirjoitettu teksti"), page="/rules/new")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Versio 2.0 on jo olemassa" in html
    assert "Pitkä huolella kirjoitettu teksti" in html
    assert db.session.scalar(sa.select(sa.func.count(RulesVersion.id))) == 1


def test_malformed_label_is_refused(people, login_as):
    response = login_as("coordinator").post_form("/rules/new", _draft_form(label="v1/../2"), page="/rules/new")
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(RulesVersion.id))) == 0


def test_unknown_version_is_a_translated_404(client):
    response = client.get("/rules/9.9", headers={"Accept-Language": "sv"})
    assert response.status_code == 404
    assert "9.9" in response.get_data(as_text=True) and "Sidan hittades inte" in response.get_data(as_text=True)
    assert client.get("/rules/diff/1.0/ei-versio").status_code == 404


def test_drafts_are_visible_to_coordinators_only(people, login_as):
    factories.RulesVersionFactory(label="4.0")
    assert login_as(None).get("/rules/4.0").status_code == 404
    assert login_as("provider_admin").get("/rules/4.0").status_code == 404
    assert "4.0" not in login_as("buyer").get("/rules/versions").get_data(as_text=True)
    assert login_as("coordinator").get("/rules/4.0").status_code == 200


# --- entry into force ---------------------------------------------------------------------------


def test_exactly_one_version_in_force(app):
    old = factories.RulesVersionFactory(label="1.0", in_force=True)
    due_a = factories.RulesVersionFactory(
        label="1.1", status="adopted", effective_date=date(2026, 5, 1), reacceptance_deadline=date(2026, 7, 1)
    )
    due_b = factories.RulesVersionFactory(
        label="1.2", status="adopted", effective_date=date(2026, 6, 1), reacceptance_deadline=date(2026, 8, 1)
    )
    future = factories.RulesVersionFactory(label="1.3", status="adopted", effective_date=date(2026, 9, 1))
    with app.test_request_context():
        result = services.activate_due_versions(today=date(2026, 6, 15))
        db.session.commit()
        assert result.entered.label == "1.2"
        assert {v.label for v in result.superseded} == {"1.0", "1.1"}
        again = services.activate_due_versions(today=date(2026, 6, 15))
        assert again.entered is None and again.superseded == []
    statuses = dict(db.session.execute(sa.select(RulesVersion.label, RulesVersion.status)).all())
    assert statuses == {
        old.label: "superseded",
        due_a.label: "superseded",
        due_b.label: "in_force",
        future.label: "adopted",
    }


def test_the_database_refuses_a_second_version_in_force(app):
    factories.RulesVersionFactory(label="1.0", in_force=True)
    with pytest.raises(IntegrityError):
        factories.RulesVersionFactory(label="1.1", in_force=True)
    db.session.rollback()


def test_activate_command_is_safe_to_repeat(app, runner):
    factories.RulesVersionFactory(label="1.0", in_force=True)
    factories.RulesVersionFactory(
        label="1.1",
        status="adopted",
        effective_date=helsinki_today(),
        reacceptance_deadline=helsinki_today() + timedelta(days=60),
    )
    first = runner.invoke(args=["rules", "activate"])
    assert "Version 1.1 is now in force; superseded: 1.0" in first.output
    second = runner.invoke(args=["rules", "activate"])
    assert "nothing changed" in second.output
    assert _version("1.1").status == "in_force" and _version("1.0").status == "superseded"


def test_the_rules_job_brings_a_due_version_into_force_and_a_page_load_changes_nothing(client, runner):
    factories.RulesVersionFactory(label="1.0", in_force=True)
    factories.RulesVersionFactory(
        label="1.1",
        status="adopted",
        effective_date=helsinki_today(),
        reacceptance_deadline=helsinki_today() + timedelta(days=60),
    )
    assert client.get("/rules").status_code == 200
    assert _version("1.1").status == "adopted"  # a GET changes nothing (it used to commit this)
    result = runner.invoke(args=["jobs", "run", "rules_activate"])
    assert result.exit_code == 0 and "version 1.1 is in force" in result.output
    assert _version("1.1").status == "in_force"
    assert "1.1" in client.get("/rules").get_data(as_text=True)
    again = runner.invoke(args=["jobs", "run", "rules_activate"])
    assert "no version is due" in again.output


# --- acceptance -------------------------------------------------------------------------------------


def test_provider_admin_accepts_with_signatory_ip_and_hash(people, login_as):
    version = factories.RulesVersionFactory(label="1.0", in_force=True)
    client = login_as("provider_admin")
    page = client.get("/rules/1.0/accept").get_data(as_text=True)
    assert version.body_sha256 in page
    response = client.post_form(
        "/rules/1.0/accept",
        {
            "signatory_name": "Pia Palveluntarjoaja",
            "signatory_title": "toimitusjohtaja",
            "authority": "y",
            "sha256": version.body_sha256,
        },
        page="/rules/1.0/accept",
        environ_base={"REMOTE_ADDR": "192.0.2.44"},
    )
    assert response.status_code == 302
    acceptance = db.session.scalar(sa.select(RulesAcceptance))
    assert (
        acceptance.signatory_name,
        acceptance.signatory_title,
        acceptance.ip_address,
        acceptance.text_sha256,
        acceptance.organisation_id,
    ) == ("Pia Palveluntarjoaja", "toimitusjohtaja", "192.0.2.44", version.body_sha256, people["provider"].id)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "rules.accepted"))
    assert event.data["sha256"] == version.body_sha256 and event.data["ip"] == "192.0.2.44"


def test_accepting_twice_gives_a_message_and_one_record(people, login_as):
    version = factories.RulesVersionFactory(label="1.0", in_force=True)
    factories.RulesAcceptanceFactory(version=version, user=people["provider_admin"])
    client = login_as("provider_admin")
    response = client.post_form(
        "/rules/1.0/accept",
        {"signatory_name": "Toinen", "signatory_title": "hallitus", "authority": "y", "sha256": version.body_sha256},
        page="/rules/1.0",
        follow_redirects=True,
    )
    assert "on jo hyväksynyt version 1.0" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(RulesAcceptance.id))) == 1


def test_the_database_allows_one_acceptance_per_organisation_and_version(people):
    version = factories.RulesVersionFactory(label="1.0", in_force=True)
    factories.RulesAcceptanceFactory(version=version, user=people["provider_admin"])
    with pytest.raises(IntegrityError):
        factories.RulesAcceptanceFactory(version=version, user=people["provider_user"])
    db.session.rollback()


def test_superseded_version_cannot_be_accepted(people, login_as):
    version = factories.RulesVersionFactory(label="0.9", status="superseded")
    client = login_as("provider_admin")
    response = client.post_form(
        "/rules/0.9/accept",
        {"signatory_name": "Pia", "signatory_title": "tj", "authority": "y", "sha256": version.body_sha256},
        page="/rules/0.9/accept",
    )
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(RulesAcceptance.id))) == 0


def test_acceptance_needs_the_authority_and_the_text_shown(people, login_as):
    version = factories.RulesVersionFactory(label="1.0", in_force=True)
    client = login_as("provider_admin")
    no_authority = client.post_form(
        "/rules/1.0/accept",
        {"signatory_name": "Pia", "signatory_title": "tj", "sha256": version.body_sha256},
        page="/rules/1.0/accept",
    )
    assert no_authority.status_code == 200 and 'value="Pia"' in no_authority.get_data(as_text=True)
    wrong_text = client.post_form(
        "/rules/1.0/accept",
        {"signatory_name": "Pia", "signatory_title": "tj", "authority": "y", "sha256": "0" * 64},
        page="/rules/1.0/accept",
    )
    assert wrong_text.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(RulesAcceptance.id))) == 0


def test_acceptance_cannot_be_edited_or_deleted(people):
    acceptance = factories.RulesAcceptanceFactory(user=people["provider_admin"])
    acceptance.signatory_name = "Joku muu"
    with pytest.raises(ImmutableRecordError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(RulesAcceptance, acceptance.id))
    with pytest.raises(ImmutableRecordError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(RulesAcceptance, acceptance.id).signatory_name != "Joku muu"


def test_provider_member_cannot_accept(people, login_as):
    factories.RulesVersionFactory(label="1.0", in_force=True)
    assert login_as("provider_user").get("/rules/1.0/accept").status_code == 403


# --- re-acceptance ---------------------------------------------------------------------------------------


def test_new_version_in_force_mails_providers_and_flags_them_after_the_deadline(app, people, login_as):
    old = factories.RulesVersionFactory(label="1.0", in_force=True)
    factories.RulesAcceptanceFactory(version=old, user=people["provider_admin"])
    today = helsinki_today()
    new = factories.RulesVersionFactory(
        label="1.1", status="adopted", effective_date=today, reacceptance_deadline=today + timedelta(days=60)
    )
    with app.test_request_context():
        services.activate_due_versions()
        db.session.commit()
    mails = list(db.session.scalars(sa.select(OutboxMessage)))
    assert {m.recipient for m in mails} == {people["provider_admin"].email}  # provider admins only
    assert "1.1" in mails[0].body

    provider = people["provider"]
    assert services.organisation_has_accepted_current_rules(provider, today=today)  # grace period
    assert not services.organisation_has_accepted_current_rules(provider, today=today + timedelta(days=61))
    assert not services.organisation_has_accepted_current_rules(people["other_provider"], today=today)

    banner = login_as("provider_admin").get("/").get_data(as_text=True)
    assert "/rules/1.1/accept" in banner

    factories.RulesAcceptanceFactory(version=new, user=people["provider_admin"])
    assert services.organisation_has_accepted_current_rules(provider, today=today + timedelta(days=61))
    assert "/rules/1.1/accept" not in login_as("provider_admin").get("/").get_data(as_text=True)


def test_the_clause_filters_organisations_in_one_query(app, people):
    version = factories.RulesVersionFactory(label="1.0", in_force=True)
    factories.RulesAcceptanceFactory(version=version, user=people["provider_admin"])
    from app.models import Organisation

    with app.test_request_context():
        names = set(
            db.session.scalars(
                sa.select(Organisation.name).where(
                    Organisation.kind == "provider",
                    services.accepted_current_rules_clause(Organisation.id, today=date(2026, 12, 1)),
                )
            )
        )
    assert names == {people["provider"].name}


def test_coordinator_sees_who_has_and_has_not_accepted_and_downloads_csv(people, login_as):
    version = factories.RulesVersionFactory(label="1.0", in_force=True, reacceptance_deadline=date(2026, 4, 30))
    factories.RulesAcceptanceFactory(version=version, user=people["provider_admin"])
    people["other_provider"].name = '=HYPERLINK("http://evil")'
    db.session.commit()
    client = login_as("coordinator")
    html = client.get("/rules/acceptances").get_data(as_text=True)
    assert "1/2 aktiivisesta palveluntarjoajasta on hyväksynyt version 1.0" in html
    assert "Säännöt hyväksymättä" in html
    response = client.get("/rules/acceptances.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name[people["provider"].name][2] == "kyllä"
    assert by_name[people["provider"].name][6] == version.body_sha256
    assert '\'=HYPERLINK("http://evil")' in by_name  # formula neutralised
    assert by_name['\'=HYPERLINK("http://evil")'][7] == "ei"


# --- consultation ------------------------------------------------------------------------------------------


def test_comments_are_private_during_consultation_and_public_after(people, login_as):
    version = factories.RulesVersionFactory(label="1.1", consultation=True)
    provider = login_as("provider_user")
    response = provider.post_form(
        "/rules/1.1/comments", {"section": "2. Tietosuoja", "body": "Lisätkää alihankkijat."}, page="/rules/1.1"
    )
    assert response.status_code == 302
    comment = db.session.scalar(sa.select(RulesComment))
    assert (comment.section, comment.organisation_id) == ("2. Tietosuoja", people["provider"].id)
    assert "Lisätkää alihankkijat." in provider.get("/rules/1.1").get_data(as_text=True)
    assert "Lisätkää alihankkijat." not in login_as(None).get("/rules/1.1").get_data(as_text=True)
    assert "Lisätkää alihankkijat." not in login_as("buyer").get("/rules/1.1").get_data(as_text=True)

    coordinator = login_as("coordinator")
    assert "Lisätkää alihankkijat." in coordinator.get("/rules/1.1").get_data(as_text=True)
    coordinator.post_form(
        f"/rules/comments/{comment.id}/response", {"response": "Lisätään versioon 1.1."}, page="/rules/1.1"
    )
    assert db.session.get(RulesComment, comment.id).response == "Lisätään versioon 1.1."

    version.consultation_closes_on = helsinki_today() - timedelta(days=1)
    db.session.commit()
    public = login_as(None).get("/rules/1.1").get_data(as_text=True)
    assert "Lisätkää alihankkijat." in public and people["provider"].name in public
    assert "Lisätään versioon 1.1." in public


def test_comment_on_a_closed_consultation_is_refused_and_kept_on_the_page(people, login_as):
    factories.RulesVersionFactory(
        label="1.1", consultation=True, consultation_closes_on=helsinki_today() - timedelta(days=1)
    )
    response = login_as("buyer").post_form(
        "/rules/1.1/comments", {"body": "Myöhästynyt mutta tärkeä huomio"}, page="/rules/1.1"
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Myöhästynyt mutta tärkeä huomio" in html and "suljettu" in html
    assert db.session.scalar(sa.select(sa.func.count(RulesComment.id))) == 0


def test_comment_with_an_unknown_section_is_refused(people, login_as):
    factories.RulesVersionFactory(label="1.1", consultation=True)
    response = login_as("buyer").post_form(
        "/rules/1.1/comments", {"section": "99. Keksitty", "body": "x"}, page="/rules/1.1"
    )
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(RulesComment.id))) == 0


def test_people_without_organisation_and_coordinators_do_not_comment(people, login_as):
    factories.RulesVersionFactory(label="1.1", consultation=True)
    assert login_as("no_org").post_form("/rules/1.1/comments", {"body": "x"}, page="/rules/1.1").status_code == 403
    assert login_as("coordinator").post_form("/rules/1.1/comments", {"body": "x"}, page="/rules/1.1").status_code == 403
    anonymous = login_as(None).post_form("/rules/1.1/comments", {"body": "x"}, page="/rules/1.1")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")


# --- pages ---------------------------------------------------------------------------------------------------------


def test_hostile_markdown_never_reaches_the_page(people, login_as):
    factories.RulesVersionFactory(label="1.0", in_force=True, body=HOSTILE)
    for client in (login_as(None), login_as("coordinator")):
        for path in ("/rules", "/rules/1.0"):
            html = client.get(path).get_data(as_text=True)
            assert "<script>alert" not in html and "javascript:" not in html and "onerror" not in html
            assert "<strong>teksti</strong>" in html


def test_diff_shows_what_was_added_and_removed(client):
    factories.RulesVersionFactory(
        label="1.0", in_force=True, body="# 1. Tarkoitus\n\nTiedot säilytetään EU-alueella.\n\n# 2. Loppu\n"
    )
    factories.RulesVersionFactory(
        label="1.1",
        consultation=True,
        body="# 1. Tarkoitus\n\nTiedot säilytetään EU- tai ETA-alueella.\n\n# 2. Loppu\n\nUusi kappale.\n",
    )
    html = client.get("/rules/diff/1.0/1.1").get_data(as_text=True)
    assert "<del>EU-alueella.</del>" in html
    assert "<ins>EU- tai ETA-alueella.</ins>" in html
    assert "<ins>Uusi kappale.</ins>" in html
    assert "3 riviä lisätty, 1 rivi poistettu" in html


def test_translation_is_shown_in_swedish_with_a_note(client):
    version = factories.RulesVersionFactory(label="1.0", in_force=True)
    factories.RulesTranslationFactory(version=version, locale="sv", title="Spelregler", body="# 1. Syfte\n\nAlla.")
    sv = client.get("/rules", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert "Spelregler" in sv and "Syfte" in sv
    en = client.get("/rules", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Tarkoitus" in en and 'lang="fi"' in en  # Finnish text shown, marked as Finnish


def test_demo_scenario_adopting_1_1_asks_the_provider_to_accept_again(app, runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert _version("1.0").status == "in_force" and _version("1.1").status == "consultation"
    provider_client = app.test_client()
    provider_client.login("provider@example.com", "digione-demo")
    response = provider_client.post_form(
        "/rules/1.1/comments", {"section": "", "body": "Kannatamme muutosta."}, page="/rules/1.1"
    )
    assert response.status_code == 302
    assert "/rules/1.1/accept" not in provider_client.get("/").get_data(as_text=True)

    coordinator = app.test_client()
    coordinator.login("coordinator@example.com", "digione-demo")
    today = helsinki_today()
    from governance.steering.models import Decision

    decision = db.session.scalar(sa.select(Decision).where(Decision.reference == "OR 2/2026 § 1"))
    response = coordinator.post_form(
        "/rules/1.1/adopt", {"decision": str(decision.id), "effective_date": today.isoformat()}, page="/rules/1.1/adopt"
    )
    assert response.status_code == 302
    assert _version("1.1").status == "in_force" and _version("1.0").status == "superseded"
    assert "/rules/1.1/accept" in provider_client.get("/").get_data(as_text=True)
    assert db.session.scalar(
        sa.select(OutboxMessage).where(
            OutboxMessage.recipient == "provider@example.com", OutboxMessage.body.contains("1.1")
        )
    )


def test_rules_sections_sit_under_the_page_heading(client):
    factories.RulesVersionFactory(label="1.0", in_force=True)
    version_page = client.get("/rules/1.0").get_data(as_text=True)
    assert version_page.count("<h1>") == 1 and "<h2>1. Tarkoitus</h2>" in version_page
    rules_page = client.get("/rules").get_data(as_text=True)
    assert rules_page.count("<h1>") == 1 and "<h3>1. Tarkoitus</h3>" in rules_page


@pytest.mark.parametrize("problem", ["wrong_kind", "not_in_effect", "tactical_body"])
def test_adoption_needs_the_steering_groups_decision_in_effect(people, login_as, problem):
    factories.RulesVersionFactory(label="2.0", consultation=True)
    if problem == "wrong_kind":
        decision = factories.DecisionFactory(item__decision_kind="strategy")
    elif problem == "not_in_effect":
        decision = factories.DecisionFactory(
            item__decision_kind="rules_adoption", item__meeting__status="held", title="Pelisäännöt 2.0"
        )
    else:
        decision = factories.DecisionFactory(
            item__decision_kind="rules_adoption", item__meeting__body__level="tactical", title="Pelisäännöt 2.0"
        )
    response = login_as("coordinator").post_form(
        "/rules/2.0/adopt", {"decision": str(decision.id), "effective_date": "2026-12-01"}, page="/rules/2.0/adopt"
    )
    assert response.status_code == 200
    assert _version("2.0").status == "consultation"


def test_adoption_cites_only_a_decision_about_this_version_and_only_once(people, login_as):
    """A steering-group decision adopts the version it names, and no other: a decision about another
    version is neither offered nor accepted, and a decision already cited cannot be cited again."""
    factories.RulesVersionFactory(label="2.0", consultation=True)
    factories.RulesVersionFactory(label="2.1", consultation=True)
    for_2_0 = factories.DecisionFactory(item__decision_kind="rules_adoption", title="Pelisääntöjen 2.0 hyväksyminen")
    for_2_10 = factories.DecisionFactory(item__decision_kind="rules_adoption", title="Pelisääntöjen 2.10 hyväksyminen")
    coordinator = login_as("coordinator")
    page = coordinator.get("/rules/2.1/adopt").get_data(as_text=True)
    assert for_2_0.reference not in page and for_2_10.reference not in page
    form = {"decision": str(for_2_0.id), "effective_date": helsinki_today().isoformat()}
    refused = coordinator.post_form("/rules/2.1/adopt", form, page="/rules/2.1/adopt")
    assert refused.status_code == 200 and 'class="field-error"' in refused.get_data(as_text=True)
    assert _version("2.1").status == "consultation"
    with (
        coordinator.application.test_request_context(),  # the rule itself, whatever the form offers
        pytest.raises(services.ServiceError, match=r"ei koske versiota 2\.1|not about version 2\.1"),
    ):
        services.adopt(
            people["coordinator"], _version("2.1"), db.session.get(type(for_2_0), for_2_0.id), helsinki_today()
        )
    assert for_2_0.reference in coordinator.get("/rules/2.0/adopt").get_data(as_text=True)
    assert coordinator.post_form("/rules/2.0/adopt", form, page="/rules/2.0/adopt").status_code == 302
    assert _version("2.0").adoption_decision_id == for_2_0.id
    # The same decision, even if its text named 2.1 as well, cannot adopt a second version.
    for_2_0.text = "Hyväksytään 2.0; versiota 2.1 valmistellaan."
    db.session.commit()
    with coordinator.application.test_request_context(), pytest.raises(services.ServiceError, match=r"2\.0"):
        services.adopt(
            people["coordinator"], _version("2.1"), db.session.get(type(for_2_0), for_2_0.id), helsinki_today()
        )
