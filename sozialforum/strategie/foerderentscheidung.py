"""The decision on a funding application: amount, period, budget line and conditions, the
Bescheid as PDF, instalments, the Verwendungsnachweis deadline as the applicant's ``Auftrag``
(quelle ``foerderung``, reminded and escalated by the daily deadline flow) and the grant as the
project's planned money for the year (``projekt_ressource``), which the Förderübersicht reads.

Refused whole with German messages (``ProblemReport``); nothing is written then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from sqlmodel import Session, select

from sozialforum.channels.pdf import html_to_pdf
from sozialforum.channels.rendering import render
from sozialforum.daten.wortlaut import STADT, wortlaut
from sozialforum.problems import Problem, ProblemReport
from sozialforum.settings import Settings
from sozialforum.store.models import (
    Auftrag,
    Foerderantrag,
    Foerderaufruf,
    Foerderentscheidung,
    Foerderrate,
    Massnahme,
    Organisation,
    Person,
    ProjektRessource,
)
from sozialforum.strategie.foerderung import QUELLE
from sozialforum.timeutil import add_months, format_euro
from sozialforum.vocab import AntragStatus, AuftragQuelle, AuftragStatus, MassnahmeArt, MassnahmeStatus


@dataclass(frozen=True)
class Entscheidung:
    bewilligt: bool
    betrag: Decimal
    von: date
    bis: date
    auflagen: str = ""
    begruendung: str = ""
    raten: int = 1
    haushaltsstelle: str | None = None


def raten_aufteilen(betrag: Decimal, anzahl: int, von: date, bis: date) -> list[tuple[date, Decimal]]:
    """Equal instalments to the cent, due at the start of equal parts of the funded period (all
    within it); the last one takes the remaining cents."""
    teil = (betrag / anzahl).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    step = max(1, _monate(von, bis) // anzahl)
    plan = [(add_months(von, i * step), teil) for i in range(anzahl - 1)]
    plan.append((add_months(von, (anzahl - 1) * step), betrag - teil * (anzahl - 1)))
    return plan


def _monate(von: date, bis: date) -> int:
    """Calendar months the period touches (1 April to 31 December: 9)."""
    return (bis.year - von.year) * 12 + bis.month - von.month + 1


def entscheiden(
    session: Session,
    *,
    antrag: Foerderantrag,
    entscheidung: Entscheidung,
    entschieden_von: str,
    now: datetime,
    settings: Settings,
) -> Foerderentscheidung:
    """Decide an application: the Bescheid PDF, instalments, the Verwendungsnachweis deadline as a
    tracked Auftrag and the project's planned money. Refused: a second decision, a negative
    amount, a grant of 0 €, more than requested without a reason, an empty or reversed period,
    more instalments than months in the period."""
    e = entscheidung
    problems: list[Problem] = []
    if session.exec(select(Foerderentscheidung).where(Foerderentscheidung.antrag_id == antrag.id)).first():
        problems.append(Problem(QUELLE, None, None, f"Über den Antrag {antrag.kennung} ist bereits entschieden."))
    if e.betrag < 0:
        problems.append(Problem("Entscheidung", None, "Betrag", "Der Betrag darf nicht negativ sein."))
    if e.bewilligt and e.betrag == 0:
        problems.append(Problem("Entscheidung", None, "Betrag", "Eine Bewilligung braucht einen Betrag über 0 €."))
    if e.bewilligt and e.betrag > antrag.beantragt_eur and not e.begruendung.strip():
        problems.append(
            Problem(
                "Entscheidung",
                None,
                "Begründung",
                f"Bewilligt werden sollen {format_euro(e.betrag, 2)}, beantragt sind "
                f"{format_euro(antrag.beantragt_eur, 2)}: ein höherer Betrag braucht eine Begründung.",
            )
        )
    if not e.bewilligt and not e.begruendung.strip():
        problems.append(Problem("Entscheidung", None, "Begründung", "Eine Ablehnung braucht eine Begründung."))
    if e.bis < e.von:
        problems.append(Problem("Entscheidung", None, "Zeitraum", "Das Ende liegt vor dem Beginn."))
    if e.bis >= e.von and not 1 <= e.raten <= _monate(e.von, e.bis):
        problems.append(
            Problem("Entscheidung", None, "Raten", f"Zwischen 1 und {_monate(e.von, e.bis)} Raten (eine je Monat).")
        )
    if problems:
        raise ProblemReport(problems)

    aufruf = session.get(Foerderaufruf, antrag.aufruf_id)
    traeger = session.get(Organisation, antrag.traeger_id)
    assert aufruf is not None and traeger is not None
    person = session.get(Person, antrag.person_id) if antrag.person_id else None
    row = Foerderentscheidung(
        antrag_id=antrag.id,  # type: ignore[arg-type]  # a stored application has an id
        bewilligt=e.bewilligt,
        betrag_eur=e.betrag if e.bewilligt else Decimal(0),
        von=e.von,
        bis=e.bis,
        haushaltsstelle=e.haushaltsstelle or aufruf.haushaltsstelle,
        auflagen=e.auflagen.strip() or None,
        begruendung=e.begruendung.strip() or None,
        entschieden_von=entschieden_von,
        entschieden_am=now,
    )
    antrag.status = AntragStatus.BEWILLIGT if e.bewilligt else AntragStatus.ABGELEHNT
    session.add_all([row, antrag])
    session.flush()
    raten: list[tuple[date, Decimal]] = []
    if e.bewilligt:
        raten = raten_aufteilen(row.betrag_eur, e.raten, e.von, e.bis)
        session.add_all(
            Foerderrate(entscheidung_id=row.id, nummer=i + 1, faellig_am=day, betrag_eur=amount)  # type: ignore[arg-type]  # flushed: id set
            for i, (day, amount) in enumerate(raten)
        )
        row.verwendungsnachweis_frist = e.bis + timedelta(days=settings.strategie.nachweis_frist_tage)
        massnahme = _projekt(session, antrag, traeger, aufruf)
        auftrag = Auftrag(
            kennung=f"foerderung-{antrag.kennung}-nachweis",
            quelle=AuftragQuelle.FOERDERUNG,
            massnahme_id=massnahme.id,
            beschreibung=f"Verwendungsnachweis (Sachbericht und zahlenmäßiger Nachweis) für „{antrag.titel}“ "
            f"({traeger.name}, Förderung {format_euro(row.betrag_eur, 2)})",
            verantwortlich_organisation_id=traeger.id,
            verantwortlich_person_id=antrag.person_id,
            frist=row.verwendungsnachweis_frist,
            status=AuftragStatus.OFFEN,
        )
        session.add(auftrag)
        session.flush()
        row.verwendungsnachweis_auftrag_id = auftrag.id
        _plan_eintragen(session, massnahme.id, aufruf.foerderjahr, row.betrag_eur)  # type: ignore[arg-type]  # flushed: id set
    row.bescheid_pdf = bescheid_pdf(
        antrag=antrag, aufruf=aufruf, traeger=traeger, person=person, row=row, raten=raten, settings=settings
    )
    session.add(row)
    session.flush()
    return row


def _projekt(session: Session, antrag: Foerderantrag, traeger: Organisation, aufruf: Foerderaufruf) -> Massnahme:
    """The project a grant funds: the one named in the application, or a new one."""
    if antrag.massnahme_id is not None:
        found = session.get(Massnahme, antrag.massnahme_id)
        assert found is not None
        return found
    massnahme = Massnahme(
        kennung=f"projekt-{antrag.kennung}",
        titel=antrag.titel,
        art=MassnahmeArt.PROJEKT,
        status=MassnahmeStatus.GEPLANT,
        verantwortlich_organisation_id=traeger.id,
        laufzeit_von=date(aufruf.foerderjahr, 1, 1),
    )
    session.add(massnahme)
    session.flush()
    antrag.massnahme_id = massnahme.id
    session.add(antrag)
    return massnahme


def _plan_eintragen(session: Session, massnahme_id: int, jahr: int, betrag: Decimal) -> None:
    row = session.exec(
        select(ProjektRessource)
        .where(ProjektRessource.massnahme_id == massnahme_id)
        .where(ProjektRessource.jahr == jahr)
    ).first() or ProjektRessource(massnahme_id=massnahme_id, jahr=jahr)
    row.plan_eur = betrag
    session.add(row)


def bescheid_pdf(
    *,
    antrag: Foerderantrag,
    aufruf: Foerderaufruf,
    traeger: Organisation,
    person: Person | None,
    row: Foerderentscheidung,
    raten: list[tuple[date, Decimal]],
    settings: Settings,
) -> bytes:
    html = render(
        "reports/strategie/bescheid.html",
        antrag=antrag,
        aufruf=aufruf,
        traeger=traeger,
        person=person,
        e=row,
        raten=raten,
        settings=settings,
        # "zum „Förderaufruf Prävention 2027“", not "im Förderaufruf „Förderaufruf …“"
        aufruf_genannt=f"zum „{aufruf.titel}“"
        if "aufruf" in aufruf.titel.lower()
        else f"im Förderaufruf „{aufruf.titel}“",
        # "beim Landkreis Musterland", "bei der Stadt Ulm" (the Behörde of the Rechtsbehelfsbelehrung)
        bei_kommune=("bei der " if wortlaut(settings.kommune) is STADT else "beim ") + settings.kommune,
    )
    art = "Zuwendungsbescheid" if row.bewilligt else "Ablehnungsbescheid"
    return html_to_pdf(html, title=f"{art} {antrag.kennung}", footer=f"{settings.kommune} · {art} {antrag.kennung}")
