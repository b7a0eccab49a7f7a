"""The funding procedure (Förderverfahren; Leipzig seed: about 110 projects at about 80 Träger,
a Beschluss providing 4,000 € in a named budget line; Lörrach: the Leitsätze as criteria for
project concepts and funding).

Call (deadline, budget line, criteria = the Leitsätze of its Strategie) → application by the
Träger with a cost plan → review with a score per criterion → decision with amount, period,
budget line and conditions, a Bescheid as PDF, instalments → Verwendungsnachweis with a
deadline. The deadline is an ``Auftrag`` (quelle ``foerderung``) of the applicant, so the daily
deadline flow reminds and escalates it like any other; a decided grant becomes the project's
planned money for the year (``projekt_ressource``), which the Förderübersicht reads.

The decision with its Bescheid and instalments is in ``foerderentscheidung``. Every step checks
its input whole and refuses with German messages (``ProblemReport``); nothing
is written then. The caller's session carries the actor for the audit trail.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from sozialforum import outbox
from sozialforum.channels.mail import OutgoingMail
from sozialforum.channels.rendering import render_text
from sozialforum.links import issue_link
from sozialforum.problems import Problem, ProblemReport
from sozialforum.settings import Settings
from sozialforum.store.models import (
    Antragsbewertung,
    Auftrag,
    Foerderantrag,
    Foerderaufruf,
    Foerderentscheidung,
    Person,
    ProjektRessource,
    Strategieelement,
    Verwendungsnachweis,
)
from sozialforum.strategie.kostenplan import Dynamisierung, Dynamisierungsregel, dynamisieren, kostenplan_lesen
from sozialforum.timeutil import format_datum_kurz
from sozialforum.vocab import (
    AntragStatus,
    AuftragStatus,
    LinkZweck,
    NachrichtArt,
    StrategieElementArt,
)

QUELLE = "Förderantrag"


def _refuse(meldung: str, *, feld: str | None = None, quelle: str = QUELLE) -> ProblemReport:
    return ProblemReport([Problem(quelle, None, feld, meldung)])


def regel(settings: Settings) -> Dynamisierungsregel:
    s = settings.strategie
    return Dynamisierungsregel.aus_konfiguration(
        {
            "tarif": s.dynamisierung_tarif,
            "tarif_standard_prozent": s.dynamisierung_tarif_standard_prozent,
            "sachkosten_prozent": s.dynamisierung_sachkosten_prozent,
            "pauschal_prozent": s.dynamisierung_pauschal_prozent,
        }
    )


def kriterien(session: Session, aufruf: Foerderaufruf) -> list[Strategieelement]:
    """The criteria of a call: the Leitsätze of its Strategie, in their order."""
    if aufruf.strategie_id is None:
        return []
    return list(
        session.exec(
            select(Strategieelement)
            .where(Strategieelement.strategie_id == aufruf.strategie_id)
            .where(Strategieelement.art == StrategieElementArt.LEITSATZ.value)
            .order_by(Strategieelement.nummer)  # type: ignore[arg-type]  # SQLModel column typed as its value
        )
    )


def antrag_einreichen(
    session: Session,
    *,
    aufruf: Foerderaufruf,
    traeger_id: int,
    person_id: int | None,
    titel: str,
    kostenplan: dict[str, Any],
    beantragt: Any,
    now: datetime,
    massnahme_id: int | None = None,
) -> Foerderantrag:
    """Record an application. Refused after the call's deadline, without a title, or with a cost
    plan that does not add up or has negative amounts."""
    problems: list[Problem] = []
    if now.date() > aufruf.frist:
        problems.append(Problem(QUELLE, None, None, f"Die Antragsfrist endete am {format_datum_kurz(aufruf.frist)}."))
    if not titel.strip():
        problems.append(Problem(QUELLE, None, "Titel", "Bitte das Vorhaben benennen."))
    if len(titel) > 300:
        problems.append(Problem(QUELLE, None, "Titel", "Der Titel ist länger als 300 Zeichen."))
    try:
        plan = kostenplan_lesen(kostenplan, beantragt=beantragt)
    except ProblemReport as report:
        problems.extend(report.problems)
    if problems:
        raise ProblemReport(problems)
    count = len(session.exec(select(Foerderantrag.id).where(Foerderantrag.aufruf_id == aufruf.id)).all())
    antrag = Foerderantrag(
        aufruf_id=aufruf.id,  # type: ignore[arg-type]  # a stored call has an id
        kennung=f"{aufruf.kennung}-{count + 1:03d}",
        traeger_id=traeger_id,
        person_id=person_id,
        massnahme_id=massnahme_id,
        titel=titel.strip(),
        kostenplan=plan.as_json(),
        beantragt_eur=plan.bedarf,
        status=AntragStatus.EINGEREICHT,
        eingereicht_am=now,
    )
    session.add(antrag)
    session.flush()
    return antrag


def bewerten(
    session: Session, *, antrag: Foerderantrag, punkte: dict[int, int], notizen: dict[int, str], max_punkte: int
) -> list[Antragsbewertung]:
    """Scores per criterion (a Leitsatz of the call); a new review of a criterion replaces the old."""
    aufruf = session.get(Foerderaufruf, antrag.aufruf_id)
    assert aufruf is not None
    allowed = {k.id: k for k in kriterien(session, aufruf)}
    problems = []
    for element_id, score in punkte.items():
        name = allowed[element_id].titel if element_id in allowed else str(element_id)
        if element_id not in allowed:
            problems.append(Problem("Bewertung", None, name, "ist kein Kriterium dieses Förderaufrufs."))
        elif not 0 <= score <= max_punkte:
            problems.append(Problem("Bewertung", None, name, f"Punkte müssen zwischen 0 und {max_punkte} liegen."))
    if problems:
        raise ProblemReport(problems)
    existing = {
        b.element_id: b for b in session.exec(select(Antragsbewertung).where(Antragsbewertung.antrag_id == antrag.id))
    }
    result = []
    for element_id, score in punkte.items():
        row = existing.get(element_id) or Antragsbewertung(antrag_id=antrag.id, element_id=element_id, punkte=score)  # type: ignore[arg-type]  # stored rows have ids
        row.punkte = score
        row.notiz = (notizen.get(element_id) or "").strip() or None
        session.add(row)
        result.append(row)
    session.flush()
    return result


def nachweis_eingegangen(
    session: Session,
    *,
    entscheidung: Foerderentscheidung,
    sachbericht: str,
    ausgaben: Decimal,
    eingegangen_am: date,
    zahlen: dict[str, Any] | None = None,
) -> Verwendungsnachweis:
    """Record the Verwendungsnachweis: its Auftrag is done, the year's actual money is set."""
    if not sachbericht.strip():
        raise _refuse("Der Sachbericht fehlt.", feld="Sachbericht", quelle="Verwendungsnachweis")
    if ausgaben < 0:
        raise _refuse("Die Ausgaben dürfen nicht negativ sein.", feld="Ausgaben", quelle="Verwendungsnachweis")
    nachweis = session.exec(
        select(Verwendungsnachweis).where(Verwendungsnachweis.entscheidung_id == entscheidung.id)
    ).first() or Verwendungsnachweis(entscheidung_id=entscheidung.id)  # type: ignore[arg-type]  # stored: id set
    nachweis.sachbericht = sachbericht.strip()
    nachweis.ausgaben_eur = ausgaben
    nachweis.eingegangen_am = eingegangen_am
    nachweis.zahlen = zahlen or {}
    session.add(nachweis)
    if entscheidung.verwendungsnachweis_auftrag_id is not None:
        auftrag = session.get(Auftrag, entscheidung.verwendungsnachweis_auftrag_id)
        if auftrag is not None and not AuftragStatus(auftrag.status).is_closed:
            auftrag.status = AuftragStatus.UMGESETZT
            auftrag.erledigt_am = eingegangen_am
            auftrag.fortschritt_prozent = 100
            session.add(auftrag)
    antrag = session.get(Foerderantrag, entscheidung.antrag_id)
    aufruf = session.get(Foerderaufruf, antrag.aufruf_id) if antrag else None
    if antrag is not None and antrag.massnahme_id is not None and aufruf is not None:
        row = session.exec(
            select(ProjektRessource)
            .where(ProjektRessource.massnahme_id == antrag.massnahme_id)
            .where(ProjektRessource.jahr == aufruf.foerderjahr)
        ).first()
        if row is not None:
            row.ist_eur = ausgaben
            session.add(row)
    session.flush()
    return nachweis


def dynamisierung_fuer(antrag: Foerderantrag, settings: Settings) -> Dynamisierung:
    """Next year's cost plan of a funded project by the configured rule, with its derivation."""
    return dynamisieren(kostenplan_lesen(antrag.kostenplan), regel(settings))


def einladen(
    session: Session, *, aufruf: Foerderaufruf, person_ids: list[int], now: datetime, settings: Settings
) -> int:
    """Send each contact person a personal link to apply in the call (once per call and person;
    a rerun queues nothing). Persons who may not be contacted are left out."""
    queued = 0
    for person_id in dict.fromkeys(person_ids):
        person = session.get(Person, person_id)
        schluessel = f"foerderaufruf:{aufruf.id}:{person_id}"
        if person is None or not person.contactable or not person.email or outbox.existing_keys(session, [schluessel]):
            continue
        url = issue_link(
            session,
            person_id=person_id,
            zweck=LinkZweck.FOERDERANTRAG,
            bezug_id=aufruf.id,  # type: ignore[arg-type]  # stored: id set
            now=now,
            settings=settings,
            gueltig_bis=datetime.combine(aufruf.frist + timedelta(days=1), datetime.min.time(), tzinfo=now.tzinfo),
        )
        text = render_text("mail/strategie/foerderaufruf.txt", person=person, aufruf=aufruf, url=url, settings=settings)
        # "Förderaufruf Prävention 2027", not "Förderaufruf: Förderaufruf Prävention 2027"
        betreff = aufruf.titel if "aufruf" in aufruf.titel.lower() else f"Förderaufruf: {aufruf.titel}"
        mail = OutgoingMail(to=person.email, to_name=person.anzeigename, subject=betreff, text=text)
        outbox.enqueue(
            session,
            schluessel=schluessel,
            art=NachrichtArt.FOERDERUNG,
            mail=mail,
            person_id=person_id,
            bezug={"aufruf_id": aufruf.id},
            now=now,
            settings=settings,
        )
        queued += 1
    return queued
