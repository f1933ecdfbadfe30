"""Demo content for the service catalogue: fictional Finnish edtech providers and their listings.

The providers, products and business IDs are invented for demonstrations and acceptance checks; any
resemblance to real companies or products is unintended. The business IDs (Y-tunnus) have valid check
digits. Prices are in euro cents excluding VAT, VAT rates in basis points (2550 = 25.5 %).

Scenario used by the acceptance check: searching "matematiikka" finds several mathematics services, of
which exactly three are for grades 7-9 and support MPASSid.

This module is plain data and imports nothing from the application.
"""

#: (provider key, legal name, Finnish business ID)
PROVIDERS: list[tuple[str, str, str]] = [
    ("polku", "Oppimisen Polku Oy", "0831312-4"),
    ("kielisilta", "Kielisilta Oy", "0920632-0"),
    ("arviointitalo", "Arviointitalo Oy", "1572860-0"),
    ("laskupaja", "Laskupaja Oy", "2345678-0"),
    ("hyvinvointi", "Hyvä Koulupäivä Oy", "1234567-1"),
    ("tietoviisas", "Tietoviisas Oy", "7654321-2"),
]

LISTINGS: list[dict] = [
    {
        "provider": "laskupaja",
        "name": "Matikkamestari",
        "summary": (
            "Digitaalinen matematiikka 7.-9. luokille: teoria, videot ja itsestään tarkistuvat tehtävät "
            "opetussuunnitelman mukaan."
        ),
        "summary_sv": "Digitalt läromedel i matematik för årskurs 7-9 med teori, videor och självrättande uppgifter.",
        "summary_en": "Digital mathematics for grades 7-9 with theory, videos and self-checking exercises.",
        "description": (
            "Matikkamestari kattaa yläkoulun matematiikan kaikki sisältöalueet algebrasta todennäköisyyteen. "
            "Jokaisessa luvussa on lyhyt teoriaosuus, opetusvideo ja kolmen vaikeustason tehtävät.\n"
            "\n"
            "- Itsestään tarkistuvat tehtävät ja välitön palaute\n"
            "- Opettajan näkymä luokan edistymiseen\n"
            "- Eriyttävät lisätehtävät ja kertauspaketit\n"
            "\n"
            "## Käyttöönotto\n"
            "Kirjautuminen MPASSid:llä, kurssit liitetään oppimisalustaan LTI 1.3 -linkillä."
        ),
        "category": "learning_materials",
        "levels": ["grades_7_9"],
        "roles": ["learner", "teacher"],
        "subjects": ["MA"],
        "languages": ["fi", "sv"],
        "standards": ["mpassid", "lti13", "xapi"],
        "accessibility": "full",
        "accessibility_statement_url": "https://matikkamestari.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://matikkamestari.example.fi/tuki",
        "privacy_url": "https://matikkamestari.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Oppilaslisenssi",
                "model": "per_pupil_year",
                "unit_price_cents": 900,
                "vat_rate_bp": 2550,
                "min_quantity": 50,
                "notes": "Sisältää opettajan materiaalit.",
            },
            {
                "name": "Koulukohtainen lisenssi",
                "model": "per_school_year",
                "unit_price_cents": 180000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "Rajaton käyttö koulun 7.-9. luokille.",
            },
        ],
    },
    {
        "provider": "laskupaja",
        "name": "Lukujono",
        "summary": (
            "Mukautuva matematiikan harjoitusohjelma 1.-6. luokille, joka valitsee tehtävät oppilaan osaamisen mukaan."
        ),
        "summary_sv": "Adaptivt övningsprogram i matematik för årskurs 1-6.",
        "summary_en": "Adaptive mathematics practice for grades 1-6 that adjusts to each pupil's skills.",
        "description": (
            "Lukujono harjoituttaa alakoulun matematiikan perustaitoja: lukukäsitettä, peruslaskutoimituksia, "
            "murtolukuja ja mittaamista. Tehtävien vaikeus mukautuu oppilaan vastausten perusteella.\n"
            "\n"
            "- Pelillinen harjoittelu ja palkintotähdet\n"
            "- Opettaja näkee luokan osaamiskartan yhdellä silmäyksellä\n"
            "- Toimii tabletilla, Chromebookilla ja selaimessa"
        ),
        "category": "learning_materials",
        "levels": ["grades_1_6"],
        "roles": ["learner", "teacher"],
        "subjects": ["MA"],
        "languages": ["fi", "sv"],
        "standards": ["mpassid", "lti13"],
        "accessibility": "full",
        "accessibility_statement_url": "https://lukujono.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://lukujono.example.fi/tuki",
        "privacy_url": "https://lukujono.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Oppilaslisenssi",
                "model": "per_pupil_year",
                "unit_price_cents": 600,
                "vat_rate_bp": 2550,
                "min_quantity": 50,
                "notes": "",
            },
            {
                "name": "Kuntalisenssi",
                "model": "per_municipality_year",
                "unit_price_cents": 650000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "Kaikki kunnan alakoulut.",
            },
        ],
    },
    {
        "provider": "laskupaja",
        "name": "Derivaattori",
        "summary": (
            "Lukion pitkän ja lyhyen matematiikan digitaalinen oppikirja, jossa on ylioppilaskokeen tyyppiset "
            "harjoitustehtävät."
        ),
        "summary_sv": "",
        "summary_en": "",
        "description": (
            "Derivaattori sisältää lukion matematiikan kaikki moduulit (MAY, MAA ja MAB). Tehtävät tehdään samoilla "
            "työkaluilla kuin sähköisessä ylioppilaskokeessa.\n"
            "\n"
            "- Ratkaisuvideot jokaiseen tehtävään\n"
            "- Kertauskokeet QTI 3.0 -muodossa oppimisalustalle\n"
            "- Kaava- ja piirtotyökalut selaimessa"
        ),
        "category": "learning_materials",
        "levels": ["upper_secondary"],
        "roles": ["learner", "teacher"],
        "subjects": ["MA"],
        "languages": ["fi"],
        "standards": ["mpassid", "lti13", "qti30"],
        "accessibility": "partial",
        "accessibility_statement_url": "https://derivaattori.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://derivaattori.example.fi/tuki",
        "privacy_url": "https://derivaattori.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Opiskelijalisenssi",
                "model": "per_pupil_year",
                "unit_price_cents": 1400,
                "vat_rate_bp": 2550,
                "min_quantity": 30,
                "notes": "Kaikki moduulit.",
            },
            {
                "name": "Moduulilisenssi",
                "model": "per_pupil_year",
                "unit_price_cents": 400,
                "vat_rate_bp": 2550,
                "min_quantity": 30,
                "notes": "Yksi moduuli lukuvuodeksi.",
            },
        ],
    },
    {
        "provider": "laskupaja",
        "name": "Numeronikkari",
        "summary": (
            "Esiopetuksen ja alkuopetuksen matematiikan leikit, joissa harjoitellaan lukumääriä, muotoja ja vertailua."
        ),
        "summary_sv": "Lekfull matematik för förskoleundervisning och årskurs 1-2.",
        "summary_en": "Playful early mathematics for pre-primary and grades 1-2.",
        "description": (
            "Numeronikkari tuo matematiikan alkeet leikkiin: lapsi laskee, lajittelee ja rakentaa kuvioita "
            "kosketusnäytöllä. Tehtävät ovat ääniohjattuja, joten lukutaitoa ei tarvita.\n"
            "\n"
            "- Yli 200 leikkiä lukumääristä, muodoista ja vertailusta\n"
            "- Kotikäyttö huoltajan kanssa\n"
            "- Ei mainoksia eikä sovelluksen sisäisiä ostoja"
        ),
        "category": "learning_materials",
        "levels": ["pre_primary", "grades_1_6"],
        "roles": ["learner", "teacher", "guardian"],
        "subjects": ["MA"],
        "languages": ["fi", "sv", "en"],
        "standards": [],
        "accessibility": "full",
        "accessibility_statement_url": "https://numeronikkari.example.fi/saavutettavuus",
        "hosting": "eu_eea",
        "personal_data": True,
        "support_url": "https://numeronikkari.example.fi/tuki",
        "privacy_url": "https://numeronikkari.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Perusversio",
                "model": "free",
                "unit_price_cents": 0,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "40 leikkiä maksutta.",
            },
            {
                "name": "Koululisenssi",
                "model": "per_school_year",
                "unit_price_cents": 45000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "Kaikki leikit ja opettajan seuranta.",
            },
        ],
    },
    {
        "provider": "kielisilta",
        "name": "Lukulaiva",
        "summary": (
            "Ruotsinkielinen lukemisen ja kirjoittamisen oppimateriaali ruotsinkielisten koulujen 1.-6. luokille."
        ),
        "summary_sv": "Läromedel i svenska och litteratur för svenskspråkiga skolor i årskurs 1-6.",
        "summary_en": "Swedish-language reading and writing material for Swedish-medium schools, grades 1-6.",
        "description": (
            "Lukulaiva on suunniteltu ruotsinkielisten koulujen äidinkielen ja kirjallisuuden opetukseen. "
            "Materiaalissa on suomenruotsalaisten kirjailijoiden tekstejä ja ääneen luettuja kirjoja.\n"
            "\n"
            "- Tasotetut lukukirjat ja kuunneltavat tekstit\n"
            "- Kirjoitustehtävät ja sanavarastoharjoitukset\n"
            "- Opettajan oppaat ruotsiksi"
        ),
        "category": "learning_materials",
        "levels": ["grades_1_6"],
        "roles": ["learner", "teacher"],
        "subjects": ["AI"],
        "languages": ["sv"],
        "standards": ["mpassid", "lti13"],
        "accessibility": "full",
        "accessibility_statement_url": "https://lukulaiva.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://lukulaiva.example.fi/tuki",
        "privacy_url": "https://lukulaiva.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Elevlicens / oppilaslisenssi",
                "model": "per_pupil_year",
                "unit_price_cents": 700,
                "vat_rate_bp": 2550,
                "min_quantity": 25,
                "notes": "",
            },
            {
                "name": "Koululisenssi",
                "model": "per_school_year",
                "unit_price_cents": 90000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
        ],
    },
    {
        "provider": "kielisilta",
        "name": "Tunturisanat",
        "summary": (
            "Pohjoissaamenkielinen kuvasanakirja ja lukemisen harjoitukset saamenkieliseen opetukseen ja kotikäyttöön."
        ),
        "summary_sv": "Nordsamisk bildordbok och läsövningar för samiskspråkig undervisning.",
        "summary_en": "Northern Sami picture dictionary and reading exercises for Sami-medium teaching.",
        "description": (
            "Tunturisanat tukee pohjoissaamen kielen oppimista esiopetuksesta alakoulun loppuun. Sanat on äänitetty "
            "äidinkielisten puhujien lukemina, ja aiheet liittyvät lapsen arkeen ja pohjoisen luontoon.\n"
            "\n"
            "- Yli 1 500 äänitettyä sanaa kuvineen\n"
            "- Lukuharjoitukset kolmella tasolla\n"
            "- Toimii ilman kirjautumista, ei henkilötietojen käsittelyä"
        ),
        "category": "learning_materials",
        "levels": ["pre_primary", "grades_1_6"],
        "roles": ["learner", "teacher", "guardian"],
        "subjects": ["AI"],
        "languages": ["se", "fi"],
        "standards": [],
        "accessibility": "partial",
        "accessibility_statement_url": "https://tunturisanat.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": False,
        "support_url": "https://tunturisanat.example.fi/tuki",
        "privacy_url": "https://tunturisanat.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Avoin käyttö",
                "model": "free",
                "unit_price_cents": 0,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "Tuotettu saamen kielen opetuksen tukemiseksi.",
            },
        ],
    },
    {
        "provider": "kielisilta",
        "name": "Ruotsinreitti",
        "summary": (
            "B1-ruotsin digitaalinen oppimateriaali yläkouluun ja lukioon, jossa painottuu puhuminen ja arkiset "
            "tilanteet."
        ),
        "summary_sv": "Digitalt läromedel i B1-svenska för högstadiet och gymnasiet.",
        "summary_en": "Digital Swedish (B1) course for lower and upper secondary school.",
        "description": (
            "Ruotsinreitti rakentuu arkisista tilanteista, joissa oppilas harjoittelee kuullun ymmärtämistä ja "
            "puhumista. Kappaleet on äänitetty Vaasassa, Turussa ja Helsingissä.\n"
            "\n"
            "- Ääntämisharjoitukset ja parikeskustelut\n"
            "- Sanastoharjoittelu kertaavalla algoritmilla\n"
            "- Valmiit kokeet opettajalle"
        ),
        "category": "learning_materials",
        "levels": ["grades_7_9", "upper_secondary"],
        "roles": ["learner", "teacher"],
        "subjects": ["B1"],
        "languages": ["fi", "sv"],
        "standards": ["mpassid", "lti13"],
        "accessibility": "full",
        "accessibility_statement_url": "https://ruotsinreitti.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://ruotsinreitti.example.fi/tuki",
        "privacy_url": "https://ruotsinreitti.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Oppilaslisenssi",
                "model": "per_pupil_year",
                "unit_price_cents": 850,
                "vat_rate_bp": 2550,
                "min_quantity": 50,
                "notes": "",
            },
            {
                "name": "Koululisenssi",
                "model": "per_school_year",
                "unit_price_cents": 140000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
        ],
    },
    {
        "provider": "kielisilta",
        "name": "Sanavirta",
        "summary": "Englannin A1-kielen puheharjoitukset alakouluun; puheentunnistus antaa palautetta ääntämisestä.",
        "summary_sv": "",
        "summary_en": "English speaking practice for primary school with pronunciation feedback.",
        "description": (
            "Sanavirta harjoituttaa englannin puhumista laulujen, lorujen ja roolileikkien avulla. Puheentunnistus "
            "antaa oppilaalle palautetta ääntämisestä.\n"
            "\n"
            "- Ääninäytteet käsitellään EU/ETA-alueen ulkopuolella toimivassa puhepalvelussa\n"
            "- Ääninäytteitä ei tallenneta käsittelyn jälkeen\n"
            "- Opettaja voi kytkeä puheentunnistuksen pois"
        ),
        "category": "learning_materials",
        "levels": ["grades_1_6"],
        "roles": ["learner", "teacher"],
        "subjects": ["A1"],
        "languages": ["fi", "en"],
        "standards": ["lti13"],
        "accessibility": "partial",
        "accessibility_statement_url": "https://sanavirta.example.fi/saavutettavuus",
        "hosting": "outside_eea",
        "personal_data": True,
        "support_url": "https://sanavirta.example.fi/tuki",
        "privacy_url": "https://sanavirta.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Oppilaslisenssi",
                "model": "per_pupil_year",
                "unit_price_cents": 500,
                "vat_rate_bp": 2550,
                "min_quantity": 50,
                "notes": "",
            },
        ],
    },
    {
        "provider": "polku",
        "name": "Aikajana",
        "summary": (
            "Historian ja yhteiskuntaopin oppimateriaali, jossa lähteet, kartat ja aikajanat yhdistyvät tutkiviksi "
            "tehtäviksi."
        ),
        "summary_sv": "Läromedel i historia och samhällslära med källor, kartor och tidslinjer.",
        "summary_en": "History and social studies material combining sources, maps and timelines.",
        "description": (
            "Aikajana opettaa historiallista ajattelua alkuperäislähteiden avulla. Oppilas rakentaa omia aikajanoja "
            "ja vertailee tapahtumia eri näkökulmista.\n"
            "\n"
            "- Arkistolähteitä, valokuvia ja karttoja\n"
            "- Yhteiskuntaopin ajankohtaistehtävät päivittyvät kuukausittain\n"
            "- Tutkivan oppimisen projektipohjat\n"
            "\n"
            "## Käyttöönotto\n"
            "Kurssit tuodaan oppimisalustalle LTI 1.3 -linkeillä, oppilaat kirjautuvat MPASSid:llä."
        ),
        "category": "learning_materials",
        "levels": ["grades_7_9", "upper_secondary"],
        "roles": ["learner", "teacher"],
        "subjects": ["HI", "YH"],
        "languages": ["fi", "sv"],
        "standards": ["mpassid", "lti13"],
        "accessibility": "full",
        "accessibility_statement_url": "https://aikajana.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://aikajana.example.fi/tuki",
        "privacy_url": "https://aikajana.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Oppilaslisenssi",
                "model": "per_pupil_year",
                "unit_price_cents": 800,
                "vat_rate_bp": 2550,
                "min_quantity": 50,
                "notes": "",
            },
            {
                "name": "Kuntalisenssi",
                "model": "per_municipality_year",
                "unit_price_cents": 900000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "Kaikki kunnan yläkoulut ja lukiot.",
            },
        ],
    },
    {
        "provider": "polku",
        "name": "Luontokartta",
        "summary": (
            "Interaktiivinen karttapohjainen materiaali ympäristöoppiin, biologiaan ja maantietoon lähiluonnon "
            "tutkimiseen."
        ),
        "summary_sv": "Interaktivt kartmaterial för omgivningslära, biologi och geografi.",
        "summary_en": "Interactive map-based material for environmental studies, biology and geography.",
        "description": (
            "Luontokartta vie oppilaat tutkimaan Suomen luontotyyppejä, vesistöjä ja maisemia karttojen ja ilmakuvien "
            "avulla. Tehtävät sopivat sekä luokkaan että maastoretkelle.\n"
            "\n"
            "- Lajintunnistuskortit ja havaintotehtävät\n"
            "- Toimii ilman kirjautumista\n"
            "- Karttatasot luonnonsuojelualueista ja kallioperästä"
        ),
        "category": "learning_materials",
        "levels": ["grades_1_6", "grades_7_9"],
        "roles": ["learner", "teacher"],
        "subjects": ["YM", "BI", "GE"],
        "languages": ["fi", "sv", "en"],
        "standards": ["lti13"],
        "accessibility": "full",
        "accessibility_statement_url": "https://luontokartta.example.fi/saavutettavuus",
        "hosting": "eu_eea",
        "personal_data": False,
        "support_url": "https://luontokartta.example.fi/tuki",
        "privacy_url": "",
        "plans": [
            {
                "name": "Avoin perusversio",
                "model": "free",
                "unit_price_cents": 0,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
            {
                "name": "Koululisenssi",
                "model": "per_school_year",
                "unit_price_cents": 35000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "Opettajan tehtäväpaketit ja tulosteet.",
            },
        ],
    },
    {
        "provider": "laskupaja",
        "name": "Laskukoe",
        "summary": (
            "Sähköiset matematiikan kokeet yläkouluun: valmis tehtäväpankki, kaavaeditori ja automaattinen tarkistus."
        ),
        "summary_sv": "Digitala prov i matematik för årskurs 7-9 med automatisk rättning.",
        "summary_en": "Digital mathematics exams for grades 7-9 with automatic marking.",
        "description": (
            "Laskukoe säästää matematiikan opettajan aikaa: koe kootaan valmiista tehtäväpankista ja suljetut "
            "tehtävät tarkistetaan automaattisesti. Avoimet ratkaisut opettaja arvioi pisteytysohjeen avulla.\n"
            "\n"
            "- Yli 3 000 tehtävää yläkoulun matematiikan sisältöalueilta\n"
            "- Kaavaeditori ja piirtotyökalu\n"
            "- Tehtävien vienti ja tuonti QTI 3.0 -muodossa"
        ),
        "category": "assessment",
        "levels": ["grades_7_9"],
        "roles": ["learner", "teacher"],
        "subjects": ["MA"],
        "languages": ["fi", "sv"],
        "standards": ["mpassid", "qti30", "lti13"],
        "accessibility": "full",
        "accessibility_statement_url": "https://laskukoe.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://laskukoe.example.fi/tuki",
        "privacy_url": "https://laskukoe.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Opettajalisenssi",
                "model": "per_user_month",
                "unit_price_cents": 900,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "Laskutetaan lukuvuoden kuukausilta.",
            },
            {
                "name": "Koululisenssi",
                "model": "per_school_year",
                "unit_price_cents": 120000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
        ],
    },
    {
        "provider": "arviointitalo",
        "name": "Taitoseula",
        "summary": (
            "Matematiikan ja lukutaidon diagnostiset seulat, jotka tunnistavat tuen tarpeen varhaisessa vaiheessa."
        ),
        "summary_sv": "Diagnostiska test i matematik och läsning för att upptäcka stödbehov.",
        "summary_en": "",
        "description": (
            "Taitoseula sisältää normitetut seulat matematiikan perustaitoihin sekä lukemisen sujuvuuteen ja "
            "ymmärtämiseen. Tulokset ohjaavat tehostetun tuen suunnittelua.\n"
            "\n"
            "- Syksyn ja kevään seulat luokka-asteittain\n"
            "- Vertailu valtakunnalliseen viitearvoon\n"
            "- Oppilasryhmät haetaan OneRoster-rajapinnasta"
        ),
        "category": "assessment",
        "levels": ["grades_1_6", "grades_7_9"],
        "roles": ["teacher", "principal"],
        "subjects": ["MA", "AI"],
        "languages": ["fi", "sv"],
        "standards": ["lti13", "oneroster12"],
        "accessibility": "partial",
        "accessibility_statement_url": "https://taitoseula.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://taitoseula.example.fi/tuki",
        "privacy_url": "https://taitoseula.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Oppilaslisenssi",
                "model": "per_pupil_year",
                "unit_price_cents": 350,
                "vat_rate_bp": 2550,
                "min_quantity": 100,
                "notes": "",
            },
            {
                "name": "Kuntalisenssi",
                "model": "per_municipality_year",
                "unit_price_cents": 450000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
        ],
    },
    {
        "provider": "arviointitalo",
        "name": "Koeareena",
        "summary": "Sähköinen koejärjestelmä yläkouluun ja lukioon, jossa koe suoritetaan suljetussa selaintilassa.",
        "summary_sv": "Elektroniskt provsystem för högstadiet och gymnasiet.",
        "summary_en": "Electronic exam system for lower and upper secondary school.",
        "description": (
            "Koeareena on tehty koulun omiin kokeisiin. Opettaja laatii kokeen, oppilas suorittaa sen suljetussa "
            "selaintilassa ja arviointi tehdään samassa palvelussa.\n"
            "\n"
            "- Aineistotehtävät, esseet ja monivalinnat\n"
            "- Anonyymi arviointi ja kahden arvioijan malli\n"
            "- Arvosanojen siirto Wilmaan\n"
            "\n"
            "## Käyttöönotto\n"
            "Kirjautuminen MPASSid:llä tai SAML 2.0 -kertakirjautumisella."
        ),
        "category": "assessment",
        "levels": ["grades_7_9", "upper_secondary"],
        "roles": ["learner", "teacher", "principal"],
        "subjects": ["AI", "A1", "B1", "HI", "YH", "BI", "GE"],
        "languages": ["fi", "sv", "en"],
        "standards": ["mpassid", "qti30", "lti13", "saml2"],
        "accessibility": "full",
        "accessibility_statement_url": "https://koeareena.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://koeareena.example.fi/tuki",
        "privacy_url": "https://koeareena.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Koululisenssi",
                "model": "per_school_year",
                "unit_price_cents": 250000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "Sisältää käyttöönottokoulutuksen.",
            },
            {
                "name": "Kuntalisenssi",
                "model": "per_municipality_year",
                "unit_price_cents": 1800000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
        ],
    },
    {
        "provider": "arviointitalo",
        "name": "Itsearvio",
        "summary": "Itse- ja vertaisarvioinnin työkalu, joka tekee oppimisen tavoitteet näkyviksi oppilaalle.",
        "summary_sv": "",
        "summary_en": "",
        "description": (
            "Itsearviossa opettaja muotoilee tavoitteet oppilaan kielelle, ja oppilas arvioi omaa edistymistään "
            "hymiöillä, liukusäätimillä tai sanallisesti.\n"
            "\n"
            "- Valmiit pohjat laaja-alaiseen osaamiseen\n"
            "- Vertaispalaute nimettömänä tai nimellä\n"
            "- Koonnit arviointikeskusteluun"
        ),
        "category": "assessment",
        "levels": ["grades_1_6", "grades_7_9"],
        "roles": ["learner", "teacher"],
        "subjects": [],
        "languages": ["fi", "sv"],
        "standards": ["mpassid", "lti13"],
        "accessibility": "full",
        "accessibility_statement_url": "https://itsearvio.example.fi/saavutettavuus",
        "hosting": "eu_eea",
        "personal_data": True,
        "support_url": "https://itsearvio.example.fi/tuki",
        "privacy_url": "https://itsearvio.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Maksuton kokeilu",
                "model": "free",
                "unit_price_cents": 0,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "Yksi opettaja, enintään kolme ryhmää.",
            },
            {
                "name": "Koululisenssi",
                "model": "per_school_year",
                "unit_price_cents": 60000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
        ],
    },
    {
        "provider": "arviointitalo",
        "name": "Sujuvuusmittari",
        "summary": (
            "Lukemisen sujuvuuden arviointi äänitteiden avulla: oppilas lukee tekstin ääneen, ja opettaja saa luvut "
            "minuutissa."
        ),
        "summary_sv": "",
        "summary_en": "Reading fluency assessment using recordings of pupils reading aloud.",
        "description": (
            "Sujuvuusmittari tallentaa oppilaan ääneen lukeman tekstin ja laskee lukunopeuden ja virheet. Opettaja "
            "voi kuunnella äänitteen ja korjata tuloksen.\n"
            "\n"
            "- Tasotetut tekstit 1.-6. luokille\n"
            "- Seuranta lukuvuoden aikana\n"
            "- Äänitteet poistetaan automaattisesti lukuvuoden lopussa"
        ),
        "category": "assessment",
        "levels": ["grades_1_6"],
        "roles": ["learner", "teacher"],
        "subjects": ["AI", "S2"],
        "languages": ["fi", "sv"],
        "standards": ["mpassid"],
        "accessibility": "partial",
        "accessibility_statement_url": "https://sujuvuusmittari.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://sujuvuusmittari.example.fi/tuki",
        "privacy_url": "https://sujuvuusmittari.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Oppilaslisenssi",
                "model": "per_pupil_year",
                "unit_price_cents": 300,
                "vat_rate_bp": 2550,
                "min_quantity": 50,
                "notes": "",
            },
        ],
    },
    {
        "provider": "kielisilta",
        "name": "Kielitaitotutka",
        "summary": (
            "Kielitaidon tasotesti, joka sijoittaa oppilaan osaamisen eurooppalaiselle viitekehykselle kaikissa "
            "neljässä taidossa."
        ),
        "summary_sv": "Nivåtest i språkfärdighet enligt den europeiska referensramen.",
        "summary_en": "Language proficiency placement test aligned with the CEFR.",
        "description": (
            "Kielitaitotutka mittaa luetun ja kuullun ymmärtämistä, kirjoittamista ja puhumista. Tulos ilmoitetaan "
            "taitotasoasteikolla A1.1-C1.\n"
            "\n"
            "- Englanti, ruotsi, saksa, ranska ja espanja\n"
            "- Puhetehtävät äänitetään selaimessa\n"
            "- Tulosraportti oppilaalle ja opettajalle"
        ),
        "category": "assessment",
        "levels": ["grades_7_9", "upper_secondary"],
        "roles": ["learner", "teacher"],
        "subjects": ["A1", "A2", "B1", "B2"],
        "languages": ["fi", "sv", "en"],
        "standards": ["mpassid", "qti30"],
        "accessibility": "full",
        "accessibility_statement_url": "https://kielitaitotutka.example.fi/saavutettavuus",
        "hosting": "eu_eea",
        "personal_data": True,
        "support_url": "https://kielitaitotutka.example.fi/tuki",
        "privacy_url": "https://kielitaitotutka.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Testikerta",
                "model": "per_pupil_year",
                "unit_price_cents": 450,
                "vat_rate_bp": 2550,
                "min_quantity": 30,
                "notes": "Kaksi testikertaa lukuvuodessa.",
            },
        ],
    },
    {
        "provider": "arviointitalo",
        "name": "Osaamiskansio",
        "summary": "Sähköinen portfolio, johon oppilas kokoaa töitään, kuvia ja pohdintoja koko perusopetuksen ajan.",
        "summary_sv": "Elektronisk portfolio där eleven samlar sina arbeten under hela grundskolan.",
        "summary_en": "E-portfolio where pupils collect their work and reflections throughout basic education.",
        "description": (
            "Osaamiskansio näyttää oppimisen kehityksen vuosien ajalta. Se sopii erityisesti kuvataiteeseen, "
            "käsityöhön ja monialaisiin oppimiskokonaisuuksiin.\n"
            "\n"
            "- Kuvat, videot ja äänitteet suoraan tabletilta\n"
            "- Huoltaja voi katsella kansiota oppilaan luvalla\n"
            "- Kansion vienti oppilaalle koulun vaihtuessa"
        ),
        "category": "assessment",
        "levels": ["grades_1_6", "grades_7_9"],
        "roles": ["learner", "teacher", "guardian"],
        "subjects": ["KU", "KS"],
        "languages": ["fi", "sv", "en"],
        "standards": ["mpassid", "xapi", "lti13"],
        "accessibility": "full",
        "accessibility_statement_url": "https://osaamiskansio.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://osaamiskansio.example.fi/tuki",
        "privacy_url": "https://osaamiskansio.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Oppilaslisenssi",
                "model": "per_pupil_year",
                "unit_price_cents": 400,
                "vat_rate_bp": 2550,
                "min_quantity": 50,
                "notes": "",
            },
        ],
    },
    {
        "provider": "polku",
        "name": "Polkualusta",
        "summary": "Oppimisympäristö, johon opettaja kokoaa materiaalit, tehtävät ja palautteen yhteen paikkaan.",
        "summary_sv": "Lärmiljö där läraren samlar material, uppgifter och respons.",
        "summary_en": "Learning environment bringing materials, assignments and feedback together.",
        "description": (
            "Polkualusta on kotimainen oppimisympäristö perusopetukseen ja lukioon. Ryhmät päivittyvät "
            "automaattisesti oppilashallinnosta, ja ulkoiset materiaalit liitetään LTI 1.3 -linkeillä.\n"
            "\n"
            "- Tehtävien palautus, arviointi ja palaute\n"
            "- Oppimisanalytiikka xAPI-muodossa\n"
            "- Ryhmät OneRoster 1.2 -rajapinnasta\n"
            "\n"
            "## Käyttöönotto\n"
            "Käyttöönotto kestää noin kaksi viikkoa, ja siihen sisältyy pääkäyttäjien koulutus."
        ),
        "category": "learning_environment",
        "levels": ["grades_1_6", "grades_7_9", "upper_secondary"],
        "roles": ["learner", "teacher", "principal"],
        "subjects": [],
        "languages": ["fi", "sv", "en"],
        "standards": ["mpassid", "lti13", "oneroster12", "xapi", "wilma"],
        "accessibility": "full",
        "accessibility_statement_url": "https://polkualusta.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://polkualusta.example.fi/tuki",
        "privacy_url": "https://polkualusta.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Oppilaslisenssi",
                "model": "per_pupil_year",
                "unit_price_cents": 1100,
                "vat_rate_bp": 2550,
                "min_quantity": 100,
                "notes": "",
            },
            {
                "name": "Kuntalisenssi",
                "model": "per_municipality_year",
                "unit_price_cents": 2200000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "Kaikki kunnan koulut.",
            },
            {
                "name": "Käyttöönottopaketti",
                "model": "one_off",
                "unit_price_cents": 350000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "Integraatiot ja koulutus.",
            },
        ],
    },
    {
        "provider": "laskupaja",
        "name": "Geometriapaja",
        "summary": "Dynaamisen geometrian ja matematiikan mallintamisen työympäristö yläkouluun ja lukioon.",
        "summary_sv": "Arbetsmiljö för dynamisk geometri och matematisk modellering.",
        "summary_en": "Dynamic geometry and mathematical modelling workspace for secondary school.",
        "description": (
            "Geometriapajassa oppilas rakentaa kuvioita, tutkii funktioita ja tekee havaintoja liikuttamalla "
            "pisteitä. Matematiikan opettaja voi jakaa valmiita tutkimustehtäviä ryhmälle.\n"
            "\n"
            "- Geometria, funktiot ja tilastot samassa työkalussa\n"
            "- Valmiit tutkimustehtävät yläkoulun matematiikkaan\n"
            "- Tallennus ja palautus oppimisalustalle LTI 1.3:lla"
        ),
        "category": "learning_environment",
        "levels": ["grades_7_9", "upper_secondary"],
        "roles": ["learner", "teacher"],
        "subjects": ["MA"],
        "languages": ["fi", "sv", "en"],
        "standards": ["mpassid", "lti13"],
        "accessibility": "partial",
        "accessibility_statement_url": "https://geometriapaja.example.fi/saavutettavuus",
        "hosting": "eu_eea",
        "personal_data": True,
        "support_url": "https://geometriapaja.example.fi/tuki",
        "privacy_url": "https://geometriapaja.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Koululisenssi",
                "model": "per_school_year",
                "unit_price_cents": 75000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
            {
                "name": "Kuntalisenssi",
                "model": "per_municipality_year",
                "unit_price_cents": 400000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
        ],
    },
    {
        "provider": "polku",
        "name": "Koodiverstas",
        "summary": "Ohjelmoinnin harjoitteluympäristö palikkaohjelmoinnista tekstipohjaiseen koodiin.",
        "summary_sv": "",
        "summary_en": "Programming environment from block-based to text-based coding.",
        "description": (
            "Koodiverstas etenee palikkaohjelmoinnista Python-kieleen. Tehtävät liittyvät käsityön ja laaja-alaisen "
            "osaamisen tavoitteisiin, kuten robotiikkaan ja pelien tekemiseen.\n"
            "\n"
            "- Yli 150 ohjelmointitehtävää\n"
            "- Mikrokontrollerien ohjaus selaimesta\n"
            "- Opettajan valmiit tuntisuunnitelmat"
        ),
        "category": "learning_environment",
        "levels": ["grades_1_6", "grades_7_9"],
        "roles": ["learner", "teacher"],
        "subjects": ["KS"],
        "languages": ["fi", "sv"],
        "standards": ["mpassid", "lti13"],
        "accessibility": "partial",
        "accessibility_statement_url": "https://koodiverstas.example.fi/saavutettavuus",
        "hosting": "eu_eea",
        "personal_data": True,
        "support_url": "https://koodiverstas.example.fi/tuki",
        "privacy_url": "https://koodiverstas.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Maksuton perusversio",
                "model": "free",
                "unit_price_cents": 0,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "Palikkaohjelmointi ilman opettajanäkymää.",
            },
            {
                "name": "Koululisenssi",
                "model": "per_school_year",
                "unit_price_cents": 55000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
        ],
    },
    {
        "provider": "polku",
        "name": "Pikkupolku",
        "summary": (
            "Esi- ja alkuopetuksen kuvallinen oppimisympäristö, jota lapsi käyttää tabletilla ilman lukutaitoa."
        ),
        "summary_sv": "Bildbaserad lärmiljö för förskoleundervisning och nybörjarundervisning.",
        "summary_en": "",
        "description": (
            "Pikkupolussa tehtävät annetaan kuvina ja puheena. Lapsi kirjautuu QR-kortilla, ja opettaja seuraa "
            "tehtävien etenemistä omalta laitteeltaan.\n"
            "\n"
            "- Käyttöliittymä suomeksi, ruotsiksi ja pohjoissaameksi\n"
            "- Kirjautuminen QR-kortilla tai MPASSid:llä\n"
            "- Kuva- ja äänipalautus opettajalle"
        ),
        "category": "learning_environment",
        "levels": ["pre_primary", "grades_1_6"],
        "roles": ["learner", "teacher"],
        "subjects": [],
        "languages": ["fi", "sv", "se"],
        "standards": ["mpassid"],
        "accessibility": "full",
        "accessibility_statement_url": "https://pikkupolku.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://pikkupolku.example.fi/tuki",
        "privacy_url": "https://pikkupolku.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Ryhmälisenssi",
                "model": "per_school_year",
                "unit_price_cents": 30000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "Enintään neljä ryhmää.",
            },
        ],
    },
    {
        "provider": "polku",
        "name": "Piirtotaulu",
        "summary": "Yhteinen piirto- ja ideointitaulu luokan yhteistyöhön ilman kirjautumista.",
        "summary_sv": "",
        "summary_en": "",
        "description": (
            "Piirtotaulu on kevyt selainpohjainen taulu, jolle koko luokka voi kirjoittaa, piirtää ja lisätä kuvia "
            "samanaikaisesti. Taulu avataan lyhyellä koodilla.\n"
            "\n"
            "- Ei kirjautumista eikä henkilötietoja\n"
            "- Taulut poistuvat 24 tunnin kuluttua\n"
            "- Saavutettavuutta ei ole vielä arvioitu"
        ),
        "category": "learning_environment",
        "levels": ["grades_1_6", "grades_7_9", "upper_secondary"],
        "roles": ["learner", "teacher"],
        "subjects": [],
        "languages": ["fi", "en"],
        "standards": [],
        "accessibility": "none",
        "accessibility_statement_url": "",
        "hosting": "eu_eea",
        "personal_data": False,
        "support_url": "https://piirtotaulu.example.fi/tuki",
        "privacy_url": "",
        "plans": [
            {
                "name": "Maksuton käyttö",
                "model": "free",
                "unit_price_cents": 0,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
        ],
    },
    {
        "provider": "kielisilta",
        "name": "Tandemtori",
        "summary": (
            "Suomen- ja ruotsinkielisten koulujen yhteinen verkkoympäristö kielitandemiin ja yhteisprojekteihin."
        ),
        "summary_sv": "Gemensam nätmiljö för språktandem mellan finsk- och svenskspråkiga skolor.",
        "summary_en": "Shared online space for language tandem between Finnish- and Swedish-medium schools.",
        "description": (
            "Tandemtori yhdistää suomen- ja ruotsinkielisiä luokkia eri puolilta Suomea. Oppilaat työskentelevät "
            "pareittain ja harjoittelevat toistensa kieltä.\n"
            "\n"
            "- Luokkien yhdistäminen opettajien sopimalla tavalla\n"
            "- Moderoidut keskustelut ja videotapaamiset\n"
            "- Valmiit tandemtehtävät eri aiheisiin"
        ),
        "category": "learning_environment",
        "levels": ["grades_7_9", "upper_secondary"],
        "roles": ["learner", "teacher"],
        "subjects": ["B1", "AI"],
        "languages": ["fi", "sv"],
        "standards": ["mpassid", "oidc"],
        "accessibility": "partial",
        "accessibility_statement_url": "https://tandemtori.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://tandemtori.example.fi/tuki",
        "privacy_url": "https://tandemtori.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Koululisenssi",
                "model": "per_school_year",
                "unit_price_cents": 50000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
        ],
    },
    {
        "provider": "hyvinvointi",
        "name": "Kotiviesti",
        "summary": "Huoltajien mobiilisovellus koulun viesteihin, tiedotteisiin ja poissaoloilmoituksiin.",
        "summary_sv": "Mobilapp för vårdnadshavare: skolans meddelanden, aviseringar och frånvaroanmälningar.",
        "summary_en": "Mobile app for guardians: school messages, announcements and absence notifications.",
        "description": (
            "Kotiviesti kokoaa koulun viestinnän huoltajan puhelimeen. Huoltaja ilmoittaa poissaolot, kuittaa "
            "tiedotteet ja saa ilmoituksen uusista viesteistä.\n"
            "\n"
            "- Viestit ja poissaolot synkronoidaan Wilman kanssa\n"
            "- Tiedotteet suomeksi, ruotsiksi ja englanniksi\n"
            "- Kirjautuminen vahvalla tunnistautumisella (OpenID Connect)"
        ),
        "category": "guardian_communication",
        "levels": ["pre_primary", "grades_1_6", "grades_7_9", "upper_secondary"],
        "roles": ["guardian", "teacher", "school_secretary", "principal"],
        "subjects": [],
        "languages": ["fi", "sv", "en"],
        "standards": ["wilma", "oidc"],
        "accessibility": "full",
        "accessibility_statement_url": "https://kotiviesti.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://kotiviesti.example.fi/tuki",
        "privacy_url": "https://kotiviesti.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Oppilaskohtainen lisenssi",
                "model": "per_pupil_year",
                "unit_price_cents": 250,
                "vat_rate_bp": 2550,
                "min_quantity": 100,
                "notes": "",
            },
            {
                "name": "Kuntalisenssi",
                "model": "per_municipality_year",
                "unit_price_cents": 500000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
        ],
    },
    {
        "provider": "hyvinvointi",
        "name": "Eskaripäivä",
        "summary": (
            "Esiopetuksen päiväkirjasovellus, jolla opettaja jakaa kuvia ja kuulumisia päivän tapahtumista huoltajille."
        ),
        "summary_sv": "Dagbok för förskoleundervisningen med bilder och hälsningar till vårdnadshavare.",
        "summary_en": "",
        "description": (
            "Eskaripäivässä esiopetuksen opettaja kertoo ryhmän päivästä kuvin ja lyhyin tekstein. Kuvat näkyvät vain "
            "ryhmän huoltajille.\n"
            "\n"
            "- Kuvien jakaminen huoltajien kuvauslupien mukaan\n"
            "- Hoitoaikojen ja poissaolojen ilmoitus\n"
            "- Kuvat poistuvat lukuvuoden päätyttyä"
        ),
        "category": "guardian_communication",
        "levels": ["pre_primary"],
        "roles": ["guardian", "teacher"],
        "subjects": [],
        "languages": ["fi", "sv"],
        "standards": ["oidc"],
        "accessibility": "full",
        "accessibility_statement_url": "https://eskaripaiva.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://eskaripaiva.example.fi/tuki",
        "privacy_url": "https://eskaripaiva.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Ryhmälisenssi",
                "model": "per_school_year",
                "unit_price_cents": 32000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "Esiopetusyksikkö.",
            },
        ],
    },
    {
        "provider": "tietoviisas",
        "name": "Tapaamiskalenteri",
        "summary": (
            "Arviointikeskustelujen ja vanhempainvarttien ajanvaraus, jossa huoltaja valitsee itselleen sopivan ajan."
        ),
        "summary_sv": "Tidsbokning för bedömningssamtal och föräldramöten.",
        "summary_en": "Booking tool for assessment discussions and parent meetings.",
        "description": (
            "Opettaja avaa vapaat ajat, ja huoltajat varaavat ne puhelimella. Kalenteri muistuttaa tapaamisesta ja "
            "tarjoaa tarvittaessa videoyhteyden.\n"
            "\n"
            "- Tulkin varaus samalla kertaa\n"
            "- Muistutukset tekstiviestinä ja sähköpostina\n"
            "- Yhteystiedot haetaan Wilmasta"
        ),
        "category": "guardian_communication",
        "levels": ["grades_1_6", "grades_7_9", "upper_secondary"],
        "roles": ["guardian", "teacher", "school_secretary"],
        "subjects": [],
        "languages": ["fi", "sv", "en"],
        "standards": ["wilma", "saml2"],
        "accessibility": "full",
        "accessibility_statement_url": "https://tapaamiskalenteri.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://tapaamiskalenteri.example.fi/tuki",
        "privacy_url": "https://tapaamiskalenteri.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Perusversio",
                "model": "free",
                "unit_price_cents": 0,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "Yksi opettaja, ei tekstiviestimuistutuksia.",
            },
            {
                "name": "Koululisenssi",
                "model": "per_school_year",
                "unit_price_cents": 40000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
        ],
    },
    {
        "provider": "kielisilta",
        "name": "Tiedotetulkki",
        "summary": (
            "Koulun tiedotteiden konekäännös huoltajan kielelle yli 30 kielellä, selkokielinen versio mukaan lukien."
        ),
        "summary_sv": "Maskinöversättning av skolans meddelanden till vårdnadshavarens språk.",
        "summary_en": "Machine translation of school announcements into the guardian's language.",
        "description": (
            "Tiedotetulkki kääntää koulun tiedotteet huoltajan valitsemalle kielelle ja tuottaa tarvittaessa "
            "selkokielisen suomenkielisen version.\n"
            "\n"
            "- Käännöspalvelu toimii EU/ETA-alueen ulkopuolella\n"
            "- Tiedotteisiin ei saa kirjoittaa oppilaiden henkilötietoja\n"
            "- Käännöksen rinnalla näytetään aina alkuperäinen teksti"
        ),
        "category": "guardian_communication",
        "levels": ["pre_primary", "grades_1_6", "grades_7_9"],
        "roles": ["guardian", "principal", "school_secretary"],
        "subjects": [],
        "languages": ["fi", "sv", "en"],
        "standards": ["wilma"],
        "accessibility": "partial",
        "accessibility_statement_url": "https://tiedotetulkki.example.fi/saavutettavuus",
        "hosting": "outside_eea",
        "personal_data": True,
        "support_url": "https://tiedotetulkki.example.fi/tuki",
        "privacy_url": "https://tiedotetulkki.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Koululisenssi",
                "model": "per_school_year",
                "unit_price_cents": 48000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
            {
                "name": "Kuntalisenssi",
                "model": "per_municipality_year",
                "unit_price_cents": 300000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
        ],
    },
    {
        "provider": "hyvinvointi",
        "name": "Iltisviesti",
        "summary": "Aamu- ja iltapäivätoiminnan läsnäolo, hakijat ja viestit huoltajille yhdessä sovelluksessa.",
        "summary_sv": "",
        "summary_en": "",
        "description": (
            "Iltisviestissä ohjaaja merkitsee lapset paikalle ja huoltaja ilmoittaa, kuka lapsen hakee ja milloin. "
            "Koulusihteeri saa kuukauden läsnäolot laskutusta varten.\n"
            "\n"
            "- Hakijoiden ja kotiinlähtöaikojen ilmoitus\n"
            "- Poissaolot ja sairauspäivät\n"
            "- Läsnäoloraportti laskutukseen"
        ),
        "category": "guardian_communication",
        "levels": ["grades_1_6"],
        "roles": ["guardian", "school_secretary", "teacher"],
        "subjects": [],
        "languages": ["fi", "sv"],
        "standards": ["oidc"],
        "accessibility": "partial",
        "accessibility_statement_url": "https://iltisviesti.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://iltisviesti.example.fi/tuki",
        "privacy_url": "https://iltisviesti.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Koululisenssi",
                "model": "per_school_year",
                "unit_price_cents": 36000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
        ],
    },
    {
        "provider": "hyvinvointi",
        "name": "Fiilismittari",
        "summary": (
            "Hyvinvointikysely oppilaille: lyhyet säännölliset kyselyt kertovat luokan ilmapiiristä ja jaksamisesta."
        ),
        "summary_sv": "Enkät om elevernas välbefinnande med korta regelbundna frågor.",
        "summary_en": "Pupil wellbeing survey with short regular check-ins on class climate.",
        "description": (
            "Fiilismittari kysyy oppilailta muutaman kysymyksen viikoittain. Vastaukset näytetään opettajalle ja "
            "rehtorille vain ryhmätasolla, ei yksittäisen oppilaan tietoina.\n"
            "\n"
            "- Valmiit kyselypohjat ja omat kysymykset\n"
            "- Tulokset ryhmittäin ja koko koulun tasolla\n"
            "- Kysely suomeksi, ruotsiksi, englanniksi ja pohjoissaameksi\n"
            "\n"
            "## Käyttöönotto\n"
            "Oppilaat kirjautuvat MPASSid:llä, ensimmäinen kysely voidaan tehdä samana päivänä."
        ),
        "category": "wellbeing",
        "levels": ["grades_1_6", "grades_7_9", "upper_secondary"],
        "roles": ["learner", "teacher", "principal"],
        "subjects": [],
        "languages": ["fi", "sv", "en", "se"],
        "standards": ["mpassid"],
        "accessibility": "full",
        "accessibility_statement_url": "https://fiilismittari.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://fiilismittari.example.fi/tuki",
        "privacy_url": "https://fiilismittari.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Perusversio",
                "model": "free",
                "unit_price_cents": 0,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "Kaksi kyselyä lukukaudessa.",
            },
            {
                "name": "Koululisenssi",
                "model": "per_school_year",
                "unit_price_cents": 42000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "Rajattomat kyselyt ja raportit.",
            },
        ],
    },
    {
        "provider": "hyvinvointi",
        "name": "Turvailmoitus",
        "summary": "Matalan kynnyksen ilmoituskanava kiusaamisesta ja huolista, tarvittaessa nimettömänä.",
        "summary_sv": "Kanal för att anmäla mobbning och oro, vid behov anonymt.",
        "summary_en": "Low-threshold channel for reporting bullying and worries, anonymously if needed.",
        "description": (
            "Turvailmoituksella oppilas tai huoltaja voi kertoa kiusaamisesta tai huolesta. Ilmoitus ohjautuu koulun "
            "nimetyille henkilöille, jotka kuittaavat sen ja kirjaavat toimenpiteet.\n"
            "\n"
            "- Nimetön tai nimellinen ilmoitus\n"
            "- Käsittelyn seuranta ja määräajat\n"
            "- Vuosiraportti koulun turvallisuussuunnitelmaan"
        ),
        "category": "wellbeing",
        "levels": ["grades_1_6", "grades_7_9", "upper_secondary"],
        "roles": ["learner", "guardian", "principal"],
        "subjects": [],
        "languages": ["fi", "sv", "en"],
        "standards": ["mpassid"],
        "accessibility": "full",
        "accessibility_statement_url": "https://turvailmoitus.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://turvailmoitus.example.fi/tuki",
        "privacy_url": "https://turvailmoitus.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Koululisenssi",
                "model": "per_school_year",
                "unit_price_cents": 38000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
        ],
    },
    {
        "provider": "hyvinvointi",
        "name": "Tunnetaidot",
        "summary": "Tunne- ja vuorovaikutustaitojen oppitunnit esiopetukseen ja alakouluun valmiine harjoituksineen.",
        "summary_sv": "Lektioner i känslor och samspel för förskoleundervisning och årskurs 1-6.",
        "summary_en": "",
        "description": (
            "Tunnetaidot sisältää 60 valmista oppituntia tunteiden tunnistamisesta, ristiriitojen ratkaisemisesta ja "
            "kaveritaidoista. Tunnit perustuvat tutkittuun tietoon.\n"
            "\n"
            "- Videot, tarinat ja toiminnalliset harjoitukset\n"
            "- Kotitehtävät yhdessä huoltajan kanssa\n"
            "- Ei oppilaiden kirjautumista"
        ),
        "category": "wellbeing",
        "levels": ["pre_primary", "grades_1_6"],
        "roles": ["learner", "teacher"],
        "subjects": ["YM", "ET"],
        "languages": ["fi", "sv"],
        "standards": ["lti13"],
        "accessibility": "full",
        "accessibility_statement_url": "https://tunnetaidot.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": False,
        "support_url": "https://tunnetaidot.example.fi/tuki",
        "privacy_url": "https://tunnetaidot.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Koululisenssi",
                "model": "per_school_year",
                "unit_price_cents": 45000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
        ],
    },
    {
        "provider": "hyvinvointi",
        "name": "Liikuntavirta",
        "summary": (
            "Välituntien ja oppituntien liikuntahaasteet, jotka lisäävät päivittäistä liikettä koulupäivän aikana."
        ),
        "summary_sv": "",
        "summary_en": "Activity challenges for breaks and lessons to increase daily physical activity.",
        "description": (
            "Liikuntavirta ehdottaa lyhyitä taukoliikuntahetkiä ja välituntipelejä. Luokat keräävät yhteisiä "
            "liikuntaminuutteja, eikä yksittäisen oppilaan suorituksia vertailla.\n"
            "\n"
            "- Taukojumpat videoina\n"
            "- Välituntipelien ohjeet oppilasohjaajille\n"
            "- Koulun yhteiset liikuntahaasteet"
        ),
        "category": "wellbeing",
        "levels": ["grades_1_6", "grades_7_9"],
        "roles": ["learner", "teacher"],
        "subjects": ["LI", "TE"],
        "languages": ["fi", "sv"],
        "standards": ["mpassid"],
        "accessibility": "partial",
        "accessibility_statement_url": "https://liikuntavirta.example.fi/saavutettavuus",
        "hosting": "eu_eea",
        "personal_data": True,
        "support_url": "https://liikuntavirta.example.fi/tuki",
        "privacy_url": "https://liikuntavirta.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Oppilaslisenssi",
                "model": "per_pupil_year",
                "unit_price_cents": 200,
                "vat_rate_bp": 2550,
                "min_quantity": 100,
                "notes": "",
            },
        ],
    },
    {
        "provider": "tietoviisas",
        "name": "Oppilashuoltokansio",
        "summary": "Opiskeluhuollon kirjausten ja monialaisen asiantuntijaryhmän työskentelyn suojattu työtila.",
        "summary_sv": "Skyddat arbetsutrymme för elevhälsans journaler.",
        "summary_en": "",
        "description": (
            "Oppilashuoltokansiossa kuraattori, psykologi ja opettajat kirjaavat opiskeluhuollon tiedot lain "
            "vaatimalla tavalla. Pääsy perustuu käyttäjän rooliin ja tapaukseen.\n"
            "\n"
            "- Lokitiedot jokaisesta katselusta\n"
            "- Vahva tunnistautuminen ja SAML 2.0 -kertakirjautuminen\n"
            "- Tiedot säilytetään Suomessa"
        ),
        "category": "wellbeing",
        "levels": ["pre_primary", "grades_1_6", "grades_7_9", "upper_secondary"],
        "roles": ["teacher", "principal"],
        "subjects": [],
        "languages": ["fi", "sv"],
        "standards": ["saml2"],
        "accessibility": "partial",
        "accessibility_statement_url": "https://oppilashuoltokansio.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://oppilashuoltokansio.example.fi/tuki",
        "privacy_url": "https://oppilashuoltokansio.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Käyttäjälisenssi",
                "model": "per_user_month",
                "unit_price_cents": 1200,
                "vat_rate_bp": 2550,
                "min_quantity": 5,
                "notes": "",
            },
            {
                "name": "Kuntalisenssi",
                "model": "per_municipality_year",
                "unit_price_cents": 600000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
        ],
    },
    {
        "provider": "tietoviisas",
        "name": "Koulutuskompassi",
        "summary": (
            "Tiedolla johtamisen näkymä rehtoreille ja sivistystoimelle: oppilasmäärät, poissaolot, tuki ja resurssit "
            "yhdessä."
        ),
        "summary_sv": "Översikt för kunskapsbaserad ledning för rektorer och bildningsväsendet.",
        "summary_en": "Knowledge-based management dashboard for principals and education administration.",
        "description": (
            "Koulutuskompassi kokoaa oppilashallinnon, talouden ja kyselyiden tiedot yhteen näkymään. Rehtori näkee "
            "oman koulunsa tilanteen, ja sivistystoimi vertaa kouluja keskenään.\n"
            "\n"
            "- Oppilasmäärien ennusteet ja kouluverkkotarkastelu\n"
            "- Tuen tasojen ja poissaolojen kehitys\n"
            "- Raportit ilman yksittäisten oppilaiden tietoja\n"
            "\n"
            "## Käyttöönotto\n"
            "Tietolähteet liitetään kunnan tietovarastoon, käyttöönotto kestää noin kuukauden."
        ),
        "category": "knowledge_management",
        "levels": ["pre_primary", "grades_1_6", "grades_7_9", "upper_secondary"],
        "roles": ["principal", "administration"],
        "subjects": [],
        "languages": ["fi", "sv"],
        "standards": ["oneroster12", "saml2", "wilma"],
        "accessibility": "full",
        "accessibility_statement_url": "https://koulutuskompassi.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://koulutuskompassi.example.fi/tuki",
        "privacy_url": "https://koulutuskompassi.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Kuntalisenssi",
                "model": "per_municipality_year",
                "unit_price_cents": 1500000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
            {
                "name": "Käyttöönottopaketti",
                "model": "one_off",
                "unit_price_cents": 800000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "Tietolähteiden liittäminen.",
            },
        ],
    },
    {
        "provider": "tietoviisas",
        "name": "Poissaolotutka",
        "summary": (
            "Poissaolojen seuranta, joka nostaa esiin huolestuttavat kehityskulut ajoissa varhaisen tuen "
            "käynnistämiseksi."
        ),
        "summary_sv": "",
        "summary_en": "",
        "description": (
            "Poissaolotutka lukee poissaolotiedot Wilmasta ja ilmoittaa, kun oppilaan poissaolot ylittävät koulun "
            "sopiman rajan. Kunnan tasolla näytetään vain koosteet.\n"
            "\n"
            "- Koulun omat hälytysrajat\n"
            "- Toimenpiteiden kirjaus ja seuranta\n"
            "- Kuukausiraportit sivistystoimelle"
        ),
        "category": "knowledge_management",
        "levels": ["grades_1_6", "grades_7_9", "upper_secondary"],
        "roles": ["principal", "teacher", "administration"],
        "subjects": [],
        "languages": ["fi", "sv"],
        "standards": ["wilma", "saml2"],
        "accessibility": "full",
        "accessibility_statement_url": "https://poissaolotutka.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://poissaolotutka.example.fi/tuki",
        "privacy_url": "https://poissaolotutka.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Koululisenssi",
                "model": "per_school_year",
                "unit_price_cents": 65000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
        ],
    },
    {
        "provider": "arviointitalo",
        "name": "Tulostaulu",
        "summary": "Arviointien ja seulojen tulokset kootusti koulun ja kunnan tasolla opetuksen kehittämisen tueksi.",
        "summary_sv": "Sammanställning av bedömningar på skol- och kommunnivå.",
        "summary_en": "Aggregated assessment results at school and municipality level.",
        "description": (
            "Tulostaulu kokoaa seulojen ja kokeiden tulokset ryhmätasolle. Rehtori näkee, missä tukea tarvitaan, ja "
            "kunta voi seurata kehitystä vuosien yli.\n"
            "\n"
            "- Vertailu edellisiin lukuvuosiin\n"
            "- Pienet ryhmät piilotetaan tunnistamisen estämiseksi\n"
            "- Vienti taulukkolaskentaan"
        ),
        "category": "knowledge_management",
        "levels": ["grades_1_6", "grades_7_9"],
        "roles": ["principal", "administration"],
        "subjects": [],
        "languages": ["fi", "sv"],
        "standards": ["oneroster12", "saml2"],
        "accessibility": "partial",
        "accessibility_statement_url": "https://tulostaulu.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://tulostaulu.example.fi/tuki",
        "privacy_url": "https://tulostaulu.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Kuntalisenssi",
                "model": "per_municipality_year",
                "unit_price_cents": 700000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
        ],
    },
    {
        "provider": "tietoviisas",
        "name": "Resurssivahti",
        "summary": "Tuntikehyksen, opetusryhmien ja henkilöstöresurssien seuranta sivistystoimen budjetointia varten.",
        "summary_sv": "",
        "summary_en": "Tracking of teaching hours, groups and staff resources for budgeting.",
        "description": (
            "Resurssivahti näyttää, miten tuntikehys jakautuu kouluille ja opetusryhmille. Tieto auttaa talousarvion "
            "valmistelussa ja kouluverkkoselvityksissä.\n"
            "\n"
            "- Tuntikehyksen käyttö kouluittain\n"
            "- Ryhmäkokojen seuranta\n"
            "- Skenaariot seuraavalle lukuvuodelle"
        ),
        "category": "knowledge_management",
        "levels": ["grades_1_6", "grades_7_9", "upper_secondary"],
        "roles": ["principal", "administration"],
        "subjects": [],
        "languages": ["fi"],
        "standards": ["saml2"],
        "accessibility": "partial",
        "accessibility_statement_url": "https://resurssivahti.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://resurssivahti.example.fi/tuki",
        "privacy_url": "https://resurssivahti.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Kuntalisenssi",
                "model": "per_municipality_year",
                "unit_price_cents": 550000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
        ],
    },
    {
        "provider": "polku",
        "name": "Käyttöpulssi",
        "summary": (
            "Digitaalisten oppimateriaalien käyttöasteen seuranta, jotta lisenssit ostetaan todellisen tarpeen mukaan."
        ),
        "summary_sv": "Uppföljning av hur digitala läromedel används.",
        "summary_en": "Usage analytics for digital learning materials to right-size licences.",
        "description": (
            "Käyttöpulssi kerää materiaalien käyttötiedot xAPI-muodossa ja näyttää ne koulu- ja ryhmätasolla. Tietoja "
            "ei yhdistetä yksittäisiin oppilaisiin.\n"
            "\n"
            "- Lisenssien käyttöaste palveluittain\n"
            "- Vertailu kouluittain\n"
            "- Raportti hankintojen tueksi"
        ),
        "category": "knowledge_management",
        "levels": ["grades_1_6", "grades_7_9", "upper_secondary"],
        "roles": ["administration", "principal"],
        "subjects": [],
        "languages": ["fi", "sv", "en"],
        "standards": ["xapi", "lti13", "oneroster12"],
        "accessibility": "full",
        "accessibility_statement_url": "https://kayttopulssi.example.fi/saavutettavuus",
        "hosting": "eu_eea",
        "personal_data": False,
        "support_url": "https://kayttopulssi.example.fi/tuki",
        "privacy_url": "https://kayttopulssi.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Kuntalisenssi",
                "model": "per_municipality_year",
                "unit_price_cents": 250000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
        ],
    },
    {
        "provider": "tietoviisas",
        "name": "Kanslia",
        "summary": (
            "Koulusihteerin työpöytä: oppilaiden sisään- ja uloskirjaukset, koulukuljetukset, todistukset ja lomakkeet."
        ),
        "summary_sv": "Skolsekreterarens arbetsbord för elevregister, skolskjutsar och betyg.",
        "summary_en": "School secretary's desk for pupil records, school transport and certificates.",
        "description": (
            "Kanslia kokoaa koulusihteerin toistuvat tehtävät yhteen palveluun. Oppilaan muuttaessa tiedot siirtyvät "
            "Wilmaan ja oppimisympäristöihin ilman käsin kopioimista.\n"
            "\n"
            "- Oppilaiden sisään- ja uloskirjaus\n"
            "- Koulukuljetusten päätökset ja lomakkeet\n"
            "- Huoltajien sähköiset lomakkeet\n"
            "\n"
            "## Käyttöönotto\n"
            "Liitetään kunnan oppilashallintoon; koulusihteerit koulutetaan etäyhteydellä."
        ),
        "category": "administration",
        "levels": ["pre_primary", "grades_1_6", "grades_7_9", "upper_secondary"],
        "roles": ["school_secretary", "principal"],
        "subjects": [],
        "languages": ["fi", "sv"],
        "standards": ["wilma", "oneroster12", "saml2"],
        "accessibility": "full",
        "accessibility_statement_url": "https://kanslia.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://kanslia.example.fi/tuki",
        "privacy_url": "https://kanslia.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Koululisenssi",
                "model": "per_school_year",
                "unit_price_cents": 95000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
            {
                "name": "Kuntalisenssi",
                "model": "per_municipality_year",
                "unit_price_cents": 1200000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
        ],
    },
    {
        "provider": "tietoviisas",
        "name": "Todistuspaja",
        "summary": "Todistusten taitto, sähköinen allekirjoitus ja arkistointi suoraan arviointitiedoista.",
        "summary_sv": "",
        "summary_en": "",
        "description": (
            "Todistuspaja muodostaa lukuvuosi- ja päättötodistukset arviointitiedoista ja tarkistaa, että pakolliset "
            "merkinnät ovat mukana.\n"
            "\n"
            "- Todistuspohjat suomeksi, ruotsiksi ja englanniksi\n"
            "- Rehtorin sähköinen allekirjoitus\n"
            "- Arkistointi kunnan arkistonmuodostussuunnitelman mukaan"
        ),
        "category": "administration",
        "levels": ["grades_1_6", "grades_7_9", "upper_secondary"],
        "roles": ["school_secretary", "principal"],
        "subjects": [],
        "languages": ["fi", "sv", "en"],
        "standards": ["wilma", "saml2"],
        "accessibility": "full",
        "accessibility_statement_url": "https://todistuspaja.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://todistuspaja.example.fi/tuki",
        "privacy_url": "https://todistuspaja.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Koululisenssi",
                "model": "per_school_year",
                "unit_price_cents": 60000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
        ],
    },
    {
        "provider": "tietoviisas",
        "name": "Lukkari",
        "summary": "Lukujärjestysten, tilojen ja opettajien työaikojen suunnittelu yläkouluun ja lukioon.",
        "summary_sv": "",
        "summary_en": "Timetabling of lessons, rooms and teacher hours for secondary schools.",
        "description": (
            "Lukkari laatii lukujärjestysehdotuksen opetusryhmistä, tiloista ja opettajien toiveista. Valmis "
            "lukujärjestys siirretään oppilashallintoon.\n"
            "\n"
            "- Periodi- ja jaksojärjestelmät\n"
            "- Tilavarausten ristiriitojen tarkistus\n"
            "- Saavutettavuuden korjaukset ovat työn alla"
        ),
        "category": "administration",
        "levels": ["grades_7_9", "upper_secondary"],
        "roles": ["principal", "administration", "school_secretary"],
        "subjects": [],
        "languages": ["fi"],
        "standards": ["oneroster12"],
        "accessibility": "none",
        "accessibility_statement_url": "",
        "hosting": "eu_eea",
        "personal_data": True,
        "support_url": "https://lukkari.example.fi/tuki",
        "privacy_url": "https://lukkari.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Koululisenssi",
                "model": "per_school_year",
                "unit_price_cents": 150000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
            {
                "name": "Käyttöönotto",
                "model": "one_off",
                "unit_price_cents": 120000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "Lähtötietojen siirto ja koulutus.",
            },
        ],
    },
    {
        "provider": "tietoviisas",
        "name": "Tunnusvahti",
        "summary": "Oppilaiden ja henkilöstön käyttäjätunnusten ja käyttöoikeuksien hallinta kunnan palveluissa.",
        "summary_sv": "Hantering av användarkonton och behörigheter i kommunens tjänster.",
        "summary_en": "Account and access management for pupils and staff across municipal services.",
        "description": (
            "Tunnusvahti luo ja poistaa tunnukset automaattisesti oppilashallinnon tietojen perusteella ja välittää "
            "ryhmätiedot palveluille OneRoster 1.2 -rajapinnalla.\n"
            "\n"
            "- MPASSid-tunnistuslähteen ylläpito\n"
            "- Ryhmien synkronointi oppimisympäristöihin\n"
            "- Käyttöoikeuksien katselmoinnit"
        ),
        "category": "administration",
        "levels": ["pre_primary", "grades_1_6", "grades_7_9", "upper_secondary"],
        "roles": ["administration"],
        "subjects": [],
        "languages": ["fi", "sv", "en"],
        "standards": ["mpassid", "oneroster12", "saml2", "oidc"],
        "accessibility": "full",
        "accessibility_statement_url": "https://tunnusvahti.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://tunnusvahti.example.fi/tuki",
        "privacy_url": "https://tunnusvahti.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Kuntalisenssi",
                "model": "per_municipality_year",
                "unit_price_cents": 800000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
            {
                "name": "Käyttöönottopaketti",
                "model": "one_off",
                "unit_price_cents": 400000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
        ],
    },
    {
        "provider": "polku",
        "name": "Sijaisreki",
        "summary": (
            "Sijaisten haku ja välitys: poissaolon kirjaus, tekstiviestikysely sijaisille ja palkanlaskennan raportti."
        ),
        "summary_sv": "",
        "summary_en": "",
        "description": (
            "Sijaisreki lähettää sijaispyynnön tekstiviestinä sopiville sijaisille, ja ensimmäinen hyväksyjä saa "
            "keikan. Toteutuneet tunnit siirtyvät palkanlaskentaan.\n"
            "\n"
            "- Kunnan yhteinen sijaisrekisteri\n"
            "- Kelpoisuuksien ja kieliosaamisen haku\n"
            "- Kuukausiraportti palkanlaskentaan"
        ),
        "category": "administration",
        "levels": ["pre_primary", "grades_1_6", "grades_7_9", "upper_secondary"],
        "roles": ["principal", "school_secretary"],
        "subjects": [],
        "languages": ["fi", "sv"],
        "standards": ["saml2"],
        "accessibility": "partial",
        "accessibility_statement_url": "https://sijaisreki.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://sijaisreki.example.fi/tuki",
        "privacy_url": "https://sijaisreki.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Käyttäjälisenssi",
                "model": "per_user_month",
                "unit_price_cents": 600,
                "vat_rate_bp": 2550,
                "min_quantity": 3,
                "notes": "Rehtorit ja koulusihteerit.",
            },
            {
                "name": "Kuntalisenssi",
                "model": "per_municipality_year",
                "unit_price_cents": 350000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
        ],
    },
    {
        "provider": "hyvinvointi",
        "name": "Erityisruokavalio",
        "summary": "Sähköinen ilmoitus kouluruokailun erityisruokavalioista huoltajalta koululle ja ruokapalveluille.",
        "summary_sv": "",
        "summary_en": "",
        "description": (
            "Huoltaja ilmoittaa lapsen erityisruokavalion sähköisellä lomakkeella, ja koulusihteeri välittää sen "
            "ruokapalveluille. Terveystietoja näkevät vain ne, jotka tarvitsevat niitä työssään.\n"
            "\n"
            "- Lomakkeet suomeksi, ruotsiksi ja englanniksi\n"
            "- Vuosittainen voimassaolon tarkistus\n"
            "- Tiedot poistuvat, kun oppilas vaihtaa koulua"
        ),
        "category": "administration",
        "levels": ["pre_primary", "grades_1_6", "grades_7_9", "upper_secondary"],
        "roles": ["guardian", "school_secretary"],
        "subjects": [],
        "languages": ["fi", "sv", "en"],
        "standards": ["oidc"],
        "accessibility": "full",
        "accessibility_statement_url": "https://erityisruokavalio.example.fi/saavutettavuus",
        "hosting": "finland",
        "personal_data": True,
        "support_url": "https://erityisruokavalio.example.fi/tuki",
        "privacy_url": "https://erityisruokavalio.example.fi/tietosuoja",
        "plans": [
            {
                "name": "Kuntalisenssi",
                "model": "per_municipality_year",
                "unit_price_cents": 220000,
                "vat_rate_bp": 2550,
                "min_quantity": 1,
                "notes": "",
            },
        ],
    },
]
