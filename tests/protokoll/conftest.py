"""A small held Sitzung for the minutes tests: a Sozialraumkonferenz with a Protokollführung,
a Geschäftsstelle member, three Träger members (one without consent to be contacted) and a
guest, three Tagesordnungspunkte, RSVPs and check-ins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from sozialforum.store.db import session_scope
from sozialforum.store.models import (
    Gremium,
    Mitgliedschaft,
    Organisation,
    Person,
    Rueckmeldung,
    Sitzung,
    Tagesordnungspunkt,
)
from sozialforum.vocab import (
    Antwort,
    GremiumArt,
    MitgliedRolle,
    OrganisationArt,
    Rechtsgrundlage,
    SitzungStatus,
)

# The Sitzung was on Tuesday, 3 March 2026, 17:00–19:00 Berlin time.
SITZUNG_BEGINN = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)
NACH_SITZUNG = datetime(2026, 3, 4, 8, 0, tzinfo=UTC)


@dataclass
class Welt:
    sitzung_id: int
    gremium_id: int
    protokollfuehrung_id: int
    geschaeftsstelle_id: int
    mitglieder: list[int]  # contactable members (Träger)
    ohne_einwilligung_id: int
    gast_id: int
    organisation_id: int
    tops: list[int]


def _person(session, kennung: str, vorname: str, nachname: str, org: int, *, einwilligung: bool = True) -> Person:
    person = Person(
        kennung=kennung,
        vorname=vorname,
        nachname=nachname,
        organisation_id=org,
        email=f"{kennung.lower()}@traeger.example",
        rechtsgrundlage=Rechtsgrundlage.OEFFENTLICHE_AUFGABE if einwilligung else None,
        einwilligung_am=date(2024, 1, 1) if einwilligung else None,
    )
    session.add(person)
    session.flush()
    return person


def build_world(engine: Engine, *, status: SitzungStatus = SitzungStatus.DURCHGEFUEHRT) -> Welt:
    with session_scope(engine, actor="test") as session:
        amt = Organisation(kennung="AMT-SPL", name="Sozialplanung", art=OrganisationArt.AMT)
        traeger = Organisation(kennung="T-AWO", name="AWO Kreisverband", art=OrganisationArt.FREIER_TRAEGER)
        session.add_all([amt, traeger])
        session.flush()
        gremium = Gremium(kennung="SRK-T", name="Sozialraumkonferenz Testhausen", art=GremiumArt.SOZIALRAUMKONFERENZ)
        session.add(gremium)
        session.flush()
        pf = _person(session, "P-PF", "Paula", "Protokoll", traeger.id)
        gs = _person(session, "P-GS", "Gerd", "Geschäft", amt.id)
        m1 = _person(session, "P-M1", "Anna", "Albrecht", traeger.id)
        m2 = _person(session, "P-M2", "Bernd", "Becker", traeger.id)
        ohne = _person(session, "P-M3", "Carla", "Conrad", traeger.id, einwilligung=False)
        gast = _person(session, "P-G1", "Dora", "Dietrich", traeger.id)
        for person, rolle in (
            (pf, MitgliedRolle.PROTOKOLLFUEHRUNG),
            (gs, MitgliedRolle.GESCHAEFTSSTELLE),
            (m1, MitgliedRolle.VORSITZ),
            (m2, MitgliedRolle.MITGLIED),
            (ohne, MitgliedRolle.MITGLIED),
        ):
            session.add(
                Mitgliedschaft(
                    gremium_id=gremium.id,
                    person_id=person.id,
                    rolle=rolle,
                    organisation_id=person.organisation_id,
                    von=date(2024, 1, 1),
                )
            )
        sitzung = Sitzung(
            gremium_id=gremium.id,
            titel="1. Sozialraumkonferenz 2026",
            beginn=SITZUNG_BEGINN,
            ende=SITZUNG_BEGINN + timedelta(hours=2),
            ort="Bürgerhaus Testhausen",
            status=status,
            ical_uid="sitzung-test@sozialforum",
        )
        session.add(sitzung)
        session.flush()
        tops = []
        for order, (nummer, titel) in enumerate(
            (("1", "Begrüßung und Protokoll"), ("2", "Sozialraumprofil 2025"), ("3", "Wohnungsnotfallhilfe")),
            start=1,
        ):
            top = Tagesordnungspunkt(sitzung_id=sitzung.id, reihenfolge=order, nummer=nummer, titel=titel)
            session.add(top)
            session.flush()
            tops.append(top.id)
        for person, antwort, anwesend in (
            (pf, Antwort.ZUSAGE, True),
            (m1, Antwort.ZUSAGE, True),
            (m2, Antwort.ABSAGE, None),
            (gast, Antwort.ZUSAGE, True),
            (gs, Antwort.ZUSAGE, None),
        ):
            session.add(Rueckmeldung(sitzung_id=sitzung.id, person_id=person.id, antwort=antwort, anwesend=anwesend))
        return Welt(
            sitzung_id=sitzung.id,
            gremium_id=gremium.id,
            protokollfuehrung_id=pf.id,
            geschaeftsstelle_id=gs.id,
            mitglieder=[m1.id, m2.id],
            ohne_einwilligung_id=ohne.id,
            gast_id=gast.id,
            organisation_id=traeger.id,
            tops=tops,
        )


@pytest.fixture
def welt(engine: Engine) -> Welt:
    return build_world(engine)
