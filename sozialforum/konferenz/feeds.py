"""Subscribable calendar feeds (.ics): one per Gremium and one per person.

A feed is METHOD:PUBLISH (RFC 5546 §3.2.1) without attendees (a feed URL gets passed on; the
attendee list is nobody's business), with the Sitzung's stable UID and SEQUENCE so that a
subscribed calendar updates its entries, and cancelled meetings kept as STATUS:CANCELLED so
that they disappear from calendars instead of lingering.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from sozialforum.channels import ical
from sozialforum.settings import Settings
from sozialforum.store.models import Gremium, Mitgliedschaft, Person, Sitzung
from sozialforum.timeutil import as_utc, berlin

# Past meetings stay in the feed for a year (minutes refer to them), then drop out.
HISTORY = timedelta(days=365)


def _event(sitzung: Sitzung, gremium: Gremium, settings: Settings, now: datetime) -> ical.Event:
    return ical.Event(
        uid=sitzung.ical_uid,
        sequence=sitzung.ical_sequence,
        dtstamp=now,
        start=sitzung.beginn,
        end=sitzung.ende,
        summary=sitzung.titel,
        description=gremium.name,
        location=", ".join(p for p in (sitzung.ort, sitzung.adresse) if p) or None,
        organizer_email=str(settings.mail.absender),
        organizer_name=settings.mail.absender_name,
        cancelled=sitzung.status == "abgesagt",
        categories=(gremium.name,),
    )


def gremium_feed(session: Session, *, gremium_id: int, now: datetime, settings: Settings) -> bytes:
    gremium = session.get(Gremium, gremium_id)
    if gremium is None:
        raise LookupError(f"Gremium {gremium_id} gibt es nicht.")
    sitzungen = session.exec(
        select(Sitzung)
        .where(
            Sitzung.gremium_id == gremium_id,
            col(Sitzung.beginn) >= as_utc(now) - HISTORY,
        )
        .order_by(col(Sitzung.beginn))
    ).all()
    events = [_event(s, gremium, settings, now) for s in sitzungen]
    return ical.build_calendar(
        events,
        method="PUBLISH",
        calname=gremium.name,
        description=f"Sitzungstermine: {gremium.name} ({settings.kommune})",
    )


def person_feed(session: Session, *, person_id: int, now: datetime, settings: Settings) -> bytes:
    """The Sitzungen of every Gremium the person belongs to on the meeting's date."""
    person = session.get(Person, person_id)
    if person is None or person.geloescht_am is not None:
        raise LookupError(f"Person {person_id} gibt es nicht.")
    rows = session.exec(
        select(Sitzung, Gremium, Mitgliedschaft)
        .join(Gremium, col(Gremium.id) == col(Sitzung.gremium_id))
        .join(
            Mitgliedschaft,
            sa.and_(col(Mitgliedschaft.gremium_id) == col(Gremium.id), col(Mitgliedschaft.person_id) == person_id),
        )
        .where(col(Sitzung.beginn) >= as_utc(now) - HISTORY)
        .order_by(col(Sitzung.beginn))
    ).all()
    events: dict[str, ical.Event] = {}
    for sitzung, gremium, membership in rows:
        if membership.valid_on(berlin(sitzung.beginn).date()):
            events.setdefault(sitzung.ical_uid, _event(sitzung, gremium, settings, now))
    return ical.build_calendar(
        list(events.values()),
        method="PUBLISH",
        calname=f"Sitzungen – {person.anzeigename}",
        description=f"Ihre Sitzungstermine ({settings.kommune})",
    )


def feed_token(settings: Settings, scope: str, generation: int = 0) -> str:
    """The secret part of a subscription URL (``gremium:SRK-01``, ``person:17``): calendar
    clients cannot log in, so the URL is the key. HMAC under the installation's key, scoped to
    one feed and its generation (``kalender_generation`` of the person or Gremium, one up at
    each renewal). Generation 0 is the token issued before there were generations, so the
    addresses subscribed then keep working; a new key makes new URLs for every feed."""
    prefix = "sitzungskalender" if generation == 0 else f"sitzungskalender/{generation}"
    digest = hmac.new(settings.secret_key().encode(), f"{prefix}:{scope}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


class TokenStand(enum.Enum):
    GILT = "gilt"
    ZURUECKGEZOGEN = "zurueckgezogen"  # of an earlier generation: the feed's address was renewed
    FALSCH = "falsch"  # never issued: a guess


def token_stand(settings: Settings, scope: str, generation: int, token: str) -> TokenStand:
    """Whether ``token`` opens the feed ``scope`` at its current ``generation``."""

    def same(candidate: int) -> bool:
        return hmac.compare_digest(token.encode(), feed_token(settings, scope, candidate).encode())

    if same(generation):
        return TokenStand.GILT
    if any(same(earlier) for earlier in range(generation)):
        return TokenStand.ZURUECKGEZOGEN
    return TokenStand.FALSCH


def neue_adresse(session: Session, row: Person | Gremium) -> None:
    """Withdraw the feed's address and make a new one (a leaked URL: a forwarded mail, a shared
    calendar); the change is audited with the row."""
    row.kalender_generation += 1
    session.add(row)
    session.flush()


def gremium_feed_url(settings: Settings, gremium: Gremium) -> str:
    token = feed_token(settings, f"gremium:{gremium.kennung}", gremium.kalender_generation)
    return f"{settings.portal.base_url.rstrip('/')}/kalender/gremium/{gremium.kennung}/{token}.ics"


def person_feed_url(settings: Settings, person: Person) -> str:
    token = feed_token(settings, f"person:{person.id}", person.kalender_generation)
    return f"{settings.portal.base_url.rstrip('/')}/kalender/person/{person.id}/{token}.ics"
