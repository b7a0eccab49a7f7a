"""Import OParl objects (from files or an API) into the store, idempotent by OParl id.

One run: collect the objects (flattening embedded ones), resolve references that are neither in
the run nor in the store by fetching them (when a fetcher is given, e.g. over HTTP), then write in
dependency order: Organization → Person → Membership → Meeting with AgendaItems → Paper →
Consultation → results. Everything happens in the caller's transaction; defects of the source
are warnings, collected in the report and logged, and never stop the import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from sozialforum.oparl import import_akteure, import_sitzungen
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

    def dangling(self, owner: str, field: str, target: str | None) -> None:
        if target:
            self.leser.maengel.melde(owner, field, f"verweist auf ein unbekanntes Objekt ({target})")

    def known(self, url: str, table: str) -> bool:
        if url in self.stapel:
            return True
        return any(self.index.find(t, url) is not None for t in (table, *ALSO_AS.get(table, ())))

    def resolve_missing(self) -> None:
        """Fetch referenced objects that are neither in the run nor in the store."""
        if self.fetch is None:
            return
        tried: set[str] = set()
        while len(tried) < MAX_FETCHES:
            self.stapel.take_embedded()
            wanted = set(self.stapel.stubs)
            for entry in list(self.stapel.eintraege.values()):
                for field, table, many in REFERENCES.get(entry.typ, ()):
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


def import_objekte(
    session: Session, objekte: Iterable[dict[str, Any]], *, now: datetime, fetch: Fetcher | None = None
) -> ImportBericht:
    """Import ``objekte`` (any OParl types, any order) in the caller's transaction."""
    run = Lauf(session, now, fetch)
    for obj in objekte:
        if isinstance(obj, dict):
            run.stapel.add(obj)
        else:
            run.leser.maengel.melde("(Liste)", None, f"Eintrag ist kein Objekt ({str(obj)[:60]!r}): übersprungen")
    run.resolve_missing()
    run.stapel.take_embedded()
    for url in sorted(run.stapel.stubs):
        run.leser.maengel.melde(url, None, "nur als URL geliefert, Objekt nicht abrufbar")
    organizations = run.stapel.of_type("Organization")
    for entry in organizations:
        import_akteure.organization(run, entry)
    import_akteure.organization_parents(run, organizations)
    for entry in run.stapel.of_type("Person"):
        import_akteure.person(run, entry)
    for entry in run.stapel.of_type("Membership"):
        import_akteure.membership(run, entry)
    meetings = {e.obj["id"] for e in run.stapel.of_type("Meeting")}
    for entry in run.stapel.of_type("Meeting"):
        import_sitzungen.meeting(run, entry)
    orphans = [
        e
        for e in run.stapel.of_type("AgendaItem")
        if e.parent not in meetings and run.leser.url(e.obj, "meeting") not in meetings
    ]
    _orphan_agenda_items(run, orphans)
    papers = run.stapel.of_type("Paper")
    for entry in papers:
        import_sitzungen.paper(run, entry)
    import_sitzungen.paper_links(run, papers)
    for entry in run.stapel.of_type("Consultation"):
        import_sitzungen.consultation(run, entry)
    import_sitzungen.results(run)
    for typ in ("Body", "System", "File", "Location", "LegislativeTerm"):
        for _ in run.stapel.of_type(typ):
            run.bericht.zaehle(typ, "uebersprungen")
    run.bericht.maengel = run.leser.maengel.liste
    return run.bericht


def _orphan_agenda_items(run: Lauf, entries: list[Any]) -> None:
    """Agenda items delivered without their meeting (a list of its own, incremental runs)."""
    from sozialforum.store.models import Sitzung

    by_meeting: dict[str, list[Any]] = {}
    for entry in entries:
        url = run.leser.url(entry.obj, "meeting") or entry.parent
        sitzung_id = run.index.find("sitzung", url)
        if sitzung_id is None:
            run.dangling(run.leser.id(entry.obj), "meeting", url or "(fehlt)")
            run.bericht.zaehle("AgendaItem", "uebersprungen")
            continue
        by_meeting.setdefault(url, []).append(entry)  # type: ignore[arg-type]
    for url, items in by_meeting.items():
        sitzung = run.session.get(Sitzung, run.index.find("sitzung", url))
        assert sitzung is not None
        import_sitzungen.agenda(run, sitzung, items)
