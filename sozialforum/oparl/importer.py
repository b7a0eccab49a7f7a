"""Import OParl objects (from files or an API) into the store, idempotent by OParl id.

One run: collect the objects (flattening embedded ones), resolve references that are neither in
the run nor in the store by fetching them (when a fetcher is given, e.g. over HTTP), then write in
dependency order: Organization → Person → Membership → Meeting with AgendaItems → Paper →
Consultation → results. Everything happens in the caller's transaction; defects of the source
are warnings, collected in the report and logged, and never stop the import.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from sozialforum.oparl import import_akteure, import_dateien, import_eigen, import_sitzungen, import_vorlagen
from sozialforum.oparl.lauf import Fetcher, Lauf
from sozialforum.oparl.speicher import ImportBericht
from sozialforum.store.gc_pause import gc_angehalten


@gc_angehalten()
def import_objekte(
    session: Session,
    objekte: Iterable[dict[str, Any]],
    *,
    now: datetime,
    fetch: Fetcher | None = None,
    entscheidend: Sequence[str] = (),
) -> ImportBericht:
    """Import ``objekte`` (any OParl types, any order) in the caller's transaction.

    ``entscheidend`` names the deciding Gremien (name, Kurzname or OParl id) for sources whose
    Consultations carry neither ``role`` nor ``authoritative``."""
    run = Lauf(session, now, fetch)
    run.entscheidend = {e.casefold() for e in entscheidend}
    for obj in objekte:
        if isinstance(obj, dict):
            run.stapel.add(obj)
        else:
            run.leser.maengel.melde("(Liste)", None, f"Eintrag ist kein Objekt ({str(obj)[:60]!r}): übersprungen")
    run.resolve_missing()
    run.stapel.take_embedded()
    run.index.aliases.update(run.stapel.aliases)
    ids = list(run.stapel.eintraege)
    run.index.preload(ids + [f"{i}#beschluss" for i, e in run.stapel.eintraege.items() if e.typ == "AgendaItem"])
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
    papers = [e for e in run.stapel.of_type("Paper") if not import_eigen.ist_beschluss(e)]
    import_vorlagen.papers(run, papers)
    import_vorlagen.paper_links(run, papers)
    meetings = {e.obj["id"] for e in run.stapel.of_type("Meeting")}
    import_sitzungen.meetings(run, run.stapel.of_type("Meeting"))
    orphans = [
        e
        for e in run.stapel.of_type("AgendaItem")
        if e.parent not in meetings and run.leser.url(e.obj, "meeting") not in meetings
    ]
    _orphan_agenda_items(run, orphans)
    import_vorlagen.consultations(run, run.stapel.of_type("Consultation"))
    import_vorlagen.results(run)
    for entry in run.stapel.of_type("Paper"):
        if import_eigen.ist_beschluss(entry):
            import_eigen.beschluss(run, entry)
    import_dateien.dateien(run)
    for typ in ("Body", "System", "Location", "LegislativeTerm"):
        for _ in run.stapel.of_type(typ):
            run.bericht.zaehle(typ, "uebersprungen")
    run.index.write_map()
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
        by_meeting.setdefault(url, []).append(entry)
    for url, items in by_meeting.items():
        sitzung = run.session.get(Sitzung, run.index.find("sitzung", url))
        assert sitzung is not None
        import_sitzungen.agenda(run, sitzung, items)
