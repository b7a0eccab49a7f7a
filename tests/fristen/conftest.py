"""A small Landkreis of our own: two units, three people, one Beschluss with Aufträge, a Fachplan
with a Fortschreibung due, a Maßnahme under review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy.engine import Engine

from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import (
    Auftrag,
    Beschluss,
    Beschlusspunkt,
    Fachplan,
    Gremium,
    Massnahme,
    Organisation,
    Person,
    Umsetzungsbericht,
    Vorlage,
)
from sozialforum.vocab import (
    AuftragQuelle,
    AuftragStatus,
    FachplanArt,
    GremiumArt,
    MassnahmeStatus,
    OrganisationArt,
    Rechtsgrundlage,
    VorlageArt,
)
from tests.conftest import REPO


@dataclass
class Welt:
    amt_id: int
    person_id: int
    ohne_einwilligung_id: int
    beschluss_id: int
    auftraege: dict[str, int]
    fachplan_id: int
    massnahme_id: int


@pytest.fixture
def fristen_settings(settings: Settings) -> Settings:
    fristen = settings.fristen.model_copy(update={"meilensteine": REPO / "config" / "fristen.toml"})
    return settings.model_copy(update={"fristen": fristen})


def build_welt(engine: Engine) -> Welt:
    with session_scope(engine, actor="test") as s:
        amt = Organisation(
            kennung="AMT-SOZ",
            name="Sozialamt",
            art=OrganisationArt.AMT,
            dezernat="Dezernat III",
            email="sozialamt@kreis.example",
        )
        traeger = Organisation(
            kennung="T-1", name="Diakonie Musterland", art=OrganisationArt.FREIER_TRAEGER, email=None
        )
        s.add_all([amt, traeger])
        s.flush()
        anna = Person(
            kennung="P1",
            vorname="Anna",
            nachname="Amtmann",
            email="anna@kreis.example",
            organisation_id=amt.id,
            rechtsgrundlage=Rechtsgrundlage.OEFFENTLICHE_AUFGABE,
        )
        bernd = Person(
            kennung="P2",
            vorname="Bernd",
            nachname="Ohnezustimmung",
            email="bernd@traeger.example",
            organisation_id=traeger.id,
        )
        s.add_all([anna, bernd])
        kt = Gremium(kennung="KT", name="Kreistag", art=GremiumArt.KREISTAG)
        s.add(kt)
        s.flush()
        antrag = Vorlage(
            kennung="A-1/2024", art=VorlageArt.ANTRAG, titel="Strategische Sozialplanung", datum=date(2024, 1, 25)
        )
        s.add(antrag)
        s.flush()
        beschluss = Beschluss(
            kennung="B-1/2024",
            vorlage_id=antrag.id,
            gremium_id=kt.id,
            datum=date(2024, 9, 19),
            titel="Einführung einer Strategischen Sozialplanung",
            dezernat="Dezernat III",
            amt="Sozialamt",
        )
        s.add(beschluss)
        s.flush()
        punkt = Beschlusspunkt(beschluss_id=beschluss.id, nummer="1", text="Konzept vorlegen")
        s.add(punkt)
        s.flush()
        specs = {
            "konzept": dict(
                beschreibung="Konzept Strategische Sozialplanung vorlegen",
                frist=date(2026, 6, 30),
                frist_wortlaut="bis Mitte 2026",
                verantwortlich_person_id=anna.id,
                verantwortlich_organisation_id=amt.id,
                status=AuftragStatus.IN_ARBEIT,
            ),
            "forum": dict(
                beschreibung="Forum Sozialplanung durchführen",
                frist=date(2026, 4, 30),
                frist_wortlaut="bis Ende April 2026",
                verantwortlich_person_id=bernd.id,
                verantwortlich_organisation_id=amt.id,
                status=AuftragStatus.OFFEN,
            ),
            "erledigt": dict(
                beschreibung="Mittel bereitstellen",
                frist=date(2026, 5, 31),
                status=AuftragStatus.UMGESETZT,
                verantwortlich_person_id=anna.id,
                erledigt_am=date(2026, 1, 10),
                fortschritt_prozent=100,
            ),
            "bericht": dict(
                beschreibung="Bericht an den Kreistag",
                frist=date(2026, 3, 31),
                frist_wortlaut="jährlich zum Ende des I. Quartals",
                quelle=AuftragQuelle.BERICHTSPFLICHT,
                verantwortlich_person_id=anna.id,
            ),
        }
        ids = {}
        for i, (name, spec) in enumerate(specs.items(), start=1):
            auftrag = Auftrag(kennung=f"B-1/2024-{i}", beschluss_id=beschluss.id, beschlusspunkt_id=punkt.id, **spec)
            s.add(auftrag)
            s.flush()
            ids[name] = auftrag.id
        s.add(
            Umsetzungsbericht(
                beschluss_id=beschluss.id,
                auftrag_id=ids["konzept"],
                datum=date(2025, 3, 1),
                status=AuftragStatus.IN_ARBEIT,
                text="Das Sozialamt erarbeitet die Grundlagen.",
            )
        )
        plan = Fachplan(
            kennung="FP-ALT",
            name="Altenhilfeplan 2021",
            art=FachplanArt.ALTENHILFEPLAN,
            beschlossen_am=date(2021, 6, 15),
            turnus_monate=60,
            zustaendig_organisation_id=amt.id,
            beschluss_id=beschluss.id,
        )
        s.add(plan)
        s.flush()
        massnahme = Massnahme(
            kennung="FP-ALT-M1",
            fachplan_id=plan.id,
            titel="Quartierstreffs",
            status=MassnahmeStatus.LAUFENDES_GESCHAEFT,
            verantwortlich_organisation_id=traeger.id,
            naechste_pruefung=date(2026, 5, 1),
        )
        s.add(massnahme)
        s.flush()
        return Welt(amt.id, anna.id, bernd.id, beschluss.id, ids, plan.id, massnahme.id)


@pytest.fixture
def welt(engine: Engine) -> Welt:
    return build_welt(engine)
