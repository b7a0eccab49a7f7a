"""Who may do what (issue 12): the rights of each role, and which objects a user may see.

Roles (``BenutzerRolle``): the Geschäftsstelle may do everything; the Leitung reads everything
and changes nothing; a Fachamt sees and reports on its own Aufträge and Maßnahmen only (those of
its Amt or its person); a Kommune reads the Gemeinde data released to its person. Every workspace
route declares one ``Recht``; the server checks it on every request, and object-level checks
(``auftrag_sichtbar`` …) on every object a page reads or changes.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from sozialforum.store.models import Auftrag, Benutzer, Massnahme
from sozialforum.vocab import BenutzerRolle, Vocab


class Recht(Vocab):
    ANGEMELDET = "angemeldet", "angemeldet sein (eigene Sitzung, eigenes Konto)"
    LESEN = "lesen", "alles lesen"
    AENDERN = "aendern", "Planungsbestand, Sitzungen, Protokolle ändern"
    BENUTZER = "benutzer", "Benutzer verwalten"
    AUFTRAEGE = "auftraege", "eigene Aufträge sehen"
    SACHSTAND = "sachstand", "Sachstand zu eigenen Aufträgen melden"
    GEMEINDEDATEN = "gemeindedaten", "freigegebene Gemeindedaten lesen"


_GS, _LEITUNG, _FACHAMT, _KOMMUNE = (
    BenutzerRolle.GESCHAEFTSSTELLE,
    BenutzerRolle.LEITUNG,
    BenutzerRolle.FACHAMT,
    BenutzerRolle.KOMMUNE,
)

RECHTE: dict[Recht, frozenset[BenutzerRolle]] = {
    Recht.ANGEMELDET: frozenset(BenutzerRolle),
    Recht.LESEN: frozenset({_GS, _LEITUNG}),
    Recht.AENDERN: frozenset({_GS}),
    Recht.BENUTZER: frozenset({_GS}),
    Recht.AUFTRAEGE: frozenset({_GS, _LEITUNG, _FACHAMT}),
    Recht.SACHSTAND: frozenset({_GS, _FACHAMT}),
    Recht.GEMEINDEDATEN: frozenset({_GS, _LEITUNG, _KOMMUNE}),
}

# Rights that change stored data (everything but reading and one's own session).
SCHREIBRECHTE = frozenset({Recht.AENDERN, Recht.BENUTZER, Recht.SACHSTAND})


def darf(benutzer: Benutzer, recht: Recht) -> bool:
    return benutzer.aktiv and BenutzerRolle(benutzer.rolle) in RECHTE[recht]


def sieht_alles(benutzer: Benutzer) -> bool:
    return BenutzerRolle(benutzer.rolle) in (_GS, _LEITUNG)


def auftrag_filter(benutzer: Benutzer) -> Any:
    """A WHERE clause over ``auftrag`` limiting it to what the user may see (``sa.true()`` for
    the Geschäftsstelle and the Leitung, ``sa.false()`` for a Fachamt bound to nothing)."""
    if sieht_alles(benutzer):
        return sa.true()
    if BenutzerRolle(benutzer.rolle) != _FACHAMT:
        return sa.false()
    clauses: list[sa.ColumnElement[bool]] = []
    if benutzer.organisation_id is not None:
        clauses.append(col(Auftrag.verantwortlich_organisation_id) == benutzer.organisation_id)
    if benutzer.person_id is not None:
        clauses.append(col(Auftrag.verantwortlich_person_id) == benutzer.person_id)
    return sa.or_(*clauses) if clauses else sa.false()


def auftrag_sichtbar(benutzer: Benutzer, auftrag: Auftrag) -> bool:
    if sieht_alles(benutzer):
        return True
    if BenutzerRolle(benutzer.rolle) != _FACHAMT:
        return False
    return (
        benutzer.organisation_id is not None and auftrag.verantwortlich_organisation_id == benutzer.organisation_id
    ) or (benutzer.person_id is not None and auftrag.verantwortlich_person_id == benutzer.person_id)


def massnahme_filter(benutzer: Benutzer) -> Any:
    """A WHERE clause over ``massnahme``: everything for Geschäftsstelle and Leitung, a Fachamt's
    own (by its Amt), nothing for others."""
    if sieht_alles(benutzer):
        return sa.true()
    if BenutzerRolle(benutzer.rolle) != _FACHAMT or benutzer.organisation_id is None:
        return sa.false()
    return col(Massnahme.verantwortlich_organisation_id) == benutzer.organisation_id


def massnahme_sichtbar(benutzer: Benutzer, massnahme: Massnahme) -> bool:
    if sieht_alles(benutzer):
        return True
    return (
        BenutzerRolle(benutzer.rolle) == _FACHAMT
        and benutzer.organisation_id is not None
        and massnahme.verantwortlich_organisation_id == benutzer.organisation_id
    )
