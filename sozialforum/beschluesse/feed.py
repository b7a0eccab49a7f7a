"""The subscribable calendar of all deadlines (.ics, METHOD:PUBLISH).

Deadlines are days, not moments: each is an all-day event (``DTSTART;VALUE=DATE``, RFC 5545
§3.6.1: DTEND is the next day), so no time zone is involved and no client shifts it across a
daylight-saving change. The UID names the deadline (``auftrag-12@…``), not its date, so a moved
deadline moves in the subscribers' calendars instead of appearing twice. Finished deadlines stay
for a year, marked as done, so the calendar also shows what was achieved.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from icalendar import Calendar, Event, vCalAddress
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.beschluesse.aemter import Aemter
from sozialforum.beschluesse.leitungsbericht import Filter, gremium_keys
from sozialforum.beschluesse.stand import ampel_frist
from sozialforum.fristen.empfaenger import EmpfaengerVerzeichnis
from sozialforum.fristen.konfiguration import load_meilensteine
from sozialforum.fristen.quellen import Auswahl, Frist, collect_fristen
from sozialforum.settings import Settings
from sozialforum.store.models import KalenderFassung
from sozialforum.timeutil import as_utc, format_datum

PRODID = "-//sozialforum//Fristen//DE"
FEED_PATH = "/kalender/fristen-{token}.ics"
KEEP_DONE = timedelta(days=365)
KALENDER = "fristen"  # its row in ``kalender_fassung``


def _domain(settings: Settings) -> str:
    return str(settings.geschaeftsstelle.email).rsplit("@", 1)[-1]


def _description(frist: Frist, zustaendig: str, ampel: str) -> str:
    lines = [frist.titel, f"Fällig: {format_datum(frist.faellig_am)}"]
    if frist.wortlaut:
        lines.append(f"Wortlaut: „{frist.wortlaut}“")
    if frist.kontext:
        lines.append(f"Bezug: {frist.kontext}")
    lines.append(f"Zuständig: {zustaendig}")
    lines.append(f"Stand: {frist.status or '–'} ({ampel})")
    return "\n".join(lines)


def build_feed(
    fristen: list[Frist],
    *,
    today: date,
    now: datetime,
    settings: Settings,
    zustaendig: dict[str, str] | None = None,
    name: str | None = None,
) -> bytes:
    """The calendar bytes for these deadlines (deterministic for the same input and ``now``)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name or f"Fristen – {settings.kommune}")
    calendar.add(
        "x-wr-caldesc",
        "Fristen aus Beschlüssen, Protokollen, Berichtspflichten, Fachplan-Fortschreibungen und Maßnahmen",
    )
    calendar.add("x-wr-timezone", "Europe/Berlin")
    # RFC 7986 §5.7 and the older Microsoft property: how often subscribers should refresh.
    calendar.add("refresh-interval", timedelta(hours=12), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT12H")
    domain = _domain(settings)
    stamp = as_utc(now)
    # Who publishes the deadlines (RFC 5545 §3.8.4.3): clients show it as the contact, and some
    # (Outlook) treat an event without ORGANIZER as the subscriber's own.
    organizer = vCalAddress(f"mailto:{settings.mail.absender}")
    organizer.params["cn"] = settings.mail.absender_name
    bald = settings.fristen.bald_faellig_tage
    for frist in fristen:
        if frist.erledigt and (frist.erledigt_am or frist.faellig_am) < today - KEEP_DONE:
            continue
        light = ampel_frist(frist, today, bald)
        event = Event()
        event.add("uid", f"{frist.ref.replace(':', '-')}@{domain}")
        event.add("dtstamp", stamp)
        event.add("dtstart", frist.faellig_am)
        event.add("dtend", frist.faellig_am + timedelta(days=1))
        prefix = "Erledigt: " if frist.erledigt else "Frist: "
        event.add("summary", prefix + frist.titel)
        event.add("description", _description(frist, (zustaendig or {}).get(frist.ref, "–"), light.label))
        event.add("organizer", organizer)
        event.add("categories", [frist.art.label])
        event.add("status", "CONFIRMED")
        event.add("transp", "TRANSPARENT")  # a deadline does not block the day
        calendar.add_component(event)
    return calendar.to_ical()


def fristen_feed(
    session: Session, *, today: date, now: datetime, settings: Settings, keep: Filter | None = None
) -> bytes:
    """All deadlines of the store as a feed; ``keep`` restricts them like the report."""
    meilensteine = load_meilensteine(settings.fristen.meilensteine)
    fristen = collect_fristen(session, meilensteine=meilensteine, auswahl=Auswahl(nur_offen=False))
    if keep is not None:
        gremien, aemter = gremium_keys(session), Aemter(session, settings.kommune)
        fristen = [
            f
            for f in fristen
            if keep.passt(f.dezernat, f.amt, gremien.get(f.gremium_id or -1, set()), aemter, f.organisation_id)
        ]
    people = EmpfaengerVerzeichnis(session, fristen, settings)
    return build_feed(
        fristen, today=today, now=now, settings=settings, zustaendig={f.ref: people.zustaendig(f) for f in fristen}
    )


def aktuelle_fassung(session: Session, settings: Settings) -> int:
    """The generation of the feed's address: counted up in the workspace (``neue_fassung``) or
    raised by the setting ``fristen.kalender_fassung``, whichever is higher."""
    stored = session.scalars(
        sa.select(col(KalenderFassung.fassung)).where(col(KalenderFassung.kalender) == KALENDER)
    ).first()
    return max(settings.fristen.kalender_fassung, stored or 0)


def neue_fassung(session: Session, settings: Settings) -> int:
    """Withdraw the address (it leaked) and make the next one; audited with the row."""
    neu = aktuelle_fassung(session, settings) + 1
    row = session.scalars(sa.select(KalenderFassung).where(col(KalenderFassung.kalender) == KALENDER)).first()
    row = row or KalenderFassung(kalender=KALENDER)
    row.fassung = neu
    session.add(row)
    session.flush()
    return neu


def feed_token(settings: Settings, fassung: int) -> str:
    """The secret part of the subscription URL: a calendar client cannot log in, so the URL
    itself is the key (derived from the portal's secret; a new secret makes a new URL). One
    feed for the installation, so its generation (``aktuelle_fassung``) is not a column of a
    person or Gremium; 0 is the token issued before there were generations."""
    message = b"fristen-feed" if fassung == 0 else f"fristen-feed/{fassung}".encode()
    return hmac.new(settings.secret_key().encode(), message, hashlib.sha256).hexdigest()[:32]


def frueher_gueltig(settings: Settings, token: str, fassung: int) -> bool:
    """Whether ``token`` is the address of an earlier generation (withdrawn, not guessed)."""
    return any(
        hmac.compare_digest(token.encode(), feed_token(settings, earlier).encode()) for earlier in range(fassung)
    )


def feed_url(settings: Settings, fassung: int) -> str:
    """The subscription URL of the deadline calendar in the portal."""
    return settings.portal.base_url.rstrip("/") + FEED_PATH.format(token=feed_token(settings, fassung))
