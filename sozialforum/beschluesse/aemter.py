"""Ämter as organisations: ``Beschluss.amt`` is free text ("Sozialamt"), while Fachpläne and
Aufträge name the responsible Organisation ("Sozialamt Landkreis Musterland"). Reports match the
text to the Organisation table (kind Amt) so that one Amt is one row and one filter value.

Matching, after normalisation (case, spaces, hyphens, the Kommune's name as a suffix or prefix):
the Organisation's name, then its kennung, then the only Amt whose name begins with the text.
Text that matches no Amt (or several) stays as it was written.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.store.models import Organisation
from sozialforum.vocab import OrganisationArt


def _norm(text: str) -> str:
    return re.sub(r"[\s\-–]+", " ", text.casefold()).strip(" .,")


class Aemter:
    def __init__(self, session: Session, kommune: str) -> None:
        self._kommune = _norm(kommune)
        self._aemter = list(
            session.scalars(
                sa.select(Organisation).where(col(Organisation.art) == OrganisationArt.AMT).order_by(Organisation.name)
            )
        )
        self._by_id = {a.id: a for a in self._aemter}
        self._cache: dict[str, Organisation | None] = {}

    def _kurz(self, text: str) -> str:
        """The name without the Kommune ("sozialamt landkreis musterland" → "sozialamt")."""
        key = _norm(text)
        if self._kommune and key.endswith(" " + self._kommune):
            key = key[: -len(self._kommune) - 1]
        if self._kommune and key.startswith(self._kommune + " "):
            key = key[len(self._kommune) + 1 :]
        return key.strip()

    def finde(self, text: str | None) -> Organisation | None:
        if not text or not text.strip():
            return None
        if text in self._cache:
            return self._cache[text]
        key = self._kurz(text)
        found = next((a for a in self._aemter if self._kurz(a.name) == key), None)
        if found is None:
            found = next((a for a in self._aemter if _norm(a.kennung) == _norm(text)), None)
        if found is None and key:
            starts = [a for a in self._aemter if self._kurz(a.name).startswith(key + " ")]
            found = starts[0] if len(starts) == 1 else None
        self._cache[text] = found
        return found

    def name(self, text: str | None, organisation_id: int | None = None) -> str | None:
        """The Amt's name as stored in the Organisation table, else the text as written."""
        found = self.finde(text) or self._by_id.get(organisation_id)
        return found.name if found is not None else text

    def gleich(self, wanted: str, text: str | None, organisation_id: int | None = None) -> bool:
        """Does ``text`` (or the responsible organisation) name the Amt the user asked for?"""
        target = self.finde(wanted)
        if target is not None:
            own = self.finde(text) or self._by_id.get(organisation_id)
            return own is not None and own.id == target.id
        return _norm(text or "") == _norm(wanted)
