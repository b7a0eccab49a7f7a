"""Report delivery problems to the Geschäftsstelle: permanent failures, bounces, and recipients
left out (no consent, invalid address …), as one plain-text mail through the outbox.

The key names the problems themselves, so the same list is reported once, however often the
flow runs; a new problem makes a new report.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from sozialforum import outbox
from sozialforum.channels.mail import OutgoingMail
from sozialforum.channels.rendering import render_text
from sozialforum.settings import Settings
from sozialforum.store.models import OutboxMessage
from sozialforum.timeutil import format_termin


@dataclass(frozen=True)
class Zustellproblem:
    empfaenger: str  # name or address, as the Geschäftsstelle knows them
    grund: str
    bezug: str  # e.g. the Sitzung's title


def report(
    session: Session, problems: list[Zustellproblem], *, now: datetime, settings: Settings
) -> OutboxMessage | None:
    """Queue one report mail to the Geschäftsstelle; None if there is nothing to report."""
    if not problems:
        return None
    ordered = sorted(set(problems), key=lambda p: (p.bezug, p.empfaenger, p.grund))
    digest = hashlib.sha256("\n".join(f"{p.bezug}|{p.empfaenger}|{p.grund}" for p in ordered).encode())
    text = render_text(
        "mail/konferenz/zustellprobleme.txt", probleme=ordered, erstellt=now, geschaeftsstelle=settings.geschaeftsstelle
    )
    mail = OutgoingMail(
        to=str(settings.geschaeftsstelle.email),
        to_name=settings.geschaeftsstelle.name,
        subject=f"Zustellprobleme: {len(ordered)} Empfänger ({format_termin(now)})",
        text=text,
    )
    return outbox.enqueue(
        session,
        schluessel=f"zustellprobleme:{digest.hexdigest()[:32]}",
        art="zustellprobleme",
        mail=mail,
        person_id=None,
        bezug={"anzahl": len(ordered)},
        now=now,
        settings=settings,
    )
