"""OParl Meeting, AgendaItem, Paper and Consultation into Sitzung, Tagesordnungspunkt, Vorlage
and Beratung; the results of agenda items become Beratungsergebnisse and, for decisions, a
Beschluss (OParl has none: a decision is the result of the deciding consultation)."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import col

from sozialforum.oparl import loeschung
from sozialforum.oparl.schreiben import lies, schreibe
from sozialforum.oparl.speicher import VENDOR, apply, kennung_for
from sozialforum.oparl.stapel import Eintrag
from sozialforum.oparl.zuordnung import beratung_rolle, ergebnis_lesen, vorlage_art
from sozialforum.store.models import Beratung, Beschluss, Gremium, Sitzung, Tagesordnungspunkt, Vorlage
from sozialforum.store.models.base import pk, table_of
from sozialforum.timeutil import BERLIN
from sozialforum.vocab import BeratungErgebnis, BeratungRolle, GremiumArt, SitzungStatus

if TYPE_CHECKING:
    from sozialforum.oparl.lauf import Lauf

DECIDED = (BeratungErgebnis.BESCHLOSSEN, BeratungErgebnis.GEAENDERT_BESCHLOSSEN)


def _place(location: object) -> tuple[str | None, str | None]:
    if not isinstance(location, dict):
        return None, None
    ort = " ".join(str(location.get(k) or "") for k in ("description", "room")).strip() or None
    street = str(location.get("streetAddress") or "").strip()
    town = " ".join(str(location.get(k) or "") for k in ("postalCode", "locality")).strip()
    return (ort[:300] if ort else None), (", ".join(p for p in (street, town) if p)[:300] or None)


def _zeiten(run: Lauf, o: dict[str, Any]) -> dict[str, Any]:
    """The source's created/modified, kept on the row (``speicher.TIMES_ON_ROW``)."""
    return {"oparl_erstellt": run.leser.zeitpunkt(o, "created"), "oparl_modified": run.leser.zeitpunkt(o, "modified")}


def _remember(run: Lauf, oid: str, typ: str, tabelle: str, row_id: int, values: dict[str, Any]) -> None:
    modified, created = values["oparl_modified"], values["oparl_erstellt"]
    run.index.remember(oid, typ, tabelle, row_id, modified=modified, created=created)


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
        _remember(run, oid, "Meeting", "sitzung", row_id, values)
        run.bericht.zaehle("Meeting", state)
        live = _live_agenda(run, oid)
        ids = [r.id(e.obj) for e in live]
        if any(i in claimed or run.index.find("tagesordnungspunkt", i) is not None for i in ids):
            later.append((row_id, live))  # items moved here: the row-by-row way, after the batch
            continue
        claimed.update(ids)
        orders = _orders(run, live, set())
        papers = papers if papers is not None else _papers_of_agenda(run)
        tops.extend(
            (i, _top_values(run, e, row_id, orders[i]) | {"vorlage_id": papers.get(i)}, e)
            for i, e in zip(ids, live, strict=True)
        )
    done = schreibe(run.session, table_of(Tagesordnungspunkt), [(i, values) for i, values, _ in tops], known={})
    for oid, values, entry in tops:
        _agenda_item_done(run, oid, entry, *done[oid], values)
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
    links = set(run.links)
    for entry in run.stapel.of_type("AgendaItem"):
        if (url := r.url(entry.obj, "consultation")) is not None:
            links.add((url, r.id(entry.obj)))
    for entry in run.stapel.of_type("Consultation"):
        if (url := r.url(entry.obj, "agendaItem")) is not None:
            links.add((r.id(entry.obj), url))
    found: dict[str, int] = {}
    for consultation_url, agenda_url in sorted(links):
        step = run.stapel.get(consultation_url)
        if step is None or step.typ != "Consultation" or r.wahr(step.obj, "deleted"):
            continue
        parent = run.stapel.get(step.parent)
        paper_url = r.url(step.obj, "paper") or (step.parent if parent and parent.typ == "Paper" else None)
        vorlage_id = run.index.find("vorlage", paper_url)
        if vorlage_id is not None:
            found[agenda_url] = vorlage_id
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
    _remember(run, oid, "Meeting", "sitzung", pk(row), values)
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
        **_zeiten(run, o),
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
        **_zeiten(run, o),
    }


def _agenda_item_done(run: Lauf, oid: str, entry: Eintrag, row_id: int, state: str, values: dict[str, Any]) -> None:
    o, r = entry.obj, run.leser
    _remember(run, oid, "AgendaItem", "tagesordnungspunkt", row_id, values)
    run.bericht.zaehle("AgendaItem", state)
    consultation_url = r.url(o, "consultation")
    if consultation_url:
        run.links.add((consultation_url, oid))


def papers(run: Lauf, entries: list[Eintrag]) -> None:
    """All Papers of the run: deletions first, then the rest written in one batch."""
    r = run.leser
    live = []
    for entry in entries:
        if r.wahr(entry.obj, "deleted"):
            loeschung.paper(run, r.id(entry.obj))
        else:
            live.append(entry)
    wanted: dict[str, str] = {}
    for entry in live:
        oid = r.id(entry.obj)
        reference = r.text(entry.obj, "reference", 60)
        if reference is None:
            run.leser.maengel.melde(oid, "reference", "fehlt: Kennung aus der id gebildet")
        wanted[oid] = reference or kennung_for(oid)
    run.session.flush()
    holders = {
        k: row[0] for k, row in lies(run.session, table_of(Vorlage), "kennung", list(wanted.values()), []).items()
    }
    assigned: dict[str, str] = {}  # Kennung → the Paper of this run that has it
    pending: list[tuple[str, dict[str, Any], Eintrag]] = []
    for entry in live:
        oid = r.id(entry.obj)
        kennung = wanted[oid]
        holder = holders.get(kennung)
        if (holder is not None and holder != run.index.find("vorlage", oid)) or assigned.get(kennung, oid) != oid:
            run.leser.maengel.melde(oid, "reference", f"„{kennung}“ ist schon vergeben: Kennung ergänzt")
            kennung = f"{kennung[:45]} ({kennung_for(oid)[-8:]})"
        assigned[kennung] = oid
        pending.append((oid, _paper_values(run, entry, kennung), entry))
    known = {oid: run.index.find("vorlage", oid) for oid, _, _ in pending}
    written = schreibe(run.session, table_of(Vorlage), [(oid, values) for oid, values, _ in pending], known=known)
    for oid, values, _ in pending:
        row_id, state = written[oid]
        _remember(run, oid, "Paper", "vorlage", row_id, values)
        run.bericht.zaehle("Paper", state)


def _paper_values(run: Lauf, entry: Eintrag, kennung: str) -> dict[str, Any]:
    o, r = entry.obj, run.leser
    oid = r.id(o)
    day = r.datum(o, "date")
    if day is None:
        run.leser.maengel.melde(oid, "date", "fehlt: Datum aus created bzw. heute")
        day = (r.zeitpunkt(o, "created") or run.now).astimezone(BERLIN).date()
    origin: list[int] = []
    for url in r.urls(o, "originatorOrganization"):
        if (org_id := run.index.find("organisation", url)) is not None:
            origin.append(org_id)
    return {
        "kennung": kennung,
        "art": vorlage_art(r.text(o, "paperType")),
        "titel": r.text(o, "name", 500) or kennung,
        "datum": day,
        "einreicher_organisation_id": origin[0] if origin else None,
        **_zeiten(run, o),
    }


def paper_links(run: Lauf, entries: list[Eintrag]) -> None:
    """``superordinatedPaper`` as our ``bezug`` (the paper this one belongs to), once all exist."""
    for entry in entries:
        row_id = run.index.find("vorlage", run.leser.id(entry.obj))
        if row_id is None:
            continue
        for url in run.leser.urls(entry.obj, "superordinatedPaper"):
            target = run.index.find("vorlage", url)
            if target is None:
                run.dangling(run.leser.id(entry.obj), "superordinatedPaper", url)
            elif target != row_id:
                apply(run.session.get(Vorlage, row_id), {"bezug_vorlage_id": target})
                break


def consultations(run: Lauf, entries: list[Eintrag]) -> None:
    """All Consultations of the run: values computed per object, written in one batch."""
    r = run.leser
    pending: list[tuple[str, dict[str, Any], Eintrag]] = []
    counted: dict[int, int] = {}  # Beratungen of a Vorlage added in this batch without a position
    meetings: dict[int, Any] = {}  # Sitzung id → its day (the date of its Beratungen)
    wanted = [run.index.find("sitzung", r.url(e.obj, "meeting")) for e in entries]
    if any(wanted):
        table = table_of(Sitzung)
        meetings = {
            k: row[2].astimezone(BERLIN).date()
            for k, row in lies(run.session, table, "id", [w for w in wanted if w], ["beginn"]).items()
        }
    outcomes = _linked_outcomes(run, entries)
    for entry in entries:
        found = _consultation(run, entry, meetings, counted)
        if found is not None:
            oid, values = found
            if oid in outcomes and oid not in run.eigene:  # as ``results`` will read it: no second write
                values["ergebnis"] = outcomes[oid]
            pending.append((oid, values, entry))
    written: dict[str, tuple[int, str]] = {}
    for columns in dict.fromkeys(tuple(values) for _, values, _ in pending):  # same columns, one batch
        batch = [(oid, values) for oid, values, _ in pending if tuple(values) == columns]
        known = {oid: run.index.find("beratung", oid) for oid, _ in batch}
        written |= schreibe(run.session, table_of(Beratung), batch, known=known)
    for oid, values, entry in pending:
        row_id, state = written[oid]
        o = entry.obj
        _remember(run, oid, "Consultation", "beratung", row_id, values)
        run.bericht.zaehle("Consultation", state)
        agenda_url = r.url(o, "agendaItem")
        if agenda_url:
            run.links.add((oid, agenda_url))


def _linked_outcomes(run: Lauf, entries: list[Eintrag]) -> dict[str, BeratungErgebnis]:
    """The result each Consultation gets from its agenda item (the last link in ``results``'
    order whose agenda item is here), read before the Beratungen are written."""
    r = run.leser
    links = set(run.links) | {
        (r.id(e.obj), url) for e in entries if (url := r.url(e.obj, "agendaItem")) and not r.wahr(e.obj, "deleted")
    }
    chosen: dict[str, str] = {}
    for consultation_url, agenda_url in sorted(links):
        if run.index.find("tagesordnungspunkt", agenda_url) is not None:
            chosen[consultation_url] = agenda_url
    ids = {run.index.find("tagesordnungspunkt", a): a for a in set(chosen.values())}
    rows = lies(run.session, table_of(Tagesordnungspunkt), "id", [i for i in ids if i is not None], ["ergebnis"])
    texts = {ids[row_id]: row[2] for row_id, row in rows.items()}
    return {c: ergebnis_lesen(texts.get(a))[0] for c, a in chosen.items() if a in texts}


def _consultation(
    run: Lauf, entry: Eintrag, meetings: dict[int, Any], counted: dict[int, int]
) -> tuple[str, dict[str, Any]] | None:
    o, r = entry.obj, run.leser
    oid = r.id(o)
    if r.wahr(o, "deleted"):
        loeschung.consultation(run, oid)
        return None
    parent = run.stapel.get(entry.parent)
    paper_url = r.url(o, "paper") or (entry.parent if parent and parent.typ == "Paper" else None)
    vorlage_id = run.index.find("vorlage", paper_url)
    if vorlage_id is None:
        run.dangling(oid, "paper", paper_url)
        run.bericht.zaehle("Consultation", "uebersprungen")
        return None
    meeting_url = r.url(o, "meeting")
    sitzung_id = run.index.find("sitzung", meeting_url)
    if meeting_url and sitzung_id is None:
        run.dangling(oid, "meeting", meeting_url)
    org_urls = r.urls(o, "organization")
    gremium_id = next((g for g in (run.index.find("gremium", u) for u in org_urls) if g), None)
    if org_urls and gremium_id is None:
        run.dangling(oid, "organization", org_urls[0])
    position = entry.position
    if position is None:
        row_id = run.index.find("beratung", oid)
        position = (
            run.session.scalar(sa.select(col(Beratung.reihenfolge)).where(col(Beratung.id) == row_id))
            if row_id
            else None
        )
        if position is None:
            position = counted.get(vorlage_id) or run.session.scalar(
                sa.select(sa.func.count()).select_from(Beratung).where(col(Beratung.vorlage_id) == vorlage_id)
            )
            counted[vorlage_id] = (position or 0) + 1
    rolle = beratung_rolle(r.text(o, "role"))
    if (
        rolle is not BeratungRolle.ENTSCHEIDUNG
        and r.wahr(o, "authoritative")
        and "kenntnis" not in (r.text(o, "role") or "").casefold()
    ):
        rolle = BeratungRolle.ENTSCHEIDUNG
    if o.get("role") in (None, "") and o.get("authoritative") is None:
        rolle = BeratungRolle.ENTSCHEIDUNG if _deciding(run, gremium_id) else BeratungRolle.VORBERATUNG
        run.ohne_rolle.add(oid)
    values: dict[str, Any] = {
        "vorlage_id": vorlage_id,
        "gremium_id": gremium_id,
        "sitzung_id": sitzung_id,
        "reihenfolge": position,
        "rolle": rolle,
        "datum": meetings.get(sitzung_id) if sitzung_id else None,
        **_zeiten(run, o),
    }
    eigen = _eigenes_ergebnis(run, o)
    if eigen is not None:  # our own export: result and date as they were, never derived again
        run.eigene.add(oid)
        values["ergebnis"] = eigen
        values["datum"] = r.datum(o, f"{VENDOR}:datum")
    return oid, values


def _eigenes_ergebnis(run: Lauf, o: dict[str, Any]) -> BeratungErgebnis | None:
    """The result our own export gives under ``sozialforum:ergebnis`` (value or label)."""
    value = o.get(f"{VENDOR}:ergebnis")
    if value is None:
        return None
    for known in BeratungErgebnis:
        if value in (known.value, known.label):
            return known
    run.leser.maengel.melde(run.leser.id(o), f"{VENDOR}:ergebnis", f"unbekannt ({str(value)[:40]!r}): ignoriert")
    return None


def _deciding(run: Lauf, gremium_id: int | None) -> bool:
    """Whether the Gremium decides: configured by name, Kurzname or OParl id, or (without a
    configuration) the Kreistag / Stadtrat / Gemeinderat."""
    if gremium_id is None:
        return False
    gremium = run.session.get(Gremium, gremium_id)
    if gremium is None:
        return False
    if run.entscheidend:
        names = {(v or "").casefold() for v in (gremium.name, gremium.kennung, gremium.oparl_id)}
        return bool(names & run.entscheidend)
    return GremiumArt(gremium.art) is GremiumArt.KREISTAG


def results(run: Lauf) -> None:
    """Link each consultation with its agenda item: the item's result is the consultation's,
    the item gets the paper, and a deciding consultation that passed becomes a Beschluss.
    Rows are read once for all links and the changes written in batches."""
    links: list[tuple[str, str, int, int]] = []
    for consultation_url, agenda_url in sorted(run.links):
        beratung_id = run.index.find("beratung", consultation_url)
        top_id = run.index.find("tagesordnungspunkt", agenda_url)
        if beratung_id is None or top_id is None:
            missing, field, target = (
                (consultation_url, "agendaItem", agenda_url)
                if top_id is None
                else (agenda_url, "consultation", consultation_url)
            )
            run.dangling(missing, field, target)
            continue
        links.append((consultation_url, agenda_url, beratung_id, top_id))
    run.session.flush()
    beratungen = lies(
        run.session, table_of(Beratung), "id", [b for *_, b, _ in links], ["vorlage_id", "rolle", "gremium_id"]
    )
    tops = lies(
        run.session,
        table_of(Tagesordnungspunkt),
        "id",
        [t for *_, t in links],
        ["ergebnis", "nummer", "titel", "sitzung_id"],
    )
    top_paper: dict[int, int] = {}
    outcomes: dict[int, BeratungErgebnis] = {}
    decisions: list[tuple[Any, Any, str]] = []
    for consultation_url, agenda_url, beratung_id, top_id in links:
        beratung, top = beratungen[beratung_id], tops[top_id]
        top_paper[top_id] = beratung.vorlage_id
        if consultation_url in run.eigene:  # our own export: its Beschlüsse are Papers of their own
            continue
        outcome, eindeutig = ergebnis_lesen(top.ergebnis)
        outcomes[beratung_id] = outcome
        if not eindeutig:
            run.klaeren(
                "ergebnis",
                agenda_url,
                f"Ergebnis „{top.ergebnis}“ (TOP {top.nummer} „{top.titel}“) nicht eindeutig lesbar: "
                "bitte das Ergebnis der Beratung festlegen.",
                "beratung",
                beratung_id,
            )
        if BeratungRolle(beratung.rolle) is BeratungRolle.ENTSCHEIDUNG and outcome in DECIDED:
            decisions.append((beratung, top, agenda_url))
        elif outcome in DECIDED and consultation_url in run.ohne_rolle and not _deciding(run, beratung.gremium_id):
            row = run.session.get(Beratung, beratung_id)
            assert row is not None
            _maybe_decision(run, row, agenda_url)
    schreibe(
        run.session, table_of(Tagesordnungspunkt), [(t, {"vorlage_id": v}) for t, v in top_paper.items()], key="id"
    )
    schreibe(run.session, table_of(Beratung), [(b, {"ergebnis": o}) for b, o in outcomes.items()], key="id")
    beschluesse(run, decisions)


def _maybe_decision(run: Lauf, beratung: Beratung, agenda_url: str) -> None:
    """A passed consultation without role, not of the deciding body: the decision if it is the
    last step and the deciding body never consulted the paper (a beschließender Ausschuss?) —
    that is for the Geschäftsstelle to say."""
    steps = list(run.session.scalars(sa.select(Beratung).where(col(Beratung.vorlage_id) == beratung.vorlage_id)))
    if any(_deciding(run, b.gremium_id) for b in steps):
        return
    if max(b.reihenfolge for b in steps) != beratung.reihenfolge:
        return
    vorlage = run.session.get(Vorlage, beratung.vorlage_id)
    run.klaeren(
        "entscheidung",
        agenda_url,
        f"Vorlage {vorlage.kennung if vorlage else beratung.vorlage_id}: letzte Beratung mit Ergebnis "
        "„beschlossen“, aber ohne Rolle und nicht im entscheidenden Gremium – ist das der Beschluss?",
        "beratung",
        beratung.id,
    )


def beschluesse(run: Lauf, decisions: list[tuple[Any, Any, str]]) -> None:
    """One Beschluss per passed deciding consultation (its agenda item is the key), in a batch."""
    if not decisions:
        return
    vorlagen = lies(run.session, table_of(Vorlage), "id", [b.vorlage_id for b, _, _ in decisions], ["kennung", "titel"])
    sitzungen = lies(
        run.session, table_of(Sitzung), "id", [t.sitzung_id for _, t, _ in decisions], ["gremium_id", "beginn"]
    )
    table = table_of(Beschluss)
    known = lies(
        run.session,
        table,
        "id",
        [i for _, _, u in decisions if (i := run.index.find("beschluss", f"{u}#beschluss"))],
        [],
    )
    changed: list[tuple[Any, dict[str, Any]]] = []
    created: list[tuple[str, dict[str, Any]]] = []
    keys: dict[str, tuple[str, Any]] = {}  # agenda item key → (how to find the row, its key there)
    days: dict[int, date] = {}  # Sitzung id → its day
    for beratung, top, agenda_url in decisions:
        vorlage, sitzung = vorlagen[beratung.vorlage_id], sitzungen[top.sitzung_id]
        key = f"{agenda_url}#beschluss"
        day = days.get(top.sitzung_id) or days.setdefault(top.sitzung_id, sitzung.beginn.astimezone(BERLIN).date())
        values: dict[str, Any] = {
            "vorlage_id": vorlage.row_id,
            "gremium_id": sitzung.gremium_id,
            "datum": day,
            "titel": vorlage.titel[:500],
            "fassung": (top.ergebnis or "")[:300] or None,
        }
        row_id = run.index.find("beschluss", key)
        if row_id in known:
            changed.append((row_id, values))
            keys[key] = ("id", row_id)
        else:
            created.append((key, {"kennung": f"{vorlage.kennung[:44]}/{day.isoformat()}", **values}))
    taken = set(lies(run.session, table, "kennung", [v["kennung"] for _, v in created], []))
    for key, values in created:
        if values["kennung"] in taken:
            values["kennung"] = kennung_for(key, "oparl-beschluss")
        taken.add(values["kennung"])
        keys[key] = ("kennung", values["kennung"])
    written = {("id", k): v for k, v in schreibe(run.session, table, changed, key="id").items()}
    new = [(values.pop("kennung"), values) for _, values in created]
    written |= {("kennung", k): v for k, v in schreibe(run.session, table, new, key="kennung", known={}).items()}
    for key, found in keys.items():
        row_id, state = written[found]
        run.index.remember(key, "Beschluss", "beschluss", row_id, modified=None)
        run.bericht.zaehle("Beschluss", state)
