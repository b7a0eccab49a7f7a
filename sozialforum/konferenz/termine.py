"""Scheduling Sitzungen: single dates and series in Europe/Berlin, and the dates that follow from
a Gremium's invitation lead time and reminder offsets.

Wall-clock times are kept in Europe/Berlin: a Sozialraumkonferenz "every March and September at
16:00" stays at 16:00 across the change to summer time, so series are computed on local dates
and converted to UTC one by one (an interval of N days in UTC would drift by an hour).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from sozialforum.settings import Settings
from sozialforum.store.models import Gremium, Sitzung
from sozialforum.timeutil import BERLIN, add_months, as_utc, berlin, format_datum_kurz, local_to_utc
from sozialforum.vocab import SitzungStatus


class TerminFehler(ValueError):
    """A scheduling request that cannot be carried out; the message is German."""


def new_uid(settings: Settings) -> str:
    """A globally unique, stable iCalendar UID (RFC 5545 §3.8.4.7 recommends a domain part)."""
    domain = str(settings.mail.absender).rsplit("@", 1)[-1]
    return f"sitzung-{uuid.uuid4()}@{domain}"


def plan_sitzung(
    session: Session,
    *,
    gremium_id: int,
    tag: date,
    uhrzeit: time,
    settings: Settings,
    dauer_minuten: int | None = None,
    titel: str | None = None,
    ort: str | None = None,
    adresse: str | None = None,
    serie: str | None = None,
) -> Sitzung:
    """Create one Sitzung at local Berlin time; idempotent per Gremium and start instant."""
    gremium = session.get(Gremium, gremium_id)
    if gremium is None:
        raise TerminFehler(f"Gremium {gremium_id} gibt es nicht.")
    beginn = local_to_utc(tag, uhrzeit.hour, uhrzeit.minute)
    existing = session.exec(select(Sitzung).where(Sitzung.gremium_id == gremium_id, Sitzung.beginn == beginn)).first()
    if existing is not None:
        return existing
    dauer = timedelta(minutes=dauer_minuten or settings.konferenz.dauer_minuten)
    sitzung = Sitzung(
        gremium_id=gremium_id,
        titel=titel or gremium.name,
        beginn=beginn,
        ende=beginn + dauer,
        ort=ort,
        adresse=adresse,
        ical_uid=new_uid(settings),
        ical_sequence=0,
        serie=serie,
    )
    session.add(sitzung)
    session.flush()
    return sitzung


def serie_kennung(gremium_id: int, erster_tag: date, intervall_monate: int) -> str:
    """The key of a series, the same each time it is planned again: ``g10-2027-01-12-6m``."""
    return f"g{gremium_id}-{erster_tag.isoformat()}-{intervall_monate}m"


def serie_text(serie: str) -> str:
    """A series key in words: ``alle 6 Monate ab 12.01.2027``; a key of another form as it is."""
    _, _, rest = serie.partition("-")
    tag, _, intervall = rest.rpartition("-")
    try:
        erster_tag, monate = date.fromisoformat(tag), int(intervall.removesuffix("m"))
    except ValueError:
        return serie
    abstand = "jeden Monat" if monate == 1 else f"alle {monate} Monate"
    return f"{abstand} ab {format_datum_kurz(erster_tag)}"


def plan_serie(
    session: Session,
    *,
    gremium_id: int,
    erster_tag: date,
    uhrzeit: time,
    settings: Settings,
    intervall_monate: int = 6,
    anzahl: int | None = None,
    bis: date | None = None,
    dauer_minuten: int | None = None,
    ort: str | None = None,
    adresse: str | None = None,
    titel: str | None = None,
) -> list[Sitzung]:
    """A series, e.g. every Sozialraumkonferenz twice a year. Re-running it adds nothing twice."""
    if intervall_monate < 1:
        raise TerminFehler("Der Abstand einer Serie muss mindestens einen Monat betragen.")
    if anzahl is None and bis is None:
        raise TerminFehler("Eine Serie braucht eine Anzahl oder ein Enddatum.")
    if anzahl is not None and not 1 <= anzahl <= 100:
        raise TerminFehler("Eine Serie hat 1 bis 100 Termine.")
    serie = serie_kennung(gremium_id, erster_tag, intervall_monate)
    days: list[date] = []
    while (anzahl is None or len(days) < anzahl) and len(days) < 100:
        day = add_months(erster_tag, intervall_monate * len(days))
        if bis is not None and day > bis:
            break
        days.append(day)
    return [
        plan_sitzung(
            session,
            gremium_id=gremium_id,
            tag=day,
            uhrzeit=uhrzeit,
            settings=settings,
            dauer_minuten=dauer_minuten,
            titel=titel,
            ort=ort,
            adresse=adresse,
            serie=serie,
        )
        for day in days
    ]


def meeting_day(sitzung: Sitzung) -> date:
    """The local date of the meeting; memberships are checked against it."""
    return berlin(sitzung.beginn).date()


def invitation_due(sitzung: Sitzung, gremium: Gremium) -> date:
    """The day invitations go out: the Gremium's lead time before the meeting day."""
    return meeting_day(sitzung) - timedelta(days=gremium.einladung_vorlauf_tage)


@dataclass(frozen=True)
class FaelligeErinnerung:
    sitzung_id: int
    tage: int  # the reminder offset that is due


def reminder_due(sitzung: Sitzung, gremium: Gremium, *, today: date) -> int | None:
    """The reminder offset due today or overdue, the smallest one if several (a run that was
    missed sends one reminder, not a burst); None after the meeting or when none is due."""
    day = meeting_day(sitzung)
    if today >= day:
        return None
    due = [tage for tage in gremium.erinnerung_tage if tage > 0 and day - timedelta(days=tage) <= today]
    return min(due) if due else None


def sitzungen_to_invite(session: Session, *, today: date) -> list[Sitzung]:
    """Planned Sitzungen whose invitation day has come and whose meeting is still ahead."""
    rows = session.exec(
        select(Sitzung, Gremium)
        .join(Gremium)
        .where(
            Sitzung.status == SitzungStatus.GEPLANT, Sitzung.beginn > datetime.combine(today, time(0), tzinfo=BERLIN)
        )
    ).all()
    return [sitzung for sitzung, gremium in rows if invitation_due(sitzung, gremium) <= today]


def upcoming(session: Session, *, now: datetime) -> list[tuple[Sitzung, Gremium]]:
    return list(
        session.exec(
            select(Sitzung, Gremium).join(Gremium).where(Sitzung.beginn > as_utc(now)).order_by(col(Sitzung.beginn))
        ).all()
    )
