"""Träger take part by link: the RSVP to a Sitzung and topic proposals for its agenda.

The RSVP writes the same ``Rueckmeldung`` row (one per Sitzung and person) that calendar replies
update, so the latest answer wins whichever way it came. It can be changed until the meeting
begins; a cancelled Sitzung takes no answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from sozialforum import audit
from sozialforum.models.akteure import Person
from sozialforum.models.gremien import Gremium, Sitzung, Tagesordnungspunkt
from sozialforum.models.kommunikation import Rueckmeldung
from sozialforum.models.portal import Themenvorschlag
from sozialforum.vocab import Antwort, AntwortQuelle, AuditAktion, Beduerfnis, SitzungStatus

# The answers a link offers; DELEGIERT and OFFEN are set by the Geschäftsstelle or calendars.
LINK_ANTWORTEN = (Antwort.ZUSAGE, Antwort.VIELLEICHT, Antwort.ABSAGE)
MAX_PERSONEN = 20


class EingabeFehler(ValueError):
    """Invalid input; ``fehler`` maps field names to German messages."""

    def __init__(self, fehler: dict[str, str]) -> None:
        super().__init__("; ".join(fehler.values()))
        self.fehler = fehler


class SitzungGeschlossen(Exception):
    """The Sitzung takes no more answers (begun or cancelled); the message is German."""


@dataclass(frozen=True)
class RsvpEingabe:
    antwort: Antwort
    personen: int
    beduerfnisse: list[str]
    kommentar: str | None


def parse_rsvp(form: dict[str, object] | object) -> RsvpEingabe:
    """Check the posted RSVP form; EingabeFehler names every bad field."""
    get = form.get  # type: ignore[attr-defined]
    fehler: dict[str, str] = {}
    raw_antwort = str(get("antwort") or "")
    antwort = next((a for a in LINK_ANTWORTEN if a.value == raw_antwort), None)
    if antwort is None:
        fehler["antwort"] = "Bitte wählen Sie, ob Sie teilnehmen."
    raw_personen = str(get("personen") or "1").strip()
    personen = 1
    if not raw_personen.isdigit() or not 1 <= int(raw_personen) <= MAX_PERSONEN:
        fehler["personen"] = f"Bitte geben Sie eine Zahl von 1 bis {MAX_PERSONEN} an."
    else:
        personen = int(raw_personen)
    getlist = getattr(form, "getlist", None)
    chosen = getlist("beduerfnisse") if getlist else (get("beduerfnisse") or [])
    known = {b.value for b in Beduerfnis}
    beduerfnisse = [b.value for b in Beduerfnis if b.value in chosen]
    if any(value not in known for value in chosen):
        fehler["beduerfnisse"] = "Unbekannte Angabe bei den Bedürfnissen."
    kommentar = str(get("kommentar") or "").strip()[:2000] or None
    if fehler:
        raise EingabeFehler(fehler)
    assert antwort is not None
    return RsvpEingabe(antwort, personen if antwort != Antwort.ABSAGE else 0, beduerfnisse, kommentar)


def sitzung_open(sitzung: Sitzung, *, now: datetime) -> str | None:
    """Why the Sitzung takes no answers any more (German), or None if it does."""
    if sitzung.status == SitzungStatus.ABGESAGT:
        return "Diese Sitzung wurde abgesagt. Eine Rückmeldung ist nicht mehr nötig."
    if sitzung.beginn <= now:
        return "Die Sitzung hat bereits begonnen; Rückmeldungen sind nicht mehr möglich."
    return None


def load_sitzung(session: Session, sitzung_id: int) -> tuple[Sitzung, Gremium]:
    sitzung = session.get(Sitzung, sitzung_id)
    if sitzung is None:
        raise LookupError(f"Sitzung {sitzung_id} nicht gefunden.")
    gremium = session.get(Gremium, sitzung.gremium_id)
    assert gremium is not None
    return sitzung, gremium


def current_rsvp(session: Session, *, sitzung_id: int, person_id: int) -> Rueckmeldung | None:
    return session.exec(select(Rueckmeldung).where(
        Rueckmeldung.sitzung_id == sitzung_id, Rueckmeldung.person_id == person_id)).first()


def record_rsvp(
    session: Session,
    *,
    sitzung_id: int,
    person_id: int,
    eingabe: RsvpEingabe,
    now: datetime,
    quelle: AntwortQuelle = AntwortQuelle.LINK,
) -> Rueckmeldung:
    """Write the answer into the person's one Rueckmeldung row for the Sitzung (audited)."""
    sitzung, _ = load_sitzung(session, sitzung_id)
    closed = sitzung_open(sitzung, now=now)
    if closed:
        raise SitzungGeschlossen(closed)
    row = current_rsvp(session, sitzung_id=sitzung_id, person_id=person_id)
    if row is None:
        try:
            with session.begin_nested():
                row = Rueckmeldung(sitzung_id=sitzung_id, person_id=person_id)
                _apply(row, eingabe, now, quelle)
                session.add(row)
            return row
        except sa.exc.IntegrityError:  # a calendar reply created the row meanwhile
            row = current_rsvp(session, sitzung_id=sitzung_id, person_id=person_id)
            assert row is not None
    _apply(row, eingabe, now, quelle)
    session.add(row)
    return row


def _apply(row: Rueckmeldung, eingabe: RsvpEingabe, now: datetime, quelle: AntwortQuelle) -> None:
    row.antwort = eingabe.antwort
    row.personen = eingabe.personen
    row.beduerfnisse = list(eingabe.beduerfnisse)
    row.kommentar = eingabe.kommentar
    row.quelle = quelle
    row.beantwortet_am = now


def agenda(session: Session, sitzung_id: int) -> list[Tagesordnungspunkt]:
    """The public agenda items (what a Träger may see of the agenda)."""
    return list(session.exec(
        select(Tagesordnungspunkt)
        .where(Tagesordnungspunkt.sitzung_id == sitzung_id, Tagesordnungspunkt.oeffentlich)
        .order_by(Tagesordnungspunkt.reihenfolge)  # type: ignore[arg-type]
    ))


def parse_vorschlag(form: object) -> tuple[str, str | None, int | None]:
    get = form.get  # type: ignore[attr-defined]
    fehler: dict[str, str] = {}
    titel = " ".join(str(get("titel") or "").split())
    if len(titel) < 3:
        fehler["titel"] = "Bitte geben Sie ein Thema an (mindestens 3 Zeichen)."
    elif len(titel) > 300:
        fehler["titel"] = "Das Thema darf höchstens 300 Zeichen lang sein."
    begruendung = str(get("begruendung") or "").strip()[:5000] or None
    raw = str(get("dauer_minuten") or "").strip()
    dauer = None
    if raw:
        if not raw.isdigit() or not 5 <= int(raw) <= 180:
            fehler["dauer_minuten"] = "Bitte geben Sie eine Dauer von 5 bis 180 Minuten an."
        else:
            dauer = int(raw)
    if fehler:
        raise EingabeFehler(fehler)
    return titel, begruendung, dauer


def propose_topic(
    session: Session,
    *,
    sitzung_id: int,
    person: Person,
    titel: str,
    begruendung: str | None,
    dauer_minuten: int | None,
    now: datetime,
) -> Themenvorschlag:
    """Record a topic proposal for the Sitzung's agenda (audited)."""
    sitzung, _ = load_sitzung(session, sitzung_id)
    closed = sitzung_open(sitzung, now=now)
    if closed:
        raise SitzungGeschlossen(closed.replace("Rückmeldungen", "Themenvorschläge"))
    vorschlag = Themenvorschlag(
        sitzung_id=sitzung_id, person_id=person.id, organisation_id=person.organisation_id,
        titel=titel, begruendung=begruendung, dauer_minuten=dauer_minuten, eingereicht_am=now)
    session.add(vorschlag)
    session.flush()
    assert vorschlag.id is not None
    audit.record_bulk(session, table="themenvorschlag", entries=[(vorschlag.id, AuditAktion.CREATE, {
        "sitzung_id": sitzung_id, "titel": titel})])
    return vorschlag


def own_proposals(session: Session, *, sitzung_id: int, person_id: int) -> list[Themenvorschlag]:
    """Only the person's own proposals: no Träger sees what another proposed."""
    return list(session.exec(
        select(Themenvorschlag)
        .where(Themenvorschlag.sitzung_id == sitzung_id, Themenvorschlag.person_id == person_id)
        .order_by(Themenvorschlag.eingereicht_am)  # type: ignore[arg-type]
    ))
