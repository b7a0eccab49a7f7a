"""Reminders to those invited who have not answered: at the Gremium's offsets, or by hand.
Keyed by the days left (``erinnerung:s12:q0:t7:…``), so each goes out once per offset."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from sozialforum.konferenz import versand
from sozialforum.konferenz.nachrichten import Composer
from sozialforum.konferenz.termine import meeting_day, reminder_due
from sozialforum.konferenz.vorbereitung import Einladungspaket, load_pack
from sozialforum.settings import Settings
from sozialforum.store.models import Sitzung
from sozialforum.store.models.base import pk
from sozialforum.timeutil import as_utc, berlin
from sozialforum.vocab import Antwort, NachrichtArt, SitzungStatus


def send_reminders(session: Session, *, now: datetime, settings: Settings) -> list[versand.VersandBericht]:
    """Reminders to those invited who have not answered, at the Gremium's offsets; only for
    Sitzungen that are invited, not cancelled and still ahead, in their current version."""
    today = berlin(now).date()
    reports: list[versand.VersandBericht] = []
    upcoming = session.exec(
        select(Sitzung)
        .where(
            Sitzung.status == SitzungStatus.EINGELADEN,
            col(Sitzung.beginn) > as_utc(now),
        )
        .order_by(col(Sitzung.beginn))
    ).all()
    for sitzung in upcoming:
        pack = load_pack(session, pk(sitzung), settings, with_recipients=False)
        tage = reminder_due(sitzung, pack.gremium, today=today)
        if tage is not None:
            reports.append(_remind(session, pack, tage, now=now, settings=settings))
    return reports


def remind_now(session: Session, *, sitzung_id: int, now: datetime, settings: Settings) -> versand.VersandBericht:
    """A reminder the Geschäftsstelle sends by hand to those who have not answered. Keyed by the
    days left like the scheduled ones, so a scheduled reminder on the same day is not doubled."""
    sitzung = session.get(Sitzung, sitzung_id)
    if sitzung is None:
        raise versand.VersandFehler(f"Sitzung {sitzung_id} gibt es nicht.")
    if sitzung.status != SitzungStatus.EINGELADEN or sitzung.beginn <= as_utc(now):
        raise versand.VersandFehler(
            "Erinnert wird nur zu einer Sitzung, zu der eingeladen ist und die noch bevorsteht."
        )
    pack = load_pack(session, sitzung_id, settings, with_recipients=False)
    tage = (meeting_day(sitzung) - berlin(now).date()).days
    return _remind(session, pack, tage, now=now, settings=settings)


def _remind(
    session: Session, pack: Einladungspaket, tage: int, *, now: datetime, settings: Settings
) -> versand.VersandBericht:
    sitzung = pack.sitzung
    report = versand.VersandBericht(sitzung_id=pk(sitzung), art=NachrichtArt.ERINNERUNG)
    unanswered = (person for row, person in versand.invited(session, sitzung) if row.antwort == Antwort.OFFEN)
    pending = versand.reachable(session, unanswered, report)
    composer = Composer(pack, settings, now, NachrichtArt.ERINNERUNG)
    versand.enqueue_messages(session, composer, list(pending.values()), report, now=now, settings=settings, tage=tage)
    return report
