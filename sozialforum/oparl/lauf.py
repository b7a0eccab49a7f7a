"""The state of one OParl import run, shared by the import steps (``importer`` drives the run;
``import_akteure``, ``import_sitzungen`` and ``import_vorlagen`` write their object types into
it). Its own module so that the steps and the driver import it, not each other."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.oparl.lesen import Leser, Maengel
from sozialforum.oparl.speicher import ImportBericht, Index
from sozialforum.oparl.stapel import Stapel

Fetcher = Callable[[str], dict[str, Any] | None]

# Reference fields per type, and which table answers them, for the fetch of missing objects.
REFERENCES: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "Membership": (("person", "person", False), ("organization", "gremium", False)),
    "Meeting": (("organization", "gremium", True),),
    "AgendaItem": (("meeting", "sitzung", False),),
    "Consultation": (("paper", "vorlage", False), ("meeting", "sitzung", False), ("organization", "gremium", True)),
    "Paper": (("superordinatedPaper", "vorlage", True),),
    "Organization": (("subOrganizationOf", "gremium", False),),
}
ALSO_AS = {"gremium": ("organisation",)}
MAX_FETCHES = 500


class Lauf:
    """The state of one import run, shared by the handlers."""

    def __init__(self, session: Session, now: datetime, fetch: Fetcher | None) -> None:
        self.session = session
        self.now = now
        self.fetch = fetch
        self.leser = Leser(Maengel())
        self.stapel = Stapel(self.leser)
        self.index = Index(session, now)
        self.bericht = ImportBericht()
        self.links: set[tuple[str, str]] = set()  # (consultation id, agenda item id)
        self._agenda: dict[str, list[Any]] | None = None
        self._named_items: dict[str, str] | None = None
        self._named_steps: dict[str, str] | None = None
        self.ohne_rolle: set[str] = set()  # consultations whose source names no role
        self.eigene: set[str] = set()  # consultations of our own export (result given, no Beschluss derived)
        self.entscheidend: set[str] = set()  # deciding Gremien (casefolded names, Kurznamen, ids)

    def klaeren(
        self, art: str, oparl_id: str, beschreibung: str, tabelle: str | None, datensatz_id: int | None
    ) -> None:
        """List a case for the Geschäftsstelle (once per kind and object; a decided case stays decided)."""
        from sozialforum.store.models import OparlKlaerung

        self.bericht.klaerung.append(f"{oparl_id}: {beschreibung}")
        row = self.session.scalars(
            sa.select(OparlKlaerung).where(col(OparlKlaerung.art) == art, col(OparlKlaerung.oparl_id) == oparl_id)
        ).first()
        values: dict[str, Any] = {"beschreibung": beschreibung[:1000], "tabelle": tabelle, "datensatz_id": datensatz_id}
        if row is None:
            self.session.add(OparlKlaerung(art=art, oparl_id=oparl_id, erstellt=self.now, **values))
        elif not row.erledigt:
            for key, value in values.items():
                if getattr(row, key) != value:
                    setattr(row, key, value)

    def agenda_of(self, meeting: str) -> list[Any]:
        """The AgendaItem entries of one Meeting (by parent or back-reference), indexed once."""
        if self._agenda is None:
            self._agenda = {}
            for entry in self.stapel.of_type("AgendaItem"):
                keys = {entry.parent, self.leser.url(entry.obj, "meeting")} - {None}
                for key in keys:
                    self._agenda.setdefault(str(key), []).append(entry)
        return self._agenda.get(meeting, [])

    def named_agenda_items(self) -> dict[str, str]:
        """Consultation id → the agenda item it names (``agendaItem``), of the live Consultations;
        read once per run (three steps ask, for 150,000 Consultations in a full import)."""
        if self._named_items is None:
            r = self.leser
            self._named_items = {
                r.id(e.obj): url
                for e in self.stapel.of_type("Consultation")
                if (url := r.url(e.obj, "agendaItem")) and not ("deleted" in e.obj and r.wahr(e.obj, "deleted"))
            }
        return self._named_items

    def named_consultations(self) -> dict[str, str]:
        """Agenda item id → the Consultation it names (``consultation``); read once per run."""
        if self._named_steps is None:
            r = self.leser
            self._named_steps = {
                r.id(e.obj): url for e in self.stapel.of_type("AgendaItem") if (url := r.url(e.obj, "consultation"))
            }
        return self._named_steps

    def dangling(self, owner: str, field: str, target: str | None) -> None:
        if target:
            self.leser.maengel.melde(owner, field, f"verweist auf ein unbekanntes Objekt ({target})")

    def known(self, url: str, table: str) -> bool:
        if url in self.stapel:
            return True
        return any(self.index.find(t, url) is not None for t in (table, *ALSO_AS.get(table, ())))

    def _to_check(self, entries: list[Any], field: str, many: bool) -> list[Any]:
        """The entries whose ``field`` is neither empty nor (a list of) ids of the run — the
        usual case, sorted out in one comprehension per type and field (a full import asks this
        of a quarter of a million references)."""
        stapel = self.stapel
        present: Any = stapel.eintraege
        if stapel.aliases:
            aliases = stapel.aliases  # as ``Stapel.__contains__`` reads them
            present = {i for i in present if i not in aliases} | {a for a, t in aliases.items() if t in present}
        if many:
            return [
                e
                for e in entries
                if (v := e.obj.get(field)) is not None
                and not (
                    type(v) is list
                    and (
                        (len(v) == 1 and type(v[0]) is str and v[0] in present)  # the usual case, no generator
                        or all(type(u) is str and u in present for u in v)
                    )
                )
            ]
        return [e for e in entries if (v := e.obj.get(field)) is not None and not (type(v) is str and v in present)]

    def resolve_missing(self) -> None:
        """Fetch referenced objects that are neither in the run nor in the store."""
        if self.fetch is None:
            return
        tried: set[str] = set()
        while len(tried) < MAX_FETCHES:
            self.stapel.take_embedded()
            wanted = set(self.stapel.stubs)
            for typ, fields in REFERENCES.items():
                entries = self.stapel.of_type(typ)
                for field, table, many in fields:
                    for entry in self._to_check(entries, field, many):
                        urls = (
                            self.leser.urls(entry.obj, field)
                            if many
                            else [u for u in [self.leser.url(entry.obj, field)] if u]
                        )
                        wanted.update(u for u in urls if not self.known(u, table))
            wanted -= tried
            if not wanted:
                return
            for url in sorted(wanted)[: MAX_FETCHES - len(tried)]:
                tried.add(url)
                obj = self.fetch(url)
                self.bericht.abgerufen += 1
                if obj is not None:
                    self.stapel.add(obj)
                self.stapel.stubs.discard(url)
