"""OParl Paper and Consultation into Vorlage and Beratung; the results of agenda items become
Beratungsergebnisse and, for decisions, a Beschluss (OParl has none: a decision is the result of
the deciding consultation)."""

from __future__ import annotations

import functools
from datetime import date
from itertools import chain
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import col

from sozialforum.oparl import loeschung
from sozialforum.oparl.import_sitzungen import merke, merke_alle, quellzeiten
from sozialforum.oparl.schreiben import lies, schreibe
from sozialforum.oparl.speicher import VENDOR, apply, kennung_for
from sozialforum.oparl.stapel import Eintrag
from sozialforum.oparl.zuordnung import beratung_rolle, ergebnis_lesen, vorlage_art
from sozialforum.store.audit import _plain
from sozialforum.store.models import Beratung, Beschluss, Gremium, Sitzung, Tagesordnungspunkt, Vorlage
from sozialforum.store.models.base import table_of
from sozialforum.timeutil import BERLIN
from sozialforum.vocab import BeratungErgebnis, BeratungRolle, GremiumArt

if TYPE_CHECKING:
    from sozialforum.oparl.lauf import Lauf


DECIDED = (BeratungErgebnis.BESCHLOSSEN, BeratungErgebnis.GEAENDERT_BESCHLOSSEN)


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
    known = run.index.find_all("vorlage", [oid for oid, _, _ in pending])
    written = schreibe(run.session, table_of(Vorlage), [(oid, values) for oid, values, _ in pending], known=known)
    for oid, values, _ in pending:
        row_id, state = written[oid]
        merke(run, oid, "Paper", "vorlage", row_id, values)
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
        **quellzeiten(run, o),
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
    urls = {r.url(e.obj, "meeting") for e in entries}  # a few thousand Sitzungen for 150,000 entries
    wanted = [w for w in (run.index.find("sitzung", u) for u in urls) if w]
    if wanted:
        table = table_of(Sitzung)
        meetings = {
            k: row[2].astimezone(BERLIN).date() for k, row in lies(run.session, table, "id", wanted, ["beginn"]).items()
        }
    outcomes = _linked_outcomes(run)
    for entry in entries:
        found = _consultation(run, entry, meetings, counted)
        if found is not None:
            oid, values = found
            if oid in outcomes and oid not in run.eigene:  # as ``results`` will read it: no second write
                values["ergebnis"] = outcomes[oid]
            pending.append((oid, values, entry))
    batches: dict[tuple[str, ...], list[tuple[str, dict[str, Any]]]] = {}  # same columns, one batch
    for oid, values, _ in pending:
        batches.setdefault(tuple(values), []).append((oid, values))
    written: dict[str, tuple[int, str]] = {}
    for batch in batches.values():
        known = run.index.find_all("beratung", [oid for oid, _ in batch])
        written |= schreibe(run.session, table_of(Beratung), batch, known=known)
    merke_alle(run, "Consultation", "beratung", [(oid, values, written[oid]) for oid, values, _ in pending])
    named = run.named_agenda_items()
    run.links.update((oid, named[oid]) for oid, _, _ in pending if oid in named)


def _linked_outcomes(run: Lauf) -> dict[str, BeratungErgebnis]:
    """The result each Consultation gets from its agenda item (the last link in ``results``'
    order whose agenda item is here), read before the Beratungen are written."""
    chosen: dict[str, str] = {}  # the greatest agenda item of each consultation that is here, as sorted links end
    # unsorted and not even made unique (the greatest wins in any order; a pair seen again is
    # skipped): sorting 60,000 pairs of URLs, or a set of them, cost more
    for consultation_url, agenda_url in chain(run.links, run.named_agenda_items().items()):
        if consultation_url in chosen and chosen[consultation_url] >= agenda_url:
            continue
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
    if "deleted" in o and r.wahr(o, "deleted"):
        loeschung.consultation(run, oid)
        return None
    paper_url = r.url(o, "paper")
    if not paper_url:
        parent = run.stapel.get(entry.parent)
        paper_url = entry.parent if parent and parent.typ == "Paper" else None
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
    gremium_id = None
    for url in org_urls:
        if gremium_id := run.index.find("gremium", url):
            break
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
    rolle, kenntnis = _rolle(r.text(o, "role"))
    if rolle is not BeratungRolle.ENTSCHEIDUNG and r.wahr(o, "authoritative") and not kenntnis:
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
        "oparl_erstellt": r.zeitpunkt(o, "created"),  # as ``quellzeiten``, without a dictionary to merge
        "oparl_modified": r.zeitpunkt(o, "modified"),
    }
    eigen = _eigenes_ergebnis(run, o) if _EIGENES_ERGEBNIS in o else None
    if eigen is not None:  # our own export: result and date as they were, never derived again
        run.eigene.add(oid)
        values["ergebnis"] = eigen
        values["datum"] = r.datum(o, f"{VENDOR}:datum")
    return oid, values


@functools.lru_cache(maxsize=256)  # a handful of wordings on 150,000 Consultations
def _rolle(role: str | None) -> tuple[BeratungRolle, bool]:
    """The role a Consultation's ``role`` names, and whether it speaks of Kenntnisnahme."""
    return beratung_rolle(role), "kenntnis" in (role or "").casefold()


_EIGENES_ERGEBNIS = f"{VENDOR}:ergebnis"


def _eigenes_ergebnis(run: Lauf, o: dict[str, Any]) -> BeratungErgebnis | None:
    """The result our own export gives under ``sozialforum:ergebnis`` (value or label)."""
    value = o.get(_EIGENES_ERGEBNIS)
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
        run.session,
        table_of(Beratung),
        "id",
        [b for *_, b, _ in links],
        ["vorlage_id", "rolle", "gremium_id", "ergebnis"],
    )
    tops = lies(
        run.session,
        table_of(Tagesordnungspunkt),
        "id",
        [t for *_, t in links],
        ["ergebnis", "nummer", "titel", "sitzung_id", "vorlage_id"],
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
        if beratung.rolle == BeratungRolle.ENTSCHEIDUNG and outcome in DECIDED:  # a StrEnum: its text
            decisions.append((beratung, top, agenda_url))
        elif outcome in DECIDED and consultation_url in run.ohne_rolle and not _deciding(run, beratung.gremium_id):
            row = run.session.get(Beratung, beratung_id)
            assert row is not None
            _maybe_decision(run, row, agenda_url)
    # only what differs from the rows just read: most were written with these values already
    # (``meetings`` and ``consultations`` know them in advance), and ``schreibe`` would read them again
    top_paper = {t: v for t, v in top_paper.items() if tops[t].vorlage_id != v}
    outcomes = {b: o for b, o in outcomes.items() if _plain(beratungen[b].ergebnis) != _plain(o)}
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
