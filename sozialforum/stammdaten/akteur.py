"""Who made a change, as the Geschäftsstelle names them.

The store records the actor of a change as a short string (``benutzer:planerin``,
``link:64``, ``flow-run:einladungen_versenden/…``, ``cli:daten assistent``, or a bare login
name from the workplace); a planner reads a person's name or what ran. This module is the one
place that translates them: pages, commands and the DSGVO Auskunft resolve every key of a page
at once (``akteur_namen``: at most two queries, however many rows) and print the texts.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.store.models import Benutzer, Person, PersonalLink

# Fixed actors of the store's own work, by the key's first part.
_FEST = {
    "demo": "Demo",
    "arbeitslauf": "Ablauf aus dem Arbeitsplatz",
    "probelauf": "Probelauf",
    "zustellung": "Zustellung des Postausgangs",
    "portal:link": "über einen persönlichen Link",
    "portal:neuer-link": "Anforderung eines neuen persönlichen Links",
    "portal:geschaeftsstelle": "Arbeitsplatz der Geschäftsstelle",
    "portal:fehlversuch": "Beteiligungsportal (Schutz vor Fehlversuchen)",
    "portal:kalender": "Kalenderabonnement",
    "portal:sitzungskalender": "Kalenderabonnement",
    "dsgvo:auskunft": "Auskunft nach Art. 15 DSGVO",
    "dsgvo:loeschung": "Löschung nach Art. 17 DSGVO",
    "dsgvo:aufbewahrung": "Löschung nach Ablauf der Speicherdauer",
    "daten:budget": "Berechnung der Sozialraumbudgets",
    "daten:ausgaben": "Ausgaben der Datenaktualisierung",
}


class Akteure(dict[str | None, str]):
    """Actor key → German text; ``None`` and keys not resolved read as they are (``""`` for None)."""

    def __missing__(self, key: object) -> str:
        return "" if key is None else str(key)


def _ablauf(rest: str) -> str:
    return f"Ablauf „{rest.split('/')[0].replace('_', ' ').capitalize()}“"


def _text(key: str, benutzer: dict[str, str], links: dict[str, str]) -> str:
    if key in _FEST:
        return _FEST[key]
    art, _, rest = key.partition(":")
    if art == "benutzer":
        return benutzer.get(rest, rest)
    if art == "link":
        return f"{links[rest]} (persönlicher Link)" if rest in links else "über einen persönlichen Link"
    if art == "flow-run":
        return _ablauf(rest)
    if art == "cli":
        return f"Kommandozeile ({rest})" if rest else "Kommandozeile"
    if art == "demo":
        return "Demo"
    if art == "import" and rest.startswith("oparl:"):
        return f"Import aus dem Ratsinformationssystem ({rest[6:]})"
    if art in ("import", "datei"):
        return f"Import aus {rest}"
    if art == "dsgvo":
        return "Datenschutz (DSGVO)"
    if art == "anmeldung":
        return f"Anmeldung von {benutzer.get(rest, rest)}"
    if art == "portal":
        return "Beteiligungsportal"
    if not rest:  # the workplace records some changes under the bare login name
        return benutzer.get(art, key)
    return key


def akteur_namen(session: Session, keys: Iterable[str | None]) -> Akteure:
    """The German text of every actor key in ``keys``: one query for the accounts and one for
    the personal links they name (none when no key needs one)."""
    wanted = {key for key in keys if key}
    logins: set[str] = set()
    link_ids: set[int] = set()
    for key in wanted:
        art, _, rest = key.partition(":")
        if art in ("benutzer", "anmeldung"):
            logins.add(rest)
        elif art == "link" and rest.isdigit():
            link_ids.add(int(rest))
        elif not rest and key not in _FEST:
            logins.add(art)
    benutzer: dict[str, str] = {}
    if logins:
        ids = [int(name) for name in logins if name.isdigit()]  # older rows name the account by id
        condition = col(Benutzer.name).in_(logins)
        for login, user_id, anzeigename in session.execute(
            sa.select(col(Benutzer.name), col(Benutzer.id), col(Benutzer.anzeigename)).where(
                sa.or_(condition, col(Benutzer.id).in_(ids)) if ids else condition
            )
        ):
            if anzeigename:
                benutzer[login] = benutzer[str(user_id)] = anzeigename
    links: dict[str, str] = {}
    if link_ids:
        for link_id, person in session.execute(
            sa.select(col(PersonalLink.id), Person)
            .join(Person, col(PersonalLink.person_id) == col(Person.id))
            .where(col(PersonalLink.id).in_(link_ids))
        ).tuples():
            if person.anzeigename:
                links[str(link_id)] = person.anzeigename
    return Akteure({key: _text(key, benutzer, links) for key in wanted})


def akteur_text(session: Session, akteur: str | None) -> str:
    """``benutzer:planerin`` → ``Paula Planerin``; ``link:64`` → ``Rosa Timm (persönlicher Link)``;
    ``flow-run:einladungen_versenden/…`` → ``Ablauf „Einladungen versenden“``."""
    return akteur_namen(session, [akteur])[akteur]
