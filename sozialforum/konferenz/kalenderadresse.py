"""A renewed calendar feed address, told to the people who subscribed to it.

Renewing a feed's address (``feeds.neue_adresse``) makes every subscribed calendar fail
silently: the old address answers 404, the client keeps the stale entries and rarely says so.
So the renewal can mail the new address: a person's feed to that person, a Gremium's feed to
each member of today (one mail each, never a list of addresses). The feed lists a person's
meetings, so it goes to the person's own address only, never to an organisation's. Queued
through the outbox with one key per feed, generation and person: a retried or resumed delivery
sends it once; a later renewal is a new generation and mails again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from sozialforum import outbox
from sozialforum.konferenz import feeds
from sozialforum.konferenz.empfaenger import contact_problem, members_on
from sozialforum.settings import Settings
from sozialforum.store.models import Gremium, Person
from sozialforum.store.models.base import pk
from sozialforum.timeutil import berlin
from sozialforum.vocab import NachrichtArt

TEMPLATE = "mail/konferenz/kalenderadresse"


@dataclass
class Mitteilung:
    """What a renewal's notice did: mails queued now, and who gets none and why."""

    neu: int = 0
    ohne_mail: list[tuple[str, str]] = field(default_factory=list)

    @property
    def kurz(self) -> str:
        """Counts only (a run's title): "3 E-Mails, 1 ohne E-Mail-Adresse oder Einwilligung"."""
        ohne = f", {len(self.ohne_mail)} ohne E-Mail-Adresse oder Einwilligung" if self.ohne_mail else ""
        return self._anzahl + ohne

    @property
    def text(self) -> str:
        """With the names and reasons (the command line)."""
        keine = "; ".join(f"{name}: {grund}" for name, grund in self.ohne_mail)
        return f"{self._anzahl} vorbereitet" + (f"; keine E-Mail an {keine}" if keine else "")

    @property
    def _anzahl(self) -> str:
        return f"{self.neu} E-Mail{'' if self.neu == 1 else 's'}"


def webcal(url: str) -> str:
    """The same address with the ``webcal://`` scheme: a click on it opens the subscription
    dialog of Apple Calendar and Outlook instead of downloading a one-off copy."""
    return "webcal://" + url.split("://", 1)[1]


def mitteilen(session: Session, row: Person | Gremium, *, now: datetime, settings: Settings) -> Mitteilung:
    """Queue the notice of ``row``'s renewed feed address (call after ``feeds.neue_adresse``)."""
    if isinstance(row, Person):
        scope, url = f"person:{pk(row)}", feeds.person_feed_url(settings, row)
        personen, gremium_name = [row], None
    else:
        scope, url = f"gremium:{pk(row)}", feeds.gremium_feed_url(settings, row)
        members = members_on(session, pk(row), berlin(now).date())
        personen, gremium_name = list({pk(p): p for _, p in members}.values()), row.name
    betreff = f"Neue Kalenderadresse: {gremium_name}" if gremium_name else "Ihre Kalenderadresse hat sich geändert"
    ergebnis = Mitteilung()
    adressen: dict[str, str] = {}  # a shared mailbox (info@) of several members gets one mail
    for person in personen:
        name = person.anzeigename if person.geloescht_am is None else f"Person {pk(person)}"
        problem = contact_problem(person)
        if problem is not None:
            ergebnis.ohne_mail.append((name, problem))
            continue
        assert person.email is not None  # contact_problem says so
        adresse = person.email.strip().lower()
        if adresse in adressen:
            ergebnis.ohne_mail.append((name, f"gleiche Adresse wie {adressen[adresse]}: eine Nachricht pro Adresse"))
            continue
        adressen[adresse] = name
        schluessel = f"kalenderadresse:{scope}:{row.kalender_generation}:{pk(person)}"
        schon_da = bool(outbox.existing_keys(session, [schluessel]))
        outbox.enqueue_template(
            session,
            TEMPLATE,
            to=person.email.strip(),
            to_name=person.anzeigename,
            subject=betreff,
            schluessel=schluessel,
            art=NachrichtArt.KALENDERADRESSE,
            person_id=pk(person),
            bezug={"kalender": scope, "kalender_generation": row.kalender_generation},
            now=now,
            settings=settings,
            gruss=f"Guten Tag {person.anzeigename},",
            gremium=gremium_name,
            url=url,
            webcal_url=webcal(url),
        )
        ergebnis.neu += not schon_da
    return ergebnis
