"""Demo rules: version 1.0 in force and accepted by the demo providers, and a
draft 1.1 open for comment. Idempotent; never commits."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from app.clock import helsinki_today
from app.extensions import db
from app.models import Organisation, OrgKind, OrgRole, User
from governance.rules import services
from governance.rules.models import RulesStatus, RulesVersion
from governance.steering.models import Decision

RULES_1_0 = """\
# 1. Tarkoitus

Nämä pelisäännöt koskevat jokaista palveluntarjoajaa, joka tarjoaa digitaalisia oppimispalveluja
ekosysteemin kautta perusopetukselle ja lukiokoulutukselle. Säännöt luovat luottamusta kuntien,
koulujen, oppijoiden ja huoltajien sekä palveluntarjoajien välille.

# 2. Tietosuoja

Palveluntarjoaja toimii henkilötietojen käsittelijänä, ja kunta on rekisterinpitäjä.
Oppijoiden tietoja ei myydä, eikä niitä käytetä markkinointiin, kohdennettuun mainontaan eikä kaupalliseen profilointiin.
Tiedot säilytetään EU- tai ETA-alueella.

# 3. Saavutettavuus

Palvelut täyttävät WCAG 2.1 AA -tason vaatimukset, ja palvelulla on julkinen saavutettavuusseloste.

# 4. Yhteentoimivuus

Palvelut tukevat MPASSid-kirjautumista ja avoimia rajapintoja, kuten LTI 1.3 ja OneRoster 1.2.

# 5. Hinnoittelu ja avoimuus

Hinnat ilmoitetaan luettelossa ilman arvonlisäveroa ja arvonlisäveron kanssa. Hinnoittelumalli on julkinen.

# 6. Sääntöjen rikkominen

Koordinaattori voi pyytää korjaamaan puutteen. Vakavista tai toistuvista rikkomuksista päättää ohjausryhmä.
"""

RULES_1_1 = RULES_1_0.replace(
    "Tiedot säilytetään EU- tai ETA-alueella.",
    "Tiedot säilytetään EU- tai ETA-alueella. Alihankkijat ja niiden sijainti ilmoitetaan kunnalle etukäteen.",
).replace(
    "# 6. Sääntöjen rikkominen",
    "# 6. Tietoturvapoikkeamat\n\nTietoturvapoikkeamasta ilmoitetaan kunnalle viipymättä ja viimeistään 24 tunnin kuluessa.\n\n"
    "# 7. Sääntöjen rikkominen",
)

RULES_1_0_SV = """\
# 1. Syfte

Dessa spelregler gäller varje tjänsteleverantör som erbjuder digitala lärtjänster via ekosystemet
för den grundläggande utbildningen och gymnasieutbildningen.

# 2. Dataskydd

Tjänsteleverantören är personuppgiftsbiträde och kommunen är personuppgiftsansvarig.
Elevernas uppgifter säljs inte och används inte för marknadsföring, riktad reklam eller kommersiell profilering.
Uppgifterna förvaras inom EU eller EES.

# 3. Tillgänglighet

Tjänsterna uppfyller kraven på nivå WCAG 2.1 AA och har ett offentligt tillgänglighetsutlåtande.

# 4. Interoperabilitet

Tjänsterna stöder inloggning med MPASSid och öppna gränssnitt som LTI 1.3 och OneRoster 1.2.

# 5. Prissättning och öppenhet

Priserna anges i katalogen utan och med mervärdesskatt. Prismodellen är offentlig.

# 6. Brott mot reglerna

Koordinatorn kan begära att en brist åtgärdas. Om allvarliga eller upprepade brott beslutar styrgruppen.
"""


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def load() -> None:
    coordinator = _user("coordinator@example.com")
    if coordinator is None or services.version_by_label("1.0") is not None:
        return
    today = helsinki_today()
    v10 = services.create_draft(
        coordinator,
        "1.0",
        "DigiOne-ekosysteemin pelisäännöt",
        RULES_1_0,
        {"sv": ("DigiOne-ekosystemets spelregler", RULES_1_0_SV)},
    )
    services.open_consultation(coordinator, v10, date(2026, 1, 31), today=date(2026, 1, 1))
    decision = db.session.scalar(sa.select(Decision).where(Decision.reference == "OR 1/2026 § 3"))
    services.adopt(coordinator, v10, decision, date(2026, 3, 1))
    services.activate_due_versions(today=max(today, date(2026, 3, 1)))
    providers = db.session.scalars(
        sa.select(User)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(Organisation.kind == OrgKind.PROVIDER.value, User.org_role == OrgRole.ADMIN.value)
        .order_by(User.id)
    )
    for admin in providers:
        services.accept(admin, v10, admin.name, "toimitusjohtaja", True, "127.0.0.1", v10.body_sha256)

    v11 = services.create_draft(coordinator, "1.1", "DigiOne-ekosysteemin pelisäännöt", RULES_1_1)
    services.open_consultation(coordinator, v11, today + timedelta(days=30), today=today)
    buyer = _user("buyer.vantaa@example.com")
    if buyer is not None:
        services.add_comment(
            buyer,
            v11,
            "6. Tietoturvapoikkeamat",
            "Ehdotamme, että ilmoitus tehdään myös koulun rehtorille.",
            today=today,
        )
    assert (
        db.session.scalar(
            sa.select(sa.func.count(RulesVersion.id)).where(RulesVersion.status == RulesStatus.IN_FORCE.value)
        )
        == 1
    )
