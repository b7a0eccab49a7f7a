"""The funding procedure in the store: application, review, decision with Bescheid and
instalments, the Verwendungsnachweis as a deadline the deadline flow sees, and refusals that
change nothing."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import select

from sozialforum.fristen.konfiguration import load_meilensteine
from sozialforum.fristen.quellen import collect_fristen
from sozialforum.problems import ProblemReport
from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import (
    Foerderantrag,
    Foerderaufruf,
    Foerderrate,
    Organisation,
    OutboxMessage,
    Person,
    ProjektRessource,
    Strategie,
    Strategieelement,
)
from sozialforum.strategie import foerderentscheidung, foerderung
from sozialforum.strategie.foerderentscheidung import Entscheidung
from sozialforum.timeutil import format_datum
from sozialforum.vocab import FristArt, OrganisationArt, Rechtsgrundlage, StrategieElementArt
from tests.strategie.test_rechnungen import PLAN
from tests.support.foerderung import foerderaufruf
from tests.support.pdf_text import text as pdf_inhalt
from tests.support.pdf_ua import assert_pdf_ua

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _setup(engine: Engine) -> tuple[int, int, int, list[int]]:
    with session_scope(engine, actor="test") as s:
        strategie = Strategie(kennung="S-2019", titel="Sozialstrategie", fassung="Fortschreibung 2019")
        traeger = Organisation(
            kennung="T1",
            name="Lindenau e. V.",
            art=OrganisationArt.FREIER_TRAEGER,
            adresse="Hauptstr. 1, 79539 Lörrach",
        )
        s.add_all([strategie, traeger])
        s.flush()
        person = Person(
            kennung="P1",
            vorname="Anna",
            nachname="Berg",
            email="anna.berg@lindenau.example",
            rechtsgrundlage=Rechtsgrundlage.OEFFENTLICHE_AUFGABE,
            organisation_id=traeger.id,
        )
        leitsaetze = [
            Strategieelement(strategie_id=strategie.id, art=StrategieElementArt.LEITSATZ, nummer=i, titel=t)
            for i, t in enumerate(["Kein unter 25-Jähriger geht verloren", "Keine Hartz-IV-Karrieren"], start=1)
        ]
        aufruf = foerderaufruf(strategie.id, titel="Förderaufruf Prävention 2026")  # type: ignore[arg-type]
        s.add_all([person, *leitsaetze, aufruf])
        s.flush()
        return aufruf.id, traeger.id, person.id, [e.id for e in leitsaetze]  # type: ignore[return-value]


def _counts(engine: Engine) -> dict[str, int]:
    tables = [
        "foerderantrag",
        "foerderentscheidung",
        "foerderrate",
        "auftrag",
        "massnahme",
        "projekt_ressource",
        "antragsbewertung",
    ]
    with engine.connect() as conn:
        return {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables}


def test_application_review_decision_and_deadline(engine: Engine, settings: Settings) -> None:
    aufruf_id, traeger_id, person_id, kriterien = _setup(engine)
    with session_scope(engine, actor="traeger:P1") as s:
        aufruf = s.get(Foerderaufruf, aufruf_id)
        antrag = foerderung.antrag_einreichen(
            s,
            aufruf=aufruf,
            traeger_id=traeger_id,
            person_id=person_id,
            titel="Familienpaten",
            kostenplan=PLAN,
            beantragt="90.234,56",
            now=NOW,
        )
        assert antrag.kennung == "FA-2026-001"
        assert antrag.beantragt_eur == Decimal("90234.56")
    with session_scope(engine, actor="gs:planerin") as s:
        antrag = s.exec(select(Foerderantrag)).one()
        foerderung.bewerten(
            s, antrag=antrag, punkte={kriterien[0]: 4, kriterien[1]: 2}, notizen={kriterien[0]: "passt"}, max_punkte=5
        )
        row = foerderentscheidung.entscheiden(
            s,
            antrag=antrag,
            settings=settings,
            now=NOW,
            entschieden_von="Petra Planerin",
            entscheidung=Entscheidung(
                True, Decimal("90000.00"), date(2026, 4, 1), date(2026, 12, 31), auflagen="Jahresbericht", raten=4
            ),
        )
    with session_scope(engine, actor="test") as s:
        raten = s.exec(select(Foerderrate).order_by(Foerderrate.nummer)).all()
        # 90,000 in four instalments over April–December (9 months): every second month.
        assert [(r.faellig_am, r.betrag_eur) for r in raten] == [
            (date(2026, 4, 1), Decimal("22500.00")),
            (date(2026, 6, 1), Decimal("22500.00")),
            (date(2026, 8, 1), Decimal("22500.00")),
            (date(2026, 10, 1), Decimal("22500.00")),
        ]
        plan = s.exec(select(ProjektRessource)).one()
        assert (plan.jahr, plan.plan_eur) == (2026, Decimal("90000.00"))
        # The Verwendungsnachweis is a deadline like any other: 180 days after the period.
        fristen = [
            f
            for f in collect_fristen(s, meilensteine=load_meilensteine(settings.fristen.meilensteine))
            if f.art is FristArt.FOERDERUNG
        ]
        assert [(f.faellig_am, f.person_id, f.organisation_id) for f in fristen] == [
            (date(2027, 6, 29), person_id, traeger_id)
        ]
        assert "Verwendungsnachweis" in fristen[0].titel
    text = pdf_inhalt(row.bescheid_pdf)
    assert "Zuwendungsbescheid" in text and "90.000,00 €" in text and "PSP 1.31.3.1.01.01" in text
    assert "bis zum 29. Juni 2027 einen Verwendungsnachweis" in " ".join(text.split())  # 31.12.2026 + 180 days
    # A letter (DIN 5008): the sender's line above the recipient in the address field, the
    # reference block with a written-out date, a salutation; it printed "Datum: 02.03.2026"
    # under the addresses, no sender's line and no salutation.
    zeilen = [" ".join(z.split()) for z in text.splitlines()]
    absender = zeilen.index("Landkreis Musterland · Kreishaus, Am Markt 1, 37000 Musterstadt")
    assert zeilen[absender + 1 : absender + 5] == ["Lindenau e. V.", "z. Hd. Anna Berg", "Hauptstr. 1", "79539 Lörrach"]
    assert f"Datum: {format_datum(NOW, weekday=False)}" in zeilen and "Aktenzeichen: FA-2026-001" in zeilen
    assert "Sehr geehrte Damen und Herren," in zeilen and "Mit freundlichen Grüßen" in zeilen
    assert_pdf_ua(row.bescheid_pdf)
    satz = " ".join(text.split())
    assert "zum „Förderaufruf Prävention 2026“ bewilligen wir" in satz and "im Förderaufruf „Förderaufruf" not in satz
    assert "zur Niederschrift beim Landkreis Musterland" in satz


def test_refusals_change_nothing(engine: Engine, settings: Settings) -> None:
    aufruf_id, traeger_id, person_id, _ = _setup(engine)
    before = _counts(engine)
    late = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
    with pytest.raises(ProblemReport) as caught, session_scope(engine, actor="t") as s:
        foerderung.antrag_einreichen(
            s,
            aufruf=s.get(Foerderaufruf, aufruf_id),
            traeger_id=traeger_id,
            person_id=person_id,
            titel="X",
            kostenplan=PLAN,
            beantragt="90.000,00",
            now=late,
        )
    meldungen = [str(p) for p in caught.value.problems]
    assert any("Antragsfrist endete am 31.03.2026" in m for m in meldungen)
    assert any("geht nicht auf" in m for m in meldungen)
    assert _counts(engine) == before
    with session_scope(engine, actor="t") as s:
        antrag = foerderung.antrag_einreichen(
            s,
            aufruf=s.get(Foerderaufruf, aufruf_id),
            traeger_id=traeger_id,
            person_id=person_id,
            titel="Familienpaten",
            kostenplan=PLAN,
            beantragt=None,
            now=NOW,
        )
        antrag_id = antrag.id
    before = _counts(engine)
    for bad, field in [
        (Entscheidung(True, Decimal("95000"), date(2026, 4, 1), date(2026, 12, 31)), "Begründung"),
        (Entscheidung(True, Decimal("-1"), date(2026, 4, 1), date(2026, 12, 31), begruendung="x"), "Betrag"),
        (Entscheidung(False, Decimal("0"), date(2026, 4, 1), date(2026, 12, 31)), "Begründung"),
        (Entscheidung(True, Decimal("100"), date(2026, 4, 1), date(2026, 3, 31)), "Zeitraum"),
    ]:
        with pytest.raises(ProblemReport) as caught, session_scope(engine, actor="t") as s:
            foerderentscheidung.entscheiden(
                s,
                antrag=s.get(Foerderantrag, antrag_id),
                entscheidung=bad,
                entschieden_von="x",
                now=NOW,
                settings=settings,
            )
        assert field in [p.spalte for p in caught.value.problems]
        assert _counts(engine) == before


def test_call_mail_names_the_call_once(engine: Engine, settings: Settings) -> None:
    aufruf_id, _, person_id, _ = _setup(engine)
    with session_scope(engine, actor="test") as s:
        aufruf = s.get(Foerderaufruf, aufruf_id)
        assert foerderung.einladen(s, aufruf=aufruf, person_ids=[person_id], now=NOW, settings=settings) == 1
        mail = s.exec(select(OutboxMessage).where(OutboxMessage.art == "foerderung")).one()
        assert mail.betreff == "Förderaufruf Prävention 2026"
        message = email.message_from_bytes(mail.inhalt or b"", policy=email.policy.default)
    body = message.get_body(("plain",))
    assert body is not None
    text = " ".join(body.get_content().split())
    assert "wir laden Sie ein, einen Antrag zu stellen: „Förderaufruf Prävention 2026“ für das Förderjahr 2026." in text
