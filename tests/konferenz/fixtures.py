"""A small Sozialraum of our own: one Sozialraumkonferenz, its members (good and bad), an open
Auftrag and a running Maßnahme. Names and addresses are invented."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from sozialforum.konferenz import termine
from sozialforum.settings import Settings
from sozialforum.store.models import (
    Auftrag,
    Gebiet,
    Gremium,
    Massnahme,
    Mitgliedschaft,
    Organisation,
    Person,
    Rueckmeldung,
    Sitzung,
)
from sozialforum.vocab import (
    Antwort,
    AntwortQuelle,
    AuftragQuelle,
    GebietEbene,
    GremiumArt,
    MassnahmeStatus,
    MitgliedRolle,
    OrganisationArt,
    Rechtsgrundlage,
)

NOW = datetime(2026, 2, 20, 8, 0, tzinfo=UTC)  # invitation day: 21 days before 16 March
# The Sitzung's UID in the saved replies of real clients (antworten/).
REPLY_UID = "sitzung-7d1c9f0e-5b8a-4c3e-9f21-0a6b2e4d8c11@landkreis-musterland.example"
MEETING_DAY = date(2026, 3, 16)

EIN = Rechtsgrundlage.EINWILLIGUNG
# kennung, anrede, vorname, nachname, email, rechtsgrundlage, abgemeldet, member until
PEOPLE = [
    ("P01", "Frau", "Erika", "Mustermann", "erika.mustermann@awo-sued.example", EIN, False, None),
    ("P02", "Herr", "Jürgen", "Öztürk", "j.oeztuerk@caritas-sued.example", EIN, False, None),
    (
        "P03",
        None,
        "Kim",
        "Lange",
        "kim.lange@familienzentrum.example",
        Rechtsgrundlage.OEFFENTLICHE_AUFGABE,
        False,
        None,
    ),
    ("P04", "Frau", "Ana", "Dimitrova", "info@awo-sued.example", EIN, False, None),
    ("P05", "Herr", "Paul", "Ohnezustimmung", "paul@verein.example", None, False, None),
    ("P06", "Frau", "Greta", "Abgemeldet", "greta@verein.example", EIN, True, None),
    ("P07", "Herr", "Tim", "Kaputt", "tim@@kaputt", EIN, False, None),
    ("P08", "Herr", "Eve", "Einschleuser", "eve@boese.example\r\nBcc: alle@welt.example", EIN, False, None),
    ("P09", None, "<b>Mal</b>", "Ware", "mal@ware.example", EIN, False, None),
    ("P10", "Frau", "Doris", "Doppelt", "INFO@awo-sued.example", EIN, False, None),
    ("P11", "Herr", "Otto", "Ausgeschieden", "otto@traeger.example", EIN, False, date(2026, 1, 31)),
    ("P12", "Frau", "Zoe", "Zeile\r\nBcc: alle@welt.example", "zoe@verein.example", EIN, False, None),
]
VALID = ["P01", "P02", "P03", "P04"]


@dataclass
class Konferenz:
    gremium_id: int
    sitzung_id: int
    person_ids: dict[str, int]


def build(session: Session, settings: Settings, *, people: list[tuple] | None = None) -> Konferenz:  # type: ignore[type-arg]
    kreis = Gebiet(schluessel="K", name="Landkreis Musterland", ebene=GebietEbene.KREIS)
    session.add(kreis)
    session.flush()
    raum = Gebiet(schluessel="SR-SUED", name="Sozialraum Süd", ebene=GebietEbene.SOZIALRAUM, parent_id=kreis.id)
    session.add(raum)
    session.flush()
    dorf = Gebiet(schluessel="G-1", name="Musterdorf", ebene=GebietEbene.GEMEINDE, parent_id=raum.id)
    org = Organisation(kennung="AWO-S", name="AWO Ortsverein Süd", art=OrganisationArt.FREIER_TRAEGER)
    session.add_all([dorf, org])
    session.flush()
    gremium = Gremium(
        kennung="SRK-SUED",
        name="Sozialraumkonferenz Süd",
        art=GremiumArt.SOZIALRAUMKONFERENZ,
        gebiet_id=raum.id,
        einladung_vorlauf_tage=21,
        erinnerung_tage=[7, 1],
    )
    session.add(gremium)
    session.flush()
    ids: dict[str, int] = {}
    for kennung, anrede, vorname, nachname, email, grund, abgemeldet, bis in people or PEOPLE:
        person = Person(
            kennung=kennung,
            anrede=anrede,
            vorname=vorname,
            nachname=nachname,
            email=email,
            rechtsgrundlage=grund,
            organisation_id=org.id,
            abgemeldet_am=datetime(2026, 1, 5, tzinfo=UTC) if abgemeldet else None,
        )
        session.add(person)
        session.flush()
        ids[kennung] = person.id  # type: ignore[assignment]
        session.add(
            Mitgliedschaft(
                gremium_id=gremium.id, person_id=person.id, von=date(2025, 1, 1), bis=bis, rolle=MitgliedRolle.MITGLIED
            )
        )
    massnahme = Massnahme(
        kennung="M-1", titel="Quartierstreff Musterdorf", status=MassnahmeStatus.LAUFENDES_GESCHAEFT, gebiet_id=dorf.id
    )
    session.add(massnahme)
    session.flush()
    session.add(
        Auftrag(
            kennung="A-1",
            quelle=AuftragQuelle.MASSNAHME,
            massnahme_id=massnahme.id,
            beschreibung="Bedarf an Ganztagsplätzen erheben; Ergebnis vorstellen",
            verantwortlich_organisation_id=org.id,
            frist=date(2026, 6, 30),
        )
    )
    sitzung = termine.plan_sitzung(
        session,
        gremium_id=gremium.id,
        tag=MEETING_DAY,
        uhrzeit=time(17, 0),  # type: ignore[arg-type]
        settings=settings,
        titel="Sozialraumkonferenz Süd, Frühjahr 2026",
        ort="Bürgerhaus Musterdorf, Saal 1",
        adresse="Hauptstraße 5, 37001 Musterdorf",
    )
    session.flush()
    return Konferenz(gremium.id, sitzung.id, ids)  # type: ignore[arg-type]


def sitzung(session: Session, konferenz: Konferenz) -> Sitzung:
    found = session.get(Sitzung, konferenz.sitzung_id)
    assert found is not None
    return found


def answers(engine: Engine, konferenz: Konferenz) -> dict[str, tuple[Antwort, AntwortQuelle | None]]:
    """Kennung → (answer, where it came from) of everyone invited to the Sitzung."""
    with Session(engine) as session:
        rows = session.exec(
            select(Rueckmeldung, Person).join(Person).where(Rueckmeldung.sitzung_id == konferenz.sitzung_id)
        ).all()
        return {person.kennung: (row.antwort, row.quelle) for row, person in rows}
