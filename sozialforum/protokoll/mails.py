"""The messages of the minutes workflow: rendered from templates/mail/protokoll/, queued in the
outbox under a key derived from what they are about, so that each goes out exactly once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from sozialforum import outbox
from sozialforum.channels.mail import Attachment, OutgoingMail
from sozialforum.channels.rendering import render_text
from sozialforum.settings import Settings
from sozialforum.store.models import Gremium, OutboxMessage, Person, Sitzung
from sozialforum.timeutil import format_datum
from sozialforum.vocab import NachrichtArt

ART = NachrichtArt.PROTOKOLL


def betreff(gremium: Gremium, sitzung: Sitzung, was: str) -> str:
    return f"Protokoll {gremium.name} vom {format_datum(sitzung.beginn, weekday=False)}: {was}"


def already_queued(session: Session, schluessel: str) -> bool:
    return bool(outbox.existing_keys(session, [schluessel]))


def text(template: str, **context: Any) -> str:
    return render_text(f"mail/protokoll/{template}.txt", **context)


def an_person(
    session: Session,
    *,
    schluessel: str,
    person: Person,
    subject: str,
    body: str,
    bezug: dict[str, Any],
    now: datetime,
    settings: Settings,
    attachments: tuple[Attachment, ...] = (),
) -> OutboxMessage | None:
    """Queue a message to a person; None (nothing queued) when they may not be contacted."""
    if not person.contactable or person.email is None:
        return None
    mail = OutgoingMail(
        to=person.email, to_name=person.anzeigename, subject=subject, text=body, attachments=attachments
    )
    return outbox.enqueue(
        session, schluessel=schluessel, art=ART, mail=mail, person_id=person.id, bezug=bezug, now=now, settings=settings
    )


def an_geschaeftsstelle(
    session: Session,
    *,
    schluessel: str,
    subject: str,
    body: str,
    bezug: dict[str, Any],
    now: datetime,
    settings: Settings,
) -> OutboxMessage:
    """Queue a message to the Geschäftsstelle's functional mailbox."""
    mail = OutgoingMail(
        to=str(settings.geschaeftsstelle.email), to_name=settings.geschaeftsstelle.name, subject=subject, text=body
    )
    return outbox.enqueue(
        session, schluessel=schluessel, art=ART, mail=mail, person_id=None, bezug=bezug, now=now, settings=settings
    )
