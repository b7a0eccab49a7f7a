"""Report delivery problems to the Geschäftsstelle: permanent failures, bounces, recipients
left out (no consent, invalid address …), and every message of unclear delivery waiting for a
person's decision ("Zustellung unklar", ``outbox.unklar``), as one plain-text mail through the
outbox.

The key names the problems and the unclear messages themselves, so the same list is reported
once, however often the flow runs; a new problem or a new unclear message makes a new report.
Unclear messages are read from the store, not from the run: they may have been set aside by
another run, on another machine, or days ago and still be undecided.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from sozialforum import outbox
from sozialforum.channels.mail import OutgoingMail
from sozialforum.channels.rendering import render_text
from sozialforum.outbox.unklar import uncertain_messages
from sozialforum.settings import Settings
from sozialforum.store.models import OutboxMessage
from sozialforum.timeutil import format_termin
from sozialforum.vocab import NachrichtArt


@dataclass(frozen=True)
class Zustellproblem:
    empfaenger: str  # name or address, as the Geschäftsstelle knows them
    grund: str
    bezug: str  # e.g. the Sitzung's title


def report(
    session: Session, problems: list[Zustellproblem], *, now: datetime, settings: Settings
) -> OutboxMessage | None:
    """Queue one report mail to the Geschäftsstelle; None if there is nothing to report."""
    unclear = uncertain_messages(session)
    if not problems and not unclear:
        return None
    ordered = sorted(set(problems), key=lambda p: (p.bezug, p.empfaenger, p.grund))
    lines = [f"{p.bezug}|{p.empfaenger}|{p.grund}" for p in ordered] + [f"unklar|{m.id}" for m in unclear]
    digest = hashlib.sha256("\n".join(lines).encode())
    text = render_text(
        "mail/konferenz/zustellprobleme.txt",
        probleme=ordered,
        unklar=unclear,
        postausgang=f"{settings.portal.base_url.rstrip('/')}/arbeitsplatz/postausgang",
        erstellt=now,
        geschaeftsstelle=settings.geschaeftsstelle,
    )
    parts = [f"{len(ordered)} Empfänger"] if ordered else []
    parts += [f"{len(unclear)} mit unklarer Zustellung"] if unclear else []
    mail = OutgoingMail(
        to=str(settings.geschaeftsstelle.email),
        to_name=settings.geschaeftsstelle.name,
        subject=f"Zustellprobleme: {', '.join(parts)} ({format_termin(now)})",
        text=text,
    )
    return outbox.enqueue(
        session,
        schluessel=f"zustellprobleme:{digest.hexdigest()[:32]}",
        art=NachrichtArt.ZUSTELLPROBLEME,
        mail=mail,
        person_id=None,
        bezug={"anzahl": len(ordered), "unklar": len(unclear)},
        now=now,
        settings=settings,
    )
