"""Demo steering: the steering group OR (a representative and a personal deputy
for each of the seven cities, a non-voting coordinator presenter, a secretary),
the management team JT, two teams and a forum; OR's earlier meetings with
approved minutes (one of them adopted the rules 1.0, the other decided a case JT
referred up); JT's three meetings of the year (decisions in every quarter, one tabled);
follow-up tasks done, open and overdue; absences with and without a deputy standing in;
a JT meeting and an OR meeting being prepared. Idempotent; never commits."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from app import services as core
from app.clock import HELSINKI, helsinki_today
from app.demo import DEMO_PASSWORD, MUNICIPALITIES
from app.extensions import db, utcnow
from app.models import Organisation, OrgRole, User
from governance.steering import services
from governance.steering.models import Body, Case, DecisionKind, Level, Meeting, Resolution, Role, TaskStatus

K = DecisionKind
ALL_KINDS = [k.value for k in K]
TACTICAL = [K.LISTING_POLICY, K.PROVIDER_SUSPENSION, K.BUDGET_MINOR, K.OPERATIONAL, K.STATEMENT, K.INFORMATION]

GENITIVE = {
    "Espoo": "Espoon",
    "Jyväskylä": "Jyväskylän",
    "Lahti": "Lahden",
    "Oulu": "Oulun",
    "Tampere": "Tampereen",
    "Turku": "Turun",
    "Vantaa": "Vantaan",
}

#: (e-mail, name, organisation) of the people the demo adds for the bodies.
PEOPLE = [
    ("secretary.or@example.com", "Sari Sihteeri", "DigiOne-koordinaatio"),
    ("chair.or@example.com", "Pekka Puheenjohtaja", "Vantaa"),
    ("secretary.jt@example.com", "Jaana Sihteeri", "DigiOne-koordinaatio"),
    ("member.jt@example.com", "Mikko Jäsen", "Espoo"),
    ("chair.jt@example.com", "Johanna Johtaja", "Tampere"),
    ("jt.turku@example.com", "Tuomas Turku", "Turku"),
    ("jt.oulu@example.com", "Outi Oulu", "Oulu"),
    ("team.privacy@example.com", "Tiina Tietosuoja", "DigiOne-koordinaatio"),
    ("team.access@example.com", "Aki Saavutettava", "DigiOne-koordinaatio"),
    ("forum@example.com", "Fanni Foorumi", "DigiOne-koordinaatio"),
]


def _user(email: str) -> User | None:
    return core.find_user_by_email(email)


def _org(name: str) -> Organisation | None:
    return db.session.scalar(sa.select(Organisation).where(Organisation.name == name))


def _person(email: str, name: str, org_name: str, role: OrgRole = OrgRole.MEMBER) -> User:
    user = _user(email)
    if user is None:
        user = User(
            email=email,
            name=name,
            password_hash=core.hash_password(DEMO_PASSWORD),
            organisation=_org(org_name),
            org_role=role.value,
            locale="fi",
            email_confirmed_at=utcnow(),
        )
        db.session.add(user)
        db.session.flush()
    return user


def _at(day: date, hour: int = 13) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=HELSINKI)


def _held_meeting(
    actor: User,
    body: Body,
    number: int,
    day: date,
    items: list[tuple],
    checkers: tuple[User, User],
    chair: User,
    secretary: User,
    absent: tuple[str, ...] = (),
    place: str = "Helsinki, Pasila",
) -> Meeting:
    """A meeting that was held and whose minutes were approved and signed. An item's title may
    be a case already waiting for the body (referred up); a member in `absent` (e-mail) stays
    away, and their personal deputy, if they have one, stands in."""
    meeting = services.create_meeting(actor, body, number, _at(day), place, "")
    for title, kind, proposal, _resolution, _text in items:
        if isinstance(title, Case):
            case = title
        else:
            case = services.create_case(actor, body, title, False, "")
            # Opened some weeks before the meeting (the dashboards' days from a case to its decision).
            case.created_at = _at(day) - timedelta(days=14 + (len(title) * 7) % 50)
        services.add_item(actor, meeting, case, kind.value, proposal, None)
    services.publish_agenda(actor, meeting)
    services.start_session(actor, meeting)
    db.session.flush()
    memberships = services.active_memberships(meeting)
    away = {m.id for m in memberships if m.user.email in absent}
    present = {m.id for m in memberships if m.role != Role.DEPUTY and m.id not in away}
    stand_ins = {
        m.id: m.deputy_of_id
        for m in memberships
        if m.role == Role.DEPUTY and m.deputy_of_id in away and m.id not in away
    }
    services.record_attendance(actor, meeting, present | set(stand_ins), stand_ins)
    for item, (_t, _k, _p, resolution, text) in zip(meeting.items, items, strict=True):
        services.decide(actor, item, resolution, text)
    services.close_meeting(actor, meeting)
    minutes = services.create_minutes(actor, meeting)
    services.set_checkers(actor, meeting, *checkers)
    services.approve_as_checker(checkers[0], minutes)
    services.approve_as_checker(checkers[1], minutes)
    services.sign(chair, minutes, Role.CHAIR)
    services.sign(secretary, minutes, Role.SECRETARY)
    return meeting


def _task(
    actor: User,
    meeting: Meeting,
    section: int,
    description: str,
    due_on: date,
    owner_body: Body | None,
    owner_user: User | None,
    status: TaskStatus = TaskStatus.NOT_STARTED,
    note: str = "",
) -> None:
    """A follow-up task of a decision, made on the day of the meeting."""
    decision = next(i.decision for i in meeting.items if i.section == section)
    task = services.add_task(actor, decision, description, due_on, owner_body, owner_user)
    task.created_at = meeting.starts_at
    if status != TaskStatus.NOT_STARTED:
        services.update_task(actor, task, status, note)


def load() -> None:
    coordinator = _user("coordinator@example.com")
    if coordinator is None or services.body_by_code("OR") is not None:
        return
    people = {email: _person(email, name, org) for email, name, org in PEOPLE}
    start = date(2026, 1, 1)

    ohjausryhma = Body(code="OR", name="Ohjausryhmä", level=Level.STRATEGIC.value, mandate=ALL_KINDS)
    johtoryhma = Body(
        code="JT",
        name="Johtoryhmä",
        level=Level.TACTICAL.value,
        parent=ohjausryhma,
        mandate=[k.value for k in TACTICAL],
    )
    teams = [
        Body(
            code="T-01",
            name="Tietosuojatiimi",
            level=Level.OPERATIONAL.value,
            parent=johtoryhma,
            mandate=[K.OPERATIONAL.value, K.INFORMATION.value],
        ),
        Body(
            code="T-02",
            name="Saavutettavuustiimi",
            level=Level.OPERATIONAL.value,
            parent=johtoryhma,
            mandate=[K.OPERATIONAL.value, K.INFORMATION.value],
        ),
        Body(
            code="F-01",
            name="Asiantuntijafoorumi",
            level=Level.FORUM.value,
            parent=johtoryhma,
            mandate=[K.STATEMENT.value, K.INFORMATION.value],
        ),
    ]
    db.session.add_all([ohjausryhma, johtoryhma, *teams])
    db.session.flush()

    add = services.add_membership
    for city, _code, _bid in MUNICIPALITIES:
        slug = city.lower().replace("ä", "a").replace("ö", "o")
        org = _org(city)
        if city == "Vantaa":
            rep = people["chair.or@example.com"]
            role = Role.CHAIR
        else:
            rep = _person(f"or.{slug}@example.com", f"{GENITIVE[city]} edustaja", city)
            role = Role.MEMBER
        seat = add(coordinator, ohjausryhma, rep, role, True, start, None, org.id if org else None)
        deputy = _person(f"or.{slug}.deputy@example.com", f"{GENITIVE[city]} varajäsen", city)
        add(coordinator, ohjausryhma, deputy, Role.DEPUTY, True, start, None, org.id if org else None, deputy_of=seat)
    add(coordinator, ohjausryhma, coordinator, Role.PRESENTER, False, start)
    add(coordinator, ohjausryhma, people["secretary.or@example.com"], Role.SECRETARY, False, start)

    add(
        coordinator,
        johtoryhma,
        people["chair.jt@example.com"],
        Role.CHAIR,
        True,
        start,
        None,
        people["chair.jt@example.com"].organisation_id,
    )
    for email in ("member.jt@example.com", "jt.turku@example.com", "jt.oulu@example.com"):
        add(coordinator, johtoryhma, people[email], Role.MEMBER, True, start, None, people[email].organisation_id)
    add(coordinator, johtoryhma, people["secretary.jt@example.com"], Role.SECRETARY, False, start)
    add(coordinator, johtoryhma, coordinator, Role.PRESENTER, False, start)
    add(coordinator, teams[0], people["team.privacy@example.com"], Role.CHAIR, True, start)
    add(coordinator, teams[1], people["team.access@example.com"], Role.CHAIR, True, start)
    add(coordinator, teams[2], people["forum@example.com"], Role.CHAIR, True, start)
    add(coordinator, teams[2], people["team.privacy@example.com"], Role.EXPERT, False, start)
    db.session.flush()

    chair, secretary = people["chair.or@example.com"], people["secretary.or@example.com"]
    checkers = (_user("or.espoo@example.com"), _user("or.oulu@example.com"))
    _held_meeting(
        secretary,
        ohjausryhma,
        1,
        date(2026, 2, 10),
        [
            (
                "Ekosysteemin toimintasuunnitelma 2026",
                K.STRATEGY,
                "Hyväksytään toimintasuunnitelma.",
                Resolution.APPROVED,
                "Toimintasuunnitelma 2026 hyväksyttiin.",
            ),
            ("Johtoryhmän kokoonpano", K.INFORMATION, "Merkitään tiedoksi.", Resolution.NOTED, "Merkittiin tiedoksi."),
            (
                "Ekosysteemin pelisääntöjen version 1.0 hyväksyminen",
                K.RULES_ADOPTION,
                "Hyväksytään pelisäännöt 1.0 voimaan 1.3.2026.",
                Resolution.APPROVED,
                "Pelisäännöt 1.0 hyväksyttiin. Ne tulevat voimaan 1.3.2026.",
            ),
        ],
        checkers,
        chair,
        secretary,
    )
    jt_checkers = (people["member.jt@example.com"], people["jt.turku@example.com"])
    jt_chair, jt_secretary = people["chair.jt@example.com"], people["secretary.jt@example.com"]
    or_1 = db.session.scalar(sa.select(Meeting).where(Meeting.body_id == ohjausryhma.id, Meeting.number == 1))
    _task(
        secretary,
        or_1,
        1,
        "Toimintasuunnitelman väliraportti ohjausryhmälle.",
        date(2026, 8, 31),
        johtoryhma,
        None,
        TaskStatus.IN_PROGRESS,
        "Luonnos valmis, kuntien luvut puuttuvat vielä.",
    )
    _task(
        secretary,
        or_1,
        3,
        "Pelisääntöjen 1.0 tiedottaminen palveluntarjoajille ja kunnille.",
        date(2026, 3, 15),
        None,
        coordinator,
        TaskStatus.DONE,
        "Tiedote lähetetty 2.3.2026.",
    )

    # The management team's year: decisions in every quarter, one case referred up to OR.
    jt_1 = _held_meeting(
        jt_secretary,
        johtoryhma,
        1,
        date(2026, 3, 17),
        [
            (
                "Palvelukuvausten vähimmäistiedot",
                K.LISTING_POLICY,
                "Hyväksytään palvelukuvausten vähimmäistiedot.",
                Resolution.APPROVED,
                "Vähimmäistiedot hyväksyttiin liitteen mukaisina.",
            ),
            (
                "Koordinaation kustannusarvion tarkennus 2026",
                K.BUDGET_MINOR,
                "Hyväksytään tarkennettu kustannusarvio.",
                Resolution.APPROVED_AMENDED,
                "Kustannusarvio hyväksyttiin muutettuna: koulutusten osuutta lisättiin.",
            ),
            (
                "Saavutettavuustiimin raportti, 1. neljännes",
                K.INFORMATION,
                "Merkitään tiedoksi.",
                Resolution.NOTED,
                "Merkittiin tiedoksi.",
            ),
        ],
        jt_checkers,
        jt_chair,
        jt_secretary,
        place="Teams",
    )
    _task(
        jt_secretary,
        jt_1,
        1,
        "Palvelukuvausten ohjeen päivitys palveluntarjoajille.",
        date(2026, 5, 31),
        None,
        coordinator,
        TaskStatus.DONE,
        "Ohje julkaistu.",
    )
    jt_2 = _held_meeting(
        jt_secretary,
        johtoryhma,
        2,
        date(2026, 6, 9),
        [
            (
                "Ekosysteemin budjetin korotus vuodelle 2027",
                K.BUDGET_MAJOR,
                "Esitetään ohjausryhmälle budjetin korotusta 12 prosentilla.",
                Resolution.REFERRED_UP,
                "Asia ylittää johtoryhmän toimivallan ja siirrettiin ohjausryhmän päätettäväksi.",
            ),
            (
                "Integraatiostandardien suositus (LTI 1.3, OneRoster 1.2)",
                K.OPERATIONAL,
                "Hyväksytään suositus.",
                Resolution.APPROVED,
                "Suositus hyväksyttiin; palveluntarjoajille siirtymäaika 31.12.2026 asti.",
            ),
            (
                "Markkinointievästeet palvelussa: palveluntarjoajan huomautus",
                K.PROVIDER_SUSPENSION,
                "Annetaan palveluntarjoajalle huomautus ja 30 päivän korjausaika.",
                Resolution.APPROVED,
                "Huomautus annettiin; korjaus todettiin tehdyksi heinäkuussa.",
            ),
        ],
        jt_checkers,
        jt_chair,
        jt_secretary,
        absent=("jt.oulu@example.com",),
        place="Teams",
    )
    _task(
        jt_secretary,
        jt_2,
        2,
        "Standardisuosituksen tarkistuslista palvelujen arviointiin.",
        date(2026, 9, 30),
        teams[0],
        None,
        TaskStatus.IN_PROGRESS,
        "Tarkistuslistan luonnos kommenteilla.",
    )
    jt_3 = _held_meeting(
        jt_secretary,
        johtoryhma,
        3,
        date(2026, 9, 22),
        [
            (
                "Lausunto opetushallinnon tiedonhallintalinjauksista",
                K.STATEMENT,
                "Annetaan lausunto liitteen mukaisena.",
                Resolution.APPROVED,
                "Lausunto annettiin liitteen mukaisena.",
            ),
            (
                "Luettelon kategoriajaon tarkistus",
                K.LISTING_POLICY,
                "Hyväksytään uusi kategoriajako.",
                Resolution.TABLED,
                "Asia jätettiin pöydälle; kuntien kommentit pyydetään ennen päätöstä.",
            ),
            (
                "Tilausten maksuehtojen yhtenäistäminen",
                K.OPERATIONAL,
                "Yhtenäistetään maksuehdoksi 30 päivää netto.",
                Resolution.APPROVED,
                "Maksuehdoksi yhtenäistettiin 30 päivää netto.",
            ),
        ],
        jt_checkers,
        jt_chair,
        jt_secretary,
        place="Helsinki, Pasila",
    )
    _task(
        jt_secretary,
        jt_3,
        1,
        "Lausunnon toimittaminen ja julkaisu.",
        date(2026, 10, 15),
        None,
        jt_secretary,
        TaskStatus.DONE,
        "Toimitettu 9.10.2026.",
    )
    _task(jt_secretary, jt_3, 3, "Maksuehtojen päivitys tilausvahvistuksiin.", date(2026, 11, 15), None, coordinator)
    _task(jt_secretary, jt_3, 3, "Maksuehtojen muutoksen tiedote kunnille.", date(2027, 1, 31), None, jt_secretary)

    referred = next(i.case for i in jt_2.items if i.section == 1)
    or_2 = _held_meeting(
        secretary,
        ohjausryhma,
        2,
        date(2026, 11, 10),
        [
            (
                "Ekosysteemin pelisääntöjen version 1.1 hyväksyminen",
                K.RULES_ADOPTION,
                "Hyväksytään pelisäännöt 1.1 lausuntokierroksen jälkeen.",
                Resolution.APPROVED,
                "Pelisäännöt 1.1 hyväksyttiin; koordinaattori vahvistaa voimaantulon lausuntojen jälkeen.",
            ),
            (
                referred,
                K.BUDGET_MAJOR,
                "Hyväksytään budjetin korotus 12 prosentilla.",
                Resolution.APPROVED_AMENDED,
                "Budjetin korotus hyväksyttiin 8 prosenttina.",
            ),
        ],
        checkers,
        chair,
        secretary,
        absent=("or.turku@example.com", "or.lahti@example.com", "or.lahti.deputy@example.com"),
    )
    _task(
        secretary,
        or_2,
        2,
        "Kuntakohtaisten maksuosuuksien laskelma vuodelle 2027.",
        date(2026, 11, 27),
        johtoryhma,
        None,
    )

    # Being prepared: JT's next meeting with three cases waiting, and OR's next one.
    today = helsinki_today()
    jt_secretary = people["secretary.jt@example.com"]
    for title, confidential, basis in [
        ("Palvelukuvausten luettelointiperiaatteiden päivitys", False, ""),
        (
            "Palveluntarjoajan sopimuksen päättäminen toistuvien tietosuojapoikkeamien vuoksi",
            True,
            "JulkL 24 § 1 mom. 20 k (liikesalaisuus)",
        ),
        ("Saavutettavuustiimin neljännesvuosiraportti", False, ""),
    ]:
        services.create_case(jt_secretary, johtoryhma, title, confidential, basis)
    # JT meets today (in the evening), so that the whole meeting can be tried out on the day the demo is
    # loaded; a meeting cannot be started before its day.
    jt_day = today
    services.create_meeting(
        jt_secretary,
        johtoryhma,
        services.next_meeting_number(johtoryhma, jt_day.year),
        _at(jt_day, 18),
        "Teams",
        "https://meet.example.fi/jt",
    )
    or_day = today + timedelta(days=21)
    services.create_meeting(
        secretary,
        ohjausryhma,
        services.next_meeting_number(ohjausryhma, or_day.year),
        _at(or_day),
        "Helsinki, Pasila",
        "",
    )
