"""Mailing a personal link through the outbox (form requests, resent links).

The outbox key names the link itself (``portal-link:<id>``): enqueueing twice sends once, and a
resend is a new link with a new key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from sozialforum import outbox
from sozialforum.channels.mail import OutgoingMail
from sozialforum.channels.rendering import render, render_text
from sozialforum.links import create_link
from sozialforum.portal import formulare as formulare_service
from sozialforum.settings import Settings
from sozialforum.store.models.akteure import Person
from sozialforum.store.models.gremien import Sitzung
from sozialforum.store.models.kommunikation import OutboxMessage, PersonalLink
from sozialforum.store.models.portal import FormularAnfrage
from sozialforum.timeutil import format_datum_kurz
from sozialforum.vocab import LinkZweck, NachrichtArt


class NichtZustellbar(ValueError):
    """The person may not or cannot be mailed (no consent, opted out, no address)."""


def beschreibe(session: Session, link: PersonalLink, settings: Settings) -> tuple[str, str, str]:
    """(subject, introduction, button text) for the link's purpose and object."""
    zweck = LinkZweck(link.zweck)
    if zweck in (LinkZweck.RSVP, LinkZweck.THEMENVORSCHLAG):
        sitzung = session.get(Sitzung, link.bezug_id)
        what = f"{sitzung.titel} am {format_datum_kurz(sitzung.beginn)}" if sitzung else "die Sitzung"
        if zweck == LinkZweck.RSVP:
            return (
                f"Ihre Rückmeldung: {what}",
                f"über den folgenden persönlichen Link können Sie uns mitteilen, ob Sie an "
                f"der Sitzung „{what}“ teilnehmen:",
                "Rückmeldung geben",
            )
        return (
            f"Themen vorschlagen: {what}",
            f"über den folgenden persönlichen Link können Sie Themen für die Sitzung „{what}“ vorschlagen:",
            "Thema vorschlagen",
        )
    if zweck == LinkZweck.FORMULAR:
        anfrage = session.get(FormularAnfrage, link.bezug_id)
        definitions = formulare_service.load_formulare(settings.portal.formulare)
        formular = definitions.get(anfrage.formular) if anfrage else None
        titel = formular.titel if formular else "Formular"
        bezug = formulare_service.bezug_label(session, formular, anfrage.bezug_id) if formular and anfrage else None
        full = f"{titel} ({bezug})" if bezug else titel
        frist = f" Bitte antworten Sie bis {format_datum_kurz(anfrage.frist)}." if anfrage and anfrage.frist else ""
        return (
            f"Bitte ausfüllen: {full}",
            f"wir bitten Sie um Ihre Angaben: {full}.{frist} Über den folgenden persönlichen "
            f"Link gelangen Sie zum Formular:",
            "Formular öffnen",
        )
    return (
        f"Ihr persönlicher Link: {zweck.label}",
        f"über den folgenden persönlichen Link gelangen Sie zu: {zweck.label}.",
        "Link öffnen",
    )


def send_link(
    session: Session,
    *,
    link: PersonalLink,
    url: str,
    now: datetime,
    settings: Settings,
    ersetzt: bool = False,
) -> OutboxMessage:
    """Queue the mail with the link; NichtZustellbar if the person may not be mailed."""
    person = session.get(Person, link.person_id)
    if person is None or not person.contactable or not person.email:
        raise NichtZustellbar("Die Person hat keine E-Mail-Adresse oder keine Einwilligung.")
    betreff, einleitung, knopf = beschreibe(session, link, settings)
    context = {
        # German letters go on in lower case after the comma of the greeting.
        "gruss": f"Guten Tag {person.anzeigename},",
        "einleitung": einleitung,
        "url": url,
        "knopf": knopf,
        "gueltig_bis": link.gueltig_bis,
        "ersetzt": ersetzt,
        "betreff": betreff,
        "geschaeftsstelle": settings.geschaeftsstelle,
        "kommune": settings.kommune,
    }
    mail = OutgoingMail(
        to=person.email,
        to_name=person.anzeigename or None,
        subject=betreff,
        text=render_text("mail/portal/link.txt", **context),
        html=render("mail/portal/link.html", **context),
    )
    return outbox.enqueue(
        session,
        schluessel=f"portal-link:{link.id}",
        art=NachrichtArt.PORTAL_LINK,
        mail=mail,
        person_id=person.id,
        bezug={"link_id": link.id, "zweck": str(link.zweck), "bezug_id": link.bezug_id},
        now=now,
        settings=settings,
    )


@dataclass
class Anforderung:
    """What requesting a form did: links queued, and who could not be mailed."""

    gesendet: int = 0
    uebersprungen: list[str] = field(default_factory=list)


def request_form_by_mail(
    session: Session,
    *,
    formular: formulare_service.Formular,
    organisation_ids: list[int],
    bezug_id: int,
    now: datetime,
    settings: Settings,
    frist: date | None = None,
) -> Anforderung:
    """Request a form from Träger: one request each, one personal link per contact by mail.

    Idempotent per Träger: a contact who already holds a live link for the request gets none.
    """
    result = Anforderung()
    for organisation_id in organisation_ids:
        anfrage = formulare_service.request_form(
            session, formular=formular, organisation_id=organisation_id, bezug_id=bezug_id, now=now, frist=frist
        )
        people = session.exec(select(Person).where(Person.organisation_id == organisation_id)).all()
        for person in people:
            if not person.contactable:
                result.uebersprungen.append(person.kennung)
                continue
            live = session.exec(
                select(PersonalLink).where(
                    PersonalLink.person_id == person.id,
                    PersonalLink.zweck == LinkZweck.FORMULAR.value,
                    PersonalLink.bezug_id == anfrage.id,
                    col(PersonalLink.widerrufen_am).is_(None),
                    PersonalLink.gueltig_bis > now,
                )
            ).first()
            if live is not None:
                continue
            assert person.id is not None and anfrage.id is not None  # stored rows
            link, url = create_link(
                session,
                person_id=person.id,
                zweck=LinkZweck.FORMULAR,
                bezug_id=anfrage.id,
                now=now,
                settings=settings,
            )
            send_link(session, link=link, url=url, now=now, settings=settings)
            result.gesendet += 1
    return result
