"""Changes after the invitation: a new time or place, a cancellation.

A change of time or place raises SEQUENCE (RFC 5545 §3.8.7.4) and sends an update with the same
UID; a cancellation sends METHOD:CANCEL. Before either, every still-queued message of the Sitzung
is withdrawn in the same transaction, so a moved or cancelled meeting never gets a stale reminder
or invitation.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from sozialforum.konferenz import versand
from sozialforum.konferenz.nachrichten import Composer
from sozialforum.konferenz.vorbereitung import load_pack
from sozialforum.settings import Settings
from sozialforum.store.models import Sitzung
from sozialforum.timeutil import as_utc, format_termin
from sozialforum.vocab import Antwort, NachrichtArt, SitzungStatus

_UNSET = object()


def reschedule(
    session: Session,
    *,
    sitzung_id: int,
    now: datetime,
    settings: Settings,
    beginn: datetime | None = None,
    ende: datetime | None = None,
    ort: str | object | None = _UNSET,
    adresse: str | object | None = _UNSET,
) -> versand.VersandBericht | None:
    """Change time and/or place. Invited attendees get an update (same UID, SEQUENCE + 1); a
    change of time asks everyone again (RFC 5546 §2.1.5: PARTSTAT back to NEEDS-ACTION)."""
    sitzung = session.get(Sitzung, sitzung_id)
    if sitzung is None:
        raise versand.VersandFehler(f"Sitzung {sitzung_id} gibt es nicht.")
    if sitzung.status == SitzungStatus.ABGESAGT:
        raise versand.VersandFehler("Eine abgesagte Sitzung kann nicht verschoben werden; bitte neu planen.")
    changes: list[str] = []
    new_start = as_utc(beginn) if beginn else sitzung.beginn
    new_end = as_utc(ende) if ende else new_start + (sitzung.ende - sitzung.beginn)
    if new_end <= new_start:
        raise versand.VersandFehler("Das Ende der Sitzung muss nach ihrem Beginn liegen.")
    time_changed = (new_start, new_end) != (sitzung.beginn, sitzung.ende)
    if time_changed:
        changes.append(f"neuer Termin: {format_termin(new_start)}")
    if (ort is not _UNSET and ort != sitzung.ort) or (adresse is not _UNSET and adresse != sitzung.adresse):
        sitzung.ort = sitzung.ort if ort is _UNSET else ort  # type: ignore[assignment]  # past the sentinel, ort is str | None
        sitzung.adresse = sitzung.adresse if adresse is _UNSET else adresse  # type: ignore[assignment]  # past the sentinel, adresse is str | None
        changes.append(f"neuer Ort: {', '.join(p for p in (sitzung.ort, sitzung.adresse) if p)}")
    if not changes:
        return None
    sitzung.beginn, sitzung.ende = new_start, new_end
    sitzung.ical_sequence += 1
    session.add(sitzung)
    withdrawn = versand.withdraw_queued(session, sitzung_id)
    if time_changed:
        for row, _person in versand.invited(session, sitzung):
            row.antwort, row.quelle, row.beantwortet_am = Antwort.OFFEN, None, None
            row.sequenz = sitzung.ical_sequence
            session.add(row)
    session.flush()
    if sitzung.status != SitzungStatus.EINGELADEN:
        return versand.VersandBericht(sitzung_id=sitzung_id, art=NachrichtArt.AKTUALISIERUNG, zurueckgezogen=withdrawn)
    # A change of place only keeps the answers: the update says so to the calendars (the
    # attendee's PARTSTAT, no RSVP) instead of asking everyone to answer again.
    report = versand.send_invitations(
        session,
        sitzung_id=sitzung_id,
        now=now,
        settings=settings,
        aenderung="; ".join(changes),
        antworten_behalten=not time_changed,
    )
    report.zurueckgezogen = withdrawn
    return report


def cancel(
    session: Session, *, sitzung_id: int, now: datetime, settings: Settings, grund: str | None = None
) -> versand.VersandBericht:
    """Cancel the Sitzung: METHOD:CANCEL (same UID, SEQUENCE + 1) to everyone invited."""
    sitzung = session.get(Sitzung, sitzung_id)
    if sitzung is None:
        raise versand.VersandFehler(f"Sitzung {sitzung_id} gibt es nicht.")
    report = versand.VersandBericht(sitzung_id=sitzung_id, art=NachrichtArt.ABSAGE)
    if sitzung.status == SitzungStatus.ABGESAGT:
        return report
    was_invited = sitzung.status == SitzungStatus.EINGELADEN
    sitzung.status = SitzungStatus.ABGESAGT
    sitzung.ical_sequence += 1
    session.add(sitzung)
    report.zurueckgezogen = versand.withdraw_queued(session, sitzung_id)
    session.flush()
    if not was_invited:
        return report
    pack = load_pack(session, sitzung_id, settings, with_recipients=False)
    recipients = versand.reachable(session, (person for _row, person in versand.invited(session, sitzung)), report)
    composer = Composer(pack, settings, now, NachrichtArt.ABSAGE, grund=grund)
    versand.enqueue_messages(session, composer, list(recipients.values()), report, now=now, settings=settings)
    return report
