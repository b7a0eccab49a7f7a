"""Who made a change, as the Geschäftsstelle names them.

The store records the actor of a change as a short string (``benutzer:planerin``,
``link:64``, ``flow-run:einladungen_versenden/…``, ``cli:daten assistent``, or a bare login
name from the workplace); a planner reads a person's name or what ran.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.store.models import Benutzer, Person, PersonalLink


def _benutzer(session: Session, name: str) -> str | None:
    condition = col(Benutzer.id) == int(name) if name.isdigit() else col(Benutzer.name) == name
    return session.scalar(sa.select(col(Benutzer.anzeigename)).where(condition))


def _link(session: Session, link_id: str) -> str | None:
    if not link_id.isdigit():
        return None
    person = session.scalars(
        sa.select(Person)
        .join(PersonalLink, col(PersonalLink.person_id) == col(Person.id))
        .where(col(PersonalLink.id) == int(link_id))
    ).first()
    return person.anzeigename if person is not None and person.anzeigename else None


def akteur_text(session: Session, akteur: str | None) -> str:
    """``benutzer:planerin`` → ``Paula Planerin``; ``link:64`` → ``Rosa Timm (persönlicher Link)``;
    ``flow-run:einladungen_versenden/…`` → ``Ablauf „Einladungen versenden“``."""
    if not akteur:
        return ""
    art, _, rest = akteur.partition(":")
    if art == "benutzer":
        return _benutzer(session, rest) or rest
    if art == "link":
        name = _link(session, rest)
        return f"{name} (persönlicher Link)" if name else "über einen persönlichen Link"
    if art == "flow-run":
        return f"Ablauf „{rest.split('/')[0].replace('_', ' ').capitalize()}“"
    if art == "cli":
        return f"Kommandozeile ({rest})" if rest else "Kommandozeile"
    if art == "demo":
        return "Demo"
    if art in ("import", "datei"):
        return f"Import aus {rest}"
    if art == "dsgvo":
        return "Datenschutz (DSGVO)"
    if not rest:  # the workplace records some changes under the bare login name
        return _benutzer(session, art) or akteur
    return akteur
