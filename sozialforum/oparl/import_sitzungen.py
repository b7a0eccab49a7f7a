"""OParl Meeting and AgendaItem into Sitzung and Tagesordnungspunkt (Papers, Consultations and
their results are in ``import_vorlagen``)."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import timedelta
from itertools import chain
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import col

from sozialforum.oparl import loeschung
from sozialforum.oparl.schreiben import schreibe
from sozialforum.oparl.speicher import VENDOR, apply
from sozialforum.oparl.stapel import Eintrag
from sozialforum.store.models import Sitzung, Tagesordnungspunkt
from sozialforum.store.models.base import pk, table_of
from sozialforum.vocab import SitzungStatus

if TYPE_CHECKING:
    from sozialforum.oparl.lauf import Lauf


def _place(location: object) -> tuple[str | None, str | None]:
    if not isinstance(location, dict):
        return None, None
    ort = " ".join(str(location.get(k) or "") for k in ("description", "room")).strip() or None
    street = str(location.get("streetAddress") or "").strip()
    town = " ".join(str(location.get(k) or "") for k in ("postalCode", "locality")).strip()
    return (ort[:300] if ort else None), (", ".join(p for p in (street, town) if p)[:300] or None)


def quellzeiten(run: Lauf, o: dict[str, Any]) -> dict[str, Any]:
    """The source's created/modified, kept on the row (``speicher.TIMES_ON_ROW``)."""
    return {"oparl_erstellt": run.leser.zeitpunkt(o, "created"), "oparl_modified": run.leser.zeitpunkt(o, "modified")}


def merke(run: Lauf, oid: str, typ: str, tabelle: str, row_id: int, values: dict[str, Any]) -> None:
    """The written row in the run's index (and the map, where it has an entry: ``Index.remember``)."""
    modified, created = values["oparl_modified"], values["oparl_erstellt"]
    run.index.remember(oid, typ, tabelle, row_id, modified=modified, created=created)


def merke_alle(run: Lauf, typ: str, tabelle: str, rows: list[tuple[str, dict[str, Any], tuple[int, str]]]) -> None:
    """``merke`` and the count for each row written by ``schreibe`` (OParl id, values, (id, state))."""
    run.index.remember_rows(typ, tabelle, [(oid, row_id, values) for oid, values, (row_id, _) in rows])
    for state, count in Counter(state for _, _, (_, state) in rows).items():
        run.bericht.zaehle(typ, state, count)


def meetings(run: Lauf, entries: list[Eintrag]) -> None:
    """All Meetings of the run. New ones, with agenda items that are new as well, are written in
    two batches (Sitzungen, then their Tagesordnungspunkte); deletions, known Sitzungen and
    agendas with items moved from elsewhere take the row-by-row way (``meeting``, ``agenda``)."""
    r = run.leser
    fresh: list[tuple[str, dict[str, Any], Eintrag]] = []
    for entry in entries:
        oid = r.id(entry.obj)
        if r.wahr(entry.obj, "deleted") or run.index.find("sitzung", oid) is not None:
            meeting(run, entry)
            continue
        values = _meeting_values(run, entry)
        if values is not None:
            digest = hashlib.sha1(oid.encode()).hexdigest()[:20]  # noqa: S324 (a name, not security)
            fresh.append((oid, {"ical_uid": f"oparl-{digest}@sozialforum", **values}, entry))
    written = schreibe(run.session, table_of(Sitzung), [(oid, values) for oid, values, _ in fresh], known={})
    tops: list[tuple[str, dict[str, Any], Eintrag]] = []
    claimed: set[str] = set()
    later: list[tuple[int, list[Eintrag]]] = []
    papers: dict[str, int] | None = None
    for oid, values, _ in fresh:
        row_id, state = written[oid]
        merke(run, oid, "Meeting", "sitzung", row_id, values)
        run.bericht.zaehle("Meeting", state)
        live = _live_agenda(run, oid)
        ids = [r.id(e.obj) for e in live]
        if any(i in claimed or run.index.find("tagesordnungspunkt", i) is not None for i in ids):
            later.append((row_id, live))  # items moved here: the row-by-row way, after the batch
            continue
        claimed.update(ids)
        orders = _orders(run, live, set())
        papers = papers if papers is not None else _papers_of_agenda(run)
        for i, e in zip(ids, live, strict=True):
            values = _top_values(run, e, row_id, orders[i])
            values["vorlage_id"] = papers.get(i)
            tops.append((i, values, e))
    done = schreibe(run.session, table_of(Tagesordnungspunkt), [(i, values) for i, values, _ in tops], known={})
    merke_alle(run, "AgendaItem", "tagesordnungspunkt", [(i, values, done[i]) for i, values, _ in tops])
    named = run.named_consultations()  # as ``_agenda_item_done`` links each
    run.links.update((named[i], i) for i, _, _ in tops if i in named)
    for row_id, live in later:
        sitzung = run.session.get(Sitzung, row_id)
        assert sitzung is not None
        agenda(run, sitzung, live, neu=True)


def _papers_of_agenda(run: Lauf) -> dict[str, int]:
    """The Vorlage each agenda item of the run will get from its consultation in ``results``
    (the last link in its order), known before the agenda items are written: the Papers are
    written first, and a Consultation of the run leads to its Paper. What cannot be known yet is
    left to ``results``."""
    r = run.leser
    from_items = ((c, a) for a, c in run.named_consultations().items())
    links = chain(run.links, from_items, run.named_agenda_items().items())  # deleted Consultations name none
    found: dict[str, int] = {}
    last: dict[str, str] = {}  # agenda item → its consultation that counts: the greatest, as sorted links end
    entries = run.stapel.eintraege
    # unsorted and not even made unique (the greatest wins in any order; a pair seen again is
    # skipped): sorting 60,000 pairs of URLs, or a set of them, cost more
    for consultation_url, agenda_url in links:
        if agenda_url in last and last[agenda_url] >= consultation_url:
            continue
        step = entries.get(consultation_url)
        if step is None or step.typ != "Consultation" or r.wahr(step.obj, "deleted"):
            continue
        paper_url = r.url(step.obj, "paper")
        if not paper_url:
            parent = entries.get(step.parent) if step.parent else None
            paper_url = step.parent if parent and parent.typ == "Paper" else None
        vorlage_id = run.index.find("vorlage", paper_url)
        if vorlage_id is not None:
            found[agenda_url], last[agenda_url] = vorlage_id, consultation_url
    return found


def _live_agenda(run: Lauf, oid: str) -> list[Eintrag]:
    """The agenda items of a Meeting in the run, in order; deleted ones are removed here."""
    r = run.leser
    items = run.agenda_of(oid)
    live = [e for e in items if not r.wahr(e.obj, "deleted")]
    for gone in (e for e in items if e not in live):
        _drop_item(run, r.id(gone.obj))
    return sorted(live, key=lambda e: (e.position is None, e.position or 0))


def meeting(run: Lauf, entry: Eintrag) -> None:
    o, r = entry.obj, run.leser
    oid = r.id(o)
    if r.wahr(o, "deleted"):
        loeschung.meeting(run, oid)
        return
    values = _meeting_values(run, entry)
    if values is None:
        return
    row_id = run.index.find("sitzung", oid)
    row = run.session.get(Sitzung, row_id) if row_id else None
    if row is None:
        digest = hashlib.sha1(oid.encode()).hexdigest()[:20]  # noqa: S324 (a name, not security)
        row = Sitzung(ical_uid=f"oparl-{digest}@sozialforum", oparl_id=oid, **values)
        run.session.add(row)
        state = "neu"
    else:
        state = "geaendert" if apply(row, values) else "unveraendert"
    run.session.flush()
    merke(run, oid, "Meeting", "sitzung", pk(row), values)
    run.bericht.zaehle("Meeting", state)
    live = _live_agenda(run, oid)
    if state != "neu" and isinstance(o.get("agendaItem"), list):  # the whole agenda: the rest goes
        listed = {item.get("id") if isinstance(item, dict) else item for item in o["agendaItem"]}
        for top in list(
            run.session.scalars(sa.select(Tagesordnungspunkt).where(col(Tagesordnungspunkt.sitzung_id) == row.id))
        ):
            if top.oparl_id and top.oparl_id not in listed:
                run.leser.maengel.melde(top.oparl_id, None, f"nicht mehr auf der Tagesordnung von {oid}: entfernt")
                _drop_item(run, top.oparl_id)
    agenda(run, row, live, neu=state == "neu")


def _meeting_values(run: Lauf, entry: Eintrag) -> dict[str, Any] | None:
    o, r = entry.obj, run.leser
    oid = r.id(o)
    urls = r.urls(o, "organization")
    gremium_id = next((g for g in (run.index.find("gremium", u) for u in urls) if g), None)
    if gremium_id is None:
        for url in urls:
            run.dangling(oid, "organization", url)
        if not urls:
            run.leser.maengel.melde(oid, "organization", "fehlt: Sitzung ohne Gremium übersprungen")
        run.bericht.zaehle("Meeting", "uebersprungen")
        return None
    start = r.zeitpunkt(o, "start")
    if start is None:
        run.leser.maengel.melde(oid, "start", "fehlt: Sitzung ohne Termin übersprungen")
        run.bericht.zaehle("Meeting", "uebersprungen")
        return None
    end = r.zeitpunkt(o, "end") or start + timedelta(hours=2)
    ort, adresse = _place(o.get("location"))
    status = _eigener_status(run, o) or (
        SitzungStatus.ABGESAGT
        if r.wahr(o, "cancelled")
        else SitzungStatus.DURCHGEFUEHRT
        if end < run.now
        else SitzungStatus.GEPLANT
    )
    return {
        "gremium_id": gremium_id,
        "titel": r.text(o, "name", 300) or "Sitzung",
        "beginn": start,
        "ende": max(end, start),
        "ort": ort,
        "adresse": adresse,
        "status": status,
        **quellzeiten(run, o),
    }


def _eigener_status(run: Lauf, o: dict[str, Any]) -> SitzungStatus | None:
    """The state our own export gives under ``sozialforum:status`` (``meetingState`` is free text)."""
    value = o.get(f"{VENDOR}:status")
    if value is None:
        return None
    try:
        return SitzungStatus(value)
    except ValueError:
        run.leser.maengel.melde(run.leser.id(o), f"{VENDOR}:status", f"unbekannt ({str(value)[:40]!r}): ignoriert")
        return None


def _drop_item(run: Lauf, oid: str) -> None:
    row_id = run.index.find("tagesordnungspunkt", oid)
    top = run.session.get(Tagesordnungspunkt, row_id) if row_id else None
    if top is not None:
        loeschung.agenda_item(run, oid, top)
        run.session.flush()
    else:
        run.index.remember(oid, "AgendaItem", "tagesordnungspunkt", None, modified=None, geloescht=True)


def agenda(run: Lauf, sitzung: Sitzung, items: list[Eintrag], *, neu: bool = False) -> None:
    """The agenda items of one Sitzung, with their order; renumbered in two steps so that the
    unique (sitzung, reihenfolge) holds at every flush (the final numbers are distinct, and a
    flush writes the updates before the inserts)."""
    r = run.leser
    query = sa.select(Tagesordnungspunkt).where(col(Tagesordnungspunkt.sitzung_id) == sitzung.id)
    rows = {} if neu else {t.oparl_id: t for t in run.session.scalars(query)}
    mine = {r.id(e.obj) for e in items}
    for oid in mine - set(rows):  # moved here from another Sitzung: the same row moves
        row_id = run.index.find("tagesordnungspunkt", oid)
        moved = run.session.get(Tagesordnungspunkt, row_id) if row_id else None
        if moved is not None:
            run.leser.maengel.melde(oid, "meeting", f"in eine andere Sitzung verschoben ({sitzung.oparl_id})")
            moved.reihenfolge = -(moved.id or 0)
            moved.sitzung_id = pk(sitzung)
            rows[oid] = moved
    run.session.flush()
    targets = _orders(run, items, {t.reihenfolge for oid, t in rows.items() if oid not in mine})
    moving = [t for oid, t in rows.items() if oid in targets and t.reihenfolge != targets[oid]]
    for t in moving:
        t.reihenfolge = -pk(t)
    run.session.flush()
    written: list[tuple[str, Tagesordnungspunkt, str, dict[str, Any], dict[str, Any]]] = []
    for entry in items:
        oid = r.id(entry.obj)
        o = entry.obj
        values = _top_values(run, entry, pk(sitzung), targets[oid])
        row = rows.get(oid)
        if row is None:
            row = Tagesordnungspunkt(oparl_id=oid, **values)
            run.session.add(row)
            state = "neu"
        else:
            state = "geaendert" if apply(row, values) else "unveraendert"
        written.append((oid, row, state, o, values))
    run.session.flush()
    for oid, row, state, o, values in written:
        _agenda_item_done(run, oid, Eintrag(o, "AgendaItem", "1.1"), pk(row), state, values)


def _orders(run: Lauf, items: list[Eintrag], taken: set[int]) -> dict[str, int]:
    """The order of each agenda item: its own, else its position; taken numbers are skipped."""
    targets: dict[str, int] = {}
    for entry in items:
        oid = run.leser.id(entry.obj)
        order = run.leser.ganzzahl(entry.obj, "order")
        if order is None:
            order = entry.position if entry.position is not None else max(taken | {0}) + 1
            run.leser.maengel.melde(oid, "order", f"fehlt: Position {order} aus der Sitzung verwendet")
        if order in taken:
            free = max(taken) + 1
            run.leser.maengel.melde(oid, "order", f"{order} ist schon vergeben: {free} verwendet")
            order = free
        taken.add(order)
        targets[oid] = order
    return targets


def _top_values(run: Lauf, entry: Eintrag, sitzung_id: int, order: int) -> dict[str, Any]:
    o, r = entry.obj, run.leser
    name = r.text(o, "name", 500)
    if name is None:
        run.leser.maengel.melde(r.id(o), "name", "fehlt")
    return {
        "sitzung_id": sitzung_id,
        "reihenfolge": order,
        "nummer": r.text(o, "number", 20) or str(order),
        "titel": name or "(ohne Titel)",
        "oeffentlich": r.wahr(o, "public") is not False,
        "ergebnis": r.text(o, "result"),
        **quellzeiten(run, o),
    }


def _agenda_item_done(run: Lauf, oid: str, entry: Eintrag, row_id: int, state: str, values: dict[str, Any]) -> None:
    o, r = entry.obj, run.leser
    merke(run, oid, "AgendaItem", "tagesordnungspunkt", row_id, values)
    run.bericht.zaehle("AgendaItem", state)
    consultation_url = r.url(o, "consultation")
    if consultation_url:
        run.links.add((consultation_url, oid))
