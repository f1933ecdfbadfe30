"""A meeting of the management team in a real browser: the secretary publishes
the agenda, starts the meeting, records attendance with a deputy standing in,
a member declares a conflict of interest, a vote is taken, the item is decided,
the meeting closes and the minutes are approved and signed. Every page visited
passes axe-core's WCAG 2.1 AA checks."""

from __future__ import annotations

from datetime import datetime

from playwright.sync_api import Page, expect

from app.clock import HELSINKI
from tests import factories
from tests.browser.support import sign_in


def test_a_meeting_from_agenda_to_signed_minutes(page: Page, site: str, axe, people, new_context):
    ohjaus = factories.BodyFactory(code="OR", name="Ohjausryhmä", level="strategic")
    jt = factories.BodyFactory(
        code="JT",
        name="Johtoryhmä",
        level="tactical",
        parent=ohjaus,
        mandate=["listing_policy", "operational", "information"],
    )
    names = ["Chair", "Anna", "Bertta", "Cecilia", "Deputy"]
    users = {n: factories.UserFactory(name=f"{n} Jäsen", email=f"{n.lower()}@example.com") for n in names}
    m = factories.MembershipFactory
    seats = {
        "chair": m(body=jt, user=users["Chair"], role="chair"),
        "anna": m(body=jt, user=users["Anna"]),
        "bertta": m(body=jt, user=users["Bertta"]),
        "cecilia": m(body=jt, user=users["Cecilia"]),
    }
    m(body=jt, user=users["Deputy"], role="deputy", deputy_of=seats["anna"])
    m(body=jt, user=people["secretary"], role="secretary", voting=False)
    meeting = factories.MeetingFactory(body=jt, number=4, starts_at=datetime(2026, 12, 3, 13, tzinfo=HELSINKI))
    case = factories.CaseFactory(title="Luettelointiperiaatteiden päivitys", awaiting_body=None)
    item = factories.AgendaItemFactory(
        meeting=meeting,
        case=case,
        section=1,
        decision_kind="listing_policy",
        proposal="Hyväksytään päivitetyt luettelointiperiaatteet.",
    )
    # A matter above the management team's mandate: it can only be referred up to the steering group.
    strategy = factories.AgendaItemFactory(
        meeting=meeting,
        case=factories.CaseFactory(title="Ekosysteemin strategian päivitys", awaiting_body=None),
        section=2,
        decision_kind="strategy",
        proposal="Esitetään ohjausryhmälle strategian päivitystä.",
    )

    sign_in(page, site, people["secretary"].email)
    page.goto(f"{site}/bodies/JT")
    assert axe(page) == []
    page.goto(f"{site}/meetings/{meeting.id}")
    assert axe(page) == []
    page.get_by_role("button", name="Julkaise esityslista").click()
    page.get_by_role("button", name="Avaa kokous").click()
    # Anna is away; her personal deputy stands in.
    for key in ("chair", "bertta", "cecilia"):
        page.locator(f"#present-{seats[key].id}").check()
    deputy_row = page.locator("tr", has_text="Deputy Jäsen")
    deputy_row.locator("input[name='present']").check()
    deputy_row.locator("input[type='checkbox'][name^='stands_in_']").check()
    page.get_by_role("button", name="Tallenna läsnäolo").click()
    expect(page.get_by_text("Läsnäolotiedot tallennettiin.")).to_be_visible()
    expect(page.locator("#quorum")).to_contain_text("4")
    assert axe(page) == []

    # Cecilia declares a conflict of interest herself.
    cecilia = new_context().new_page()
    cecilia.set_default_timeout(10_000)
    sign_in(cecilia, site, "cecilia@example.com")
    cecilia.goto(f"{site}/items/{item.id}")
    cecilia.locator("#membership").select_option(str(seats["cecilia"].id))
    cecilia.get_by_label("Esteellisyyden peruste").fill("Puoliso palveluntarjoajan palveluksessa.")
    cecilia.get_by_role("button", name="Kirjaa esteellisyys").click()
    expect(cecilia.get_by_text("Puoliso palveluntarjoajan palveluksessa.")).to_be_visible()
    assert axe(cecilia) == []

    # A counter-proposal is moved and seconded; the secretary records the votes.
    page.goto(f"{site}/items/{item.id}")
    page.locator("#vote summary").click()
    page.get_by_label("Vastaehdotus").fill("Palautetaan valmisteluun.")
    page.get_by_label("Ehdotuksen tekijä").select_option(str(seats["bertta"].id))
    page.get_by_label("Kannattaja").select_option(label="Deputy Jäsen")
    page.get_by_role("button", name="Aloita äänestys").click()
    assert axe(page) == []
    page.locator(f"#ballot-{seats['chair'].id}-proposal").check()
    page.locator(f"#ballot-{seats['bertta'].id}-counter").check()
    deputy_id = page.locator("fieldset", has_text="Deputy Jäsen").locator("input").first.get_attribute("name")
    page.locator(f"input[name='{deputy_id}'][value='proposal']").check()
    page.get_by_role("button", name="Kirjaa äänet").click()
    page.get_by_role("button", name="Sulje äänestys").click()
    expect(page.get_by_text("Päätösehdotus voitti.", exact=False)).to_be_visible()
    page.get_by_label("Ratkaisu").select_option("approved_after_vote")
    page.get_by_role("button", name="Kirjaa päätös").click()
    expect(page.get_by_text("Päätös kirjattiin.", exact=False)).to_be_visible()
    assert axe(page) == []

    # The second item is referred up to the steering group.
    page.goto(f"{site}/items/{strategy.id}")
    page.get_by_label("Ratkaisu").select_option("referred_up")
    page.get_by_role("button", name="Kirjaa päätös").click()
    expect(page.get_by_text("Päätös kirjattiin.", exact=False)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Siirrettiin ylemmälle toimielimelle")
    assert axe(page) == []

    # The meeting closes; the minutes are drafted, checked and signed.
    page.goto(f"{site}/meetings/{meeting.id}")
    page.get_by_role("button", name="Päätä kokous").click()
    page.get_by_role("button", name="Laadi pöytäkirjaluonnos").click()
    page.goto(f"{site}/meetings/{meeting.id}/minutes")
    expect(page.locator(".minutes")).to_contain_text("Puoliso palveluntarjoajan palveluksessa.")
    assert axe(page) == []
    page.get_by_label("Ensimmäinen pöytäkirjantarkastaja").select_option(str(users["Bertta"].id))
    page.get_by_label("Toinen pöytäkirjantarkastaja").select_option(str(users["Chair"].id))
    page.get_by_role("button", name="Valitse pöytäkirjantarkastajat").click()
    for who in ("bertta", "chair"):
        checker = new_context().new_page()
        checker.set_default_timeout(10_000)
        sign_in(checker, site, f"{who}@example.com")
        checker.goto(f"{site}/meetings/{meeting.id}/minutes")
        checker.get_by_role("button", name="Tarkasta pöytäkirja pöytäkirjantarkastajana").click()
        if who == "chair":
            checker.get_by_role("button", name="Allekirjoita puheenjohtajana").click()
    page.reload()
    page.get_by_role("button", name="Allekirjoita sihteerinä").click()
    expect(page.get_by_text("Tarkastettu ja lukittu", exact=False)).to_be_visible()
    assert axe(page) == []

    # The decisions are public now: in the register and in its Atom feed.
    visitor = new_context().new_page()
    visitor.set_default_timeout(10_000)
    visitor.goto(f"{site}/register")
    visitor.get_by_role("heading", name="Luettelointiperiaatteiden päivitys").get_by_role("link").click()
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("Luettelointiperiaatteiden päivitys")
    assert axe(visitor) == []
    visitor.goto(f"{site}/register?q=strategia")
    expect(visitor.get_by_role("heading", name="Ekosysteemin strategian päivitys")).to_be_visible()
    feed = visitor.request.get(f"{site}/register/feed.atom")
    assert feed.ok and "Luettelointiperiaatteiden päivitys" in feed.text()
    assert "Ekosysteemin strategian päivitys" in feed.text()
