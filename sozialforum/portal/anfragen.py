"""One page per Träger contact with everything we asked of them, and the way back in when a
link has expired.

- ``offene_anfragen``: the requests (Rückmeldung, Themenvorschlag, Formular, Protokoll,
  Sachstand, …) of one person that are still open, from the personal links issued to her.
  A Sitzung-bound request is open until its Sitzung begins (and not after a cancellation);
  any other while its newest link is valid or expired less than ``link_gueltigkeit_tage``
  ago (the request outlives a link, not forever).
- ``oeffnen``: a fresh personal link for one of those requests (the old links stay valid: the
  overview adds a way in, it does not take the mailed one away).
- ``link_anfordern``: someone types an e-mail address; each contactable person with that
  address gets a link to her overview by mail. The page answers the same whatever the address,
  so it reveals nothing; the work runs after the response, so its timing reveals nothing either.

Only the hash of a link's secret is stored, so the overview can never show the mailed links
themselves; it issues new ones on request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from sozialforum import outbox
from sozialforum.links import create_link, revoke_all_links
from sozialforum.parsing import is_valid_email
from sozialforum.portal.beteiligung import RsvpEingabe
from sozialforum.portal.linkversand import beschreibe
from sozialforum.settings import Settings
from sozialforum.store.models.akteure import Person
from sozialforum.store.models.gremien import Sitzung
from sozialforum.store.models.kommunikation import EmailAenderung, PersonalLink, Rueckmeldung
from sozialforum.vocab import Antwort, LinkZweck, NachrichtArt, SitzungStatus

# Links that are ways in, not requests.
_KEINE_ANFRAGEN = [LinkZweck.UEBERSICHT.value, LinkZweck.EMAIL_BESTAETIGEN.value, LinkZweck.EMAIL_ZURUECK.value]
# Purposes whose object is a Sitzung: open until it begins.
_SITZUNG = (LinkZweck.RSVP, LinkZweck.THEMENVORSCHLAG)
# The overview link of a fresh-link request is short-lived: it arrives within minutes.
UEBERSICHT_GUELTIG = timedelta(days=7)
# At most this many overview mails per address in an hour (a typo or a pest fills no mailbox).
MAILS_JE_ADRESSE_UND_STUNDE = 3


@dataclass(frozen=True)
class Anfrage:
    zweck: LinkZweck
    bezug_id: int
    titel: str
    hinweis: str  # what is known about it, e.g. "Ihre Antwort: Zusage"
    gueltig_bis: datetime  # of the newest link

    @property
    def ziel(self) -> str:
        """The form value that names the request on the overview page."""
        return f"{self.zweck.value}:{self.bezug_id}"


def _an_person(session: Session, person: Person, template: str, *, to: str | None = None, **angaben: Any) -> int:
    """Queue a mail to a Träger contact (``outbox.enqueue_template`` with ``angaben``: subject,
    key, kind, reference, time, settings and the template's values), addressed and greeted by
    name; ``to`` if it goes to another address of hers than the stored one (a new one)."""
    address = to or person.email
    assert address is not None and person.id is not None
    return outbox.enqueue_template(
        session,
        template,
        to=address,
        to_name=person.anzeigename or None,
        person_id=person.id,
        gruss=f"Guten Tag {person.anzeigename},",
        **angaben,
    )


def offene_anfragen(session: Session, person_id: int, *, now: datetime, settings: Settings) -> list[Anfrage]:
    """The open requests of a person, soonest first."""
    newest: dict[tuple[LinkZweck, int], PersonalLink] = {}
    links = session.exec(
        select(PersonalLink)
        .where(PersonalLink.person_id == person_id, col(PersonalLink.zweck).not_in(_KEINE_ANFRAGEN))
        .order_by(col(PersonalLink.erstellt_am), col(PersonalLink.id))
    ).all()
    for link in links:
        newest[(LinkZweck(link.zweck), link.bezug_id)] = link
    sitzungen = {
        s.id: s
        for s in session.exec(
            select(Sitzung).where(col(Sitzung.id).in_([b for (z, b) in newest if z in _SITZUNG]))
        ).all()
    }
    antworten = {
        r.sitzung_id: r
        for r in session.exec(
            select(Rueckmeldung).where(
                Rueckmeldung.person_id == person_id, col(Rueckmeldung.sitzung_id).in_(list(sitzungen))
            )
        ).all()
    }
    nachlauf = timedelta(days=settings.portal.link_gueltigkeit_tage)
    result: list[Anfrage] = []
    for (zweck, bezug_id), link in newest.items():
        if link.widerrufen_am is not None:
            continue  # withdrawn by the Geschäftsstelle (a resend leaves a newer link instead)
        hinweis = ""
        if zweck in _SITZUNG:
            sitzung = sitzungen.get(bezug_id)
            if sitzung is None or sitzung.beginn <= now or sitzung.status == SitzungStatus.ABGESAGT:
                continue
            if zweck == LinkZweck.RSVP:
                antwort = antworten.get(bezug_id)
                if antwort is None or antwort.antwort == Antwort.OFFEN:
                    hinweis = "Noch keine Antwort"
                else:
                    hinweis = f"Ihre Antwort: {Antwort(antwort.antwort).label}"
        elif link.gueltig_bis + nachlauf <= now:
            continue
        titel = beschreibe(session, link, settings)[0]
        result.append(Anfrage(zweck, bezug_id, titel, hinweis, link.gueltig_bis))
    return sorted(result, key=lambda a: (a.gueltig_bis, a.titel))


class NichtOffen(LookupError):
    """The request is not among the person's open ones (never hers, or over)."""


def oeffnen(session: Session, person_id: int, ziel: str, *, now: datetime, settings: Settings) -> str:
    """The URL of a fresh link to one open request of the person (``Anfrage.ziel``)."""
    for anfrage in offene_anfragen(session, person_id, now=now, settings=settings):
        if anfrage.ziel == ziel:
            # An RSVP link ends with its Sitzung: keep the newest link's end while it lies ahead.
            until = anfrage.gueltig_bis if anfrage.gueltig_bis > now else None
            return create_link(
                session,
                person_id=person_id,
                zweck=anfrage.zweck,
                bezug_id=anfrage.bezug_id,
                now=now,
                settings=settings,
                gueltig_bis=until,
            )[1]
    raise NichtOffen(ziel)


def link_anfordern(session: Session, email: str, *, now: datetime, settings: Settings) -> list[int]:
    """Mail an overview link to each contactable person with this address; the outbox ids.

    Silent by design: an unknown address, a person without consent and the hourly limit all
    queue nothing, and the caller shows the same page in every case."""
    adresse = email.strip().lower()
    people = session.exec(
        select(Person).where(sa.func.lower(col(Person.email)) == adresse, col(Person.geloescht_am).is_(None))
    ).all()
    ids: list[int] = []
    for person in people:
        if not person.contactable or person.id is None or person.email is None:
            continue
        recent = session.exec(
            select(sa.func.count())
            .select_from(PersonalLink)
            .where(
                PersonalLink.person_id == person.id,
                PersonalLink.zweck == LinkZweck.UEBERSICHT.value,
                col(PersonalLink.erstellt_am) > now - timedelta(hours=1),
            )
        ).one()
        if recent >= MAILS_JE_ADRESSE_UND_STUNDE:
            continue
        link, url = create_link(
            session,
            person_id=person.id,
            zweck=LinkZweck.UEBERSICHT,
            bezug_id=person.id,
            now=now,
            settings=settings,
            gueltig_bis=now + UEBERSICHT_GUELTIG,
        )
        ids.append(
            _an_person(
                session,
                person,
                "mail/portal/anfragen",
                subject="Ihr neuer Link zu Ihren Anfragen",
                schluessel=f"anfragen-link:{link.id}",
                art=NachrichtArt.ANFRAGEN_LINK,
                bezug={"link_id": link.id},
                now=now,
                settings=settings,
                url=url,
                gueltig_bis=link.gueltig_bis,
                anfragen=offene_anfragen(session, person.id, now=now, settings=settings),
            )
        )
    return ids


def bestaetige_rsvp(
    session: Session,
    *,
    person_id: int,
    sitzung_id: int,
    eingabe: RsvpEingabe,
    now: datetime,
    settings: Settings,
    warteplatz: int | None = None,
) -> int | None:
    """Queue the confirmation of an answer just given in the portal (the person ticked it);
    the outbox id, or None when the person cannot be mailed. One mail per answer given."""
    person = session.get(Person, person_id)
    sitzung = session.get(Sitzung, sitzung_id)
    if person is None or sitzung is None or not person.contactable or person.email is None:
        return None
    return _an_person(
        session,
        person,
        "mail/portal/bestaetigung",
        subject=f"Ihre Rückmeldung ist eingegangen: {sitzung.titel}",
        schluessel=f"rsvp-bestaetigung:{sitzung_id}:{person_id}:{now.isoformat()}",
        art=NachrichtArt.RSVP_BESTAETIGUNG,
        bezug={"sitzung_id": sitzung_id},
        now=now,
        settings=settings,
        sitzung=sitzung,
        antwort=eingabe.antwort,
        personen=eingabe.personen,
        kommentar=eingabe.kommentar,
        vertretung=eingabe.vertretung_name,
        warteplatz=warteplatz,
        am=now,
    )


# A confirmation link for a new address lives two days: long enough for a mailbox, short
# enough that a forgotten request does not wait for someone else to find it.
BESTAETIGUNG_GUELTIG = timedelta(days=2)


def email_aendern(session: Session, person_id: int, neue_email: str, *, now: datetime, settings: Settings) -> int:
    """Record the wish to change the address and mail a confirmation link to the NEW address;
    the outbox id. Nothing changes until that link is used (see ``email_bestaetigen``)."""
    person = session.get(Person, person_id)
    assert person is not None
    aenderung = EmailAenderung(person_id=person_id, neue_email=neue_email, angefordert_am=now)
    session.add(aenderung)
    session.flush()
    assert aenderung.id is not None
    link, url = create_link(
        session,
        person_id=person_id,
        zweck=LinkZweck.EMAIL_BESTAETIGEN,
        bezug_id=aenderung.id,
        now=now,
        settings=settings,
        gueltig_bis=now + BESTAETIGUNG_GUELTIG,
    )
    return _an_person(
        session,
        person,
        "mail/portal/email_bestaetigen",
        to=neue_email,
        subject="Bitte bestätigen Sie Ihre neue E-Mail-Adresse",
        schluessel=f"email-bestaetigen:{link.id}",
        art=NachrichtArt.EMAIL_BESTAETIGEN,
        bezug={"email_aenderung_id": aenderung.id},
        now=now,
        settings=settings,
        url=url,
        neue_email=neue_email,
        gueltig_bis=link.gueltig_bis,
    )


# The old address's owner may take a change back for this long: someone on holiday for weeks
# should still find it possible when she returns.
ZURUECK_GUELTIG = timedelta(days=30)


def email_bestaetigen(session: Session, aenderung_id: int, *, now: datetime, settings: Settings) -> int | None:
    """Apply a confirmed change (once) and tell the OLD address, with a link to take the change
    back: a forwarded link lets its holder change the address, the mailbox's owner undoes it.
    The outbox id of that notice (None if already applied or there was no old address)."""
    aenderung = session.get(EmailAenderung, aenderung_id)
    assert aenderung is not None
    person = session.get(Person, aenderung.person_id)
    assert person is not None
    if aenderung.bestaetigt_am is not None:
        return None
    alte = person.email
    aenderung.bestaetigt_am = now
    aenderung.alte_email = alte or None
    person.email = aenderung.neue_email
    session.add_all([aenderung, person])
    session.flush()
    if not alte or alte.lower() == aenderung.neue_email.lower():
        return None
    assert aenderung.id is not None and person.id is not None
    link, url = create_link(
        session,
        person_id=person.id,
        zweck=LinkZweck.EMAIL_ZURUECK,
        bezug_id=aenderung.id,
        now=now,
        settings=settings,
        gueltig_bis=now + ZURUECK_GUELTIG,
    )
    return _an_person(
        session,
        person,
        "mail/portal/email_geaendert",
        to=alte,
        subject="Ihre E-Mail-Adresse wurde geändert",
        schluessel=f"email-geaendert:{aenderung.id}",
        art=NachrichtArt.EMAIL_GEAENDERT,
        bezug={"email_aenderung_id": aenderung.id},
        now=now,
        settings=settings,
        neue_email=aenderung.neue_email,
        am=now,
        url=url,
        gueltig_bis=link.gueltig_bis,
    )


class ZuruecknahmeNichtMoeglich(Exception):
    """The change cannot be taken back here (the address has changed again since)."""


def email_zuruecknehmen(session: Session, aenderung_id: int, *, now: datetime, settings: Settings) -> int | None:
    """Restore the old address of a confirmed change, withdraw every live link of the person
    (whoever changed it holds one) and tell the Geschäftsstelle; the outbox id of that notice,
    None if the change was already taken back. Only the latest change can be taken back: after
    a later one, the Geschäftsstelle decides (``ZuruecknahmeNichtMoeglich``)."""
    aenderung = session.get(EmailAenderung, aenderung_id)
    assert aenderung is not None and aenderung.id is not None
    person = session.get(Person, aenderung.person_id)
    assert person is not None and person.id is not None
    if aenderung.zurueckgenommen_am is not None:
        return None
    # The old address may be gone: erased by the retention run or on request (Art. 17).
    if not is_valid_email(aenderung.alte_email or "") or (person.email or "").lower() != aenderung.neue_email.lower():
        raise ZuruecknahmeNichtMoeglich
    aenderung.zurueckgenommen_am = now
    person.email = aenderung.alte_email
    session.add_all([aenderung, person])
    revoke_all_links(session, person_id=person.id, now=now)
    session.flush()
    gs = settings.geschaeftsstelle
    return outbox.enqueue_template(
        session,
        "mail/portal/email_zurueckgenommen",
        to=gs.email,
        to_name=gs.name,
        subject=f"E-Mail-Änderung zurückgenommen: {person.anzeigename}",
        schluessel=f"email-zurueckgenommen:{aenderung.id}",
        art=NachrichtArt.EMAIL_ZURUECKGENOMMEN,
        person_id=None,
        bezug={"email_aenderung_id": aenderung.id, "person_id": person.id},
        now=now,
        settings=settings,
        person=person.anzeigename,
        alte_email=aenderung.alte_email,
        neue_email=aenderung.neue_email,
        geaendert_am=aenderung.bestaetigt_am,
        am=now,
    )
