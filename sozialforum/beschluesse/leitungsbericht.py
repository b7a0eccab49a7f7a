"""The leadership report, in the order a Dezernentin reads it: a one-page summary in which every
count says what it counts ("3 Beschlüsse mit überfälliger Umsetzung", never a bare "überfällig (3)"),
then the Beschlüsse with their Aufträge and deadlines, then the Fachpläne with the steps of their
Fortschreibung and the reviews of their Maßnahmen, then Aufträge from Sitzungen without a
Beschluss, then the strategy's Kennzahlen and the funding. Deadlines appear under what they belong
to, by name (never an internal key); Ämter are the organisations of the Organisation table (see
``aemter``), so one Amt is one filter value. Filterable by Dezernat, Amt and Gremium; rendered as
HTML (to read), PDF (to print and file) and Markdown (the Prefect artifact) from one model."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
import sqlmodel
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.beschluesse.aemter import Aemter
from sozialforum.beschluesse.leitungsbericht_modell import (
    AMPEL_REIHENFOLGE,
    FachplanStand,
    Filter,
    FristZeile,
    Gruppe,
    Leitungsbericht,
)
from sozialforum.beschluesse.stand import BeschlussStand, ampel_frist, beschluss_staende, worst
from sozialforum.channels.pdf import html_to_pdf
from sozialforum.channels.rendering import render, render_text
from sozialforum.fristen.empfaenger import EmpfaengerVerzeichnis
from sozialforum.fristen.konfiguration import load_meilensteine
from sozialforum.fristen.quellen import Auswahl, Frist, collect_fristen
from sozialforum.settings import Settings
from sozialforum.store.models import (
    Auftrag,
    Fachplan,
    Gremium,
    Massnahme,
    OparlDatei,
    Sitzung,
    Strategie,
    Umsetzungsbericht,
)
from sozialforum.store.models.base import pk
from sozialforum.strategie.berichte import kennzahlen
from sozialforum.strategie.foerderberichte import foerderstand
from sozialforum.timeutil import format_datum, format_datum_kurz
from sozialforum.vocab import Ampel, AuftragStatus, FristArt, MassnahmeStatus


def gremium_keys(session: Session) -> dict[int, set[str]]:
    return {pk(g): {g.name, g.kennung} for g in session.scalars(sa.select(Gremium))}


def _massnahmen_stand(session: Session) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    query = (
        sa.select(col(Massnahme.fachplan_id), col(Massnahme.status), sa.func.count())
        .where(col(Massnahme.fachplan_id).is_not(None))
        .group_by(col(Massnahme.fachplan_id), col(Massnahme.status))
    )
    for plan_id, status, n in session.execute(query):
        counts[plan_id][MassnahmeStatus(status).label] = n
    return counts


def _fachplan_staende(
    fristen: list[Frist],
    rows: dict[str, FristZeile],
    session: Session,
    today: date,
    bald: int,
    keep: Filter,
    aemter: Aemter,
) -> list[FachplanStand]:
    gremien = gremium_keys(session)
    plans = {p.id: p for p in session.scalars(sa.select(Fachplan).order_by(Fachplan.kennung))}
    measures = _massnahmen_stand(session)
    result = []
    for plan_id, plan in plans.items():
        own = [
            f for f in fristen if f.fachplan_id == plan_id and f.art in (FristArt.FORTSCHREIBUNG, FristArt.MEILENSTEIN)
        ]
        main = next((f for f in own if f.art is FristArt.FORTSCHREIBUNG), None)
        if main is None or not keep.passt(
            main.dezernat, main.amt, gremien.get(main.gremium_id or -1, set()), aemter, main.organisation_id
        ):
            continue
        steps = sorted((f for f in own if f.art is FristArt.MEILENSTEIN), key=lambda f: f.faellig_am)
        open_items = [f for f in [*steps, main] if not f.erledigt]
        reviews = [z for z in rows.values() if z.frist.art is FristArt.MASSNAHME and z.frist.fachplan_id == plan_id]
        steps_light = worst([ampel_frist(f, today, bald) for f in open_items])
        result.append(
            FachplanStand(
                plan,
                aemter.name(main.amt, main.organisation_id),
                main,
                steps,
                worst([steps_light] + [z.ampel for z in reviews]),
                min(open_items, key=lambda f: f.faellig_am, default=None),
                ampel_frist(main, today, bald),
                steps_light,
                Gruppe("Überprüfungen der Maßnahmen", reviews) if reviews else None,
                dict(sorted(measures.get(plan_id or -1, {}).items())),
            )
        )
    result.sort(key=lambda f: (AMPEL_REIHENFOLGE.index(f.ampel), f.fortschreibung.faellig_am))
    return result


def _dokumente(session: Session, staende: list[BeschlussStand]) -> dict[int, list[tuple[str, str]]]:
    """The OParl File references of each Beschluss and of its Vorlage, in one query."""
    by_paper = {s.beschluss.vorlage_id: s.beschluss.id for s in staende if s.beschluss.vorlage_id}
    ids = {s.beschluss.id for s in staende}
    found: dict[int, list[tuple[str, str]]] = {}
    rows = session.scalars(
        sa.select(OparlDatei)
        .where(sa.or_(col(OparlDatei.beschluss_id).in_(ids), col(OparlDatei.vorlage_id).in_(list(by_paper))))
        .order_by(col(OparlDatei.art), col(OparlDatei.id))
    )
    for datei in rows:
        paper = by_paper.get(datei.vorlage_id) if datei.vorlage_id is not None else None
        owner = datei.beschluss_id if datei.beschluss_id in ids else paper
        if owner is not None:
            found.setdefault(owner, []).append((f"{datei.art.capitalize()}: {datei.name}", datei.url))
    return found


def _sitzungen(session: Session, auftrag_ids: list[int]) -> dict[int, str]:
    """Auftrag id → the Sitzung it was given in, by name ("Jugendhilfeausschuss, Sitzung
    „…“ am 12.03.2026")."""
    if not auftrag_ids:
        return {}
    query = (
        sa.select(col(Auftrag.id), col(Sitzung.titel), col(Sitzung.beginn), col(Gremium.name))
        .join(Sitzung, col(Sitzung.id) == col(Auftrag.sitzung_id))
        .outerjoin(Gremium, col(Gremium.id) == col(Sitzung.gremium_id))
        .where(col(Auftrag.id).in_(auftrag_ids))
    )
    names = {}
    for auftrag_id, titel, beginn, gremium in session.execute(query):
        day = format_datum_kurz(beginn.date())
        names[auftrag_id] = f"{gremium}: {titel} am {day}" if gremium and gremium not in titel else f"{titel} am {day}"
    return names


_OHNE_SITZUNG = {
    FristArt.FOERDERUNG: "Verwendungsnachweise von Förderungen",
    FristArt.BEWERTUNG: "Folgeaufträge aus Projektbewertungen",
    FristArt.BERICHTSPFLICHT: "Berichtspflichten",
}


def _weitere(session: Session, rows: list[FristZeile], beschluss_ids: set[int], plan_ids: set[int]) -> list[Gruppe]:
    """Open deadlines under neither a listed Beschluss nor a listed Fachplan, grouped by origin."""
    rest = [
        z
        for z in rows
        if not (z.frist.beschluss_id in beschluss_ids and z.frist.ref.startswith("auftrag:"))
        and z.frist.fachplan_id not in plan_ids
    ]
    auftrag_ids = [int(z.frist.ref.split(":")[1]) for z in rest if z.frist.ref.startswith("auftrag:")]
    sitzungen = _sitzungen(session, auftrag_ids)
    groups: dict[str, list[FristZeile]] = defaultdict(list)
    for z in rest:
        if z.frist.ref.startswith("auftrag:"):
            name = sitzungen.get(int(z.frist.ref.split(":")[1]))
            if name is not None:
                title = f"Aufträge aus der Sitzung {name}"
            elif z.frist.beschluss_id is not None and z.frist.kontext:
                title = f"Aufträge aus {z.frist.kontext}"
            else:
                title = _OHNE_SITZUNG.get(z.frist.art, "Aufträge ohne Beschluss und ohne Sitzung")
        elif z.frist.art is FristArt.MASSNAHME:
            where = f" ({z.frist.kontext})" if z.frist.kontext else " ohne Fachplan"
            title = f"Überprüfungen von Maßnahmen{where}"
        else:
            title = z.frist.kontext or z.frist.art.label
        groups[title].append(z)
    result = [Gruppe(title, sorted(items, key=lambda z: z.frist.faellig_am)) for title, items in groups.items()]
    result.sort(key=lambda g: (AMPEL_REIHENFOLGE.index(g.ampel), g.fristen[0].frist.faellig_am))
    return result


def build_leitungsbericht(
    session: sqlmodel.Session, *, today: date, now: datetime, settings: Settings, filter: Filter | None = None
) -> Leitungsbericht:
    keep = filter or Filter()
    bald = settings.fristen.bald_faellig_tage
    report = Leitungsbericht(settings.kommune, today, now, keep, bald)
    gremien = gremium_keys(session)
    aemter = Aemter(session, settings.kommune)
    staende = [
        stand
        for stand in beschluss_staende(session, today=today, bald=bald)
        if keep.passt(
            stand.beschluss.dezernat,
            stand.beschluss.amt,
            gremien.get(stand.beschluss.gremium_id or -1, set()),
            aemter,
        )
    ]
    # overdue first, then the ones due soon; within a light the newest Beschluss first
    report.beschluesse = sorted(staende, key=lambda s: AMPEL_REIHENFOLGE.index(s.ampel))
    report.aemter = {
        s.beschluss.id: name for s in staende if (name := aemter.name(s.beschluss.amt)) is not None and s.beschluss.id
    }
    ids = [s.beschluss.id for s in report.beschluesse]
    for bericht in session.scalars(
        sa.select(Umsetzungsbericht)
        .where(col(Umsetzungsbericht.beschluss_id).in_(ids))
        .order_by(col(Umsetzungsbericht.datum))
    ):
        if bericht.beschluss_id is not None:  # always, by the query; for the type
            report.letzte_berichte[bericht.beschluss_id] = bericht  # the latest wins
    report.dokumente = _dokumente(session, report.beschluesse)
    meilensteine = load_meilensteine(settings.fristen.meilensteine)
    fristen = collect_fristen(session, meilensteine=meilensteine, auswahl=Auswahl(nur_offen=False))
    open_items = [
        f
        for f in fristen
        if not f.erledigt
        and keep.passt(f.dezernat, f.amt, gremien.get(f.gremium_id or -1, set()), aemter, f.organisation_id)
    ]
    people = EmpfaengerVerzeichnis(session, open_items, settings)
    rows = [FristZeile(f, ampel_frist(f, today, bald), people.zustaendig(f)) for f in open_items]
    report.fachplaene = _fachplan_staende(fristen, {z.frist.ref: z for z in rows}, session, today, bald, keep, aemter)
    report.weitere = _weitere(
        session,
        rows,
        {i for i in ids if i is not None},
        {f.plan.id for f in report.fachplaene if f.plan.id is not None},
    )
    report.ueberfaellig = [r for r in rows if r.ampel is Ampel.UEBERFAELLIG]
    report.naechste = [r for r in rows if r.ampel is not Ampel.UEBERFAELLIG]
    strategie = session.scalars(sa.select(Strategie).order_by(col(Strategie.id).desc())).first()
    if strategie is not None:
        report.kennzahlen = kennzahlen(session, strategie, today.year)
    report.foerderung = foerderstand(session, today.year)
    return report


def _context(report: Leitungsbericht) -> dict[str, object]:
    return {"b": report, "Ampel": Ampel, "AuftragStatus": AuftragStatus, "stichtag": format_datum(report.stichtag)}


def render_html(report: Leitungsbericht) -> str:
    return render("reports/leitung/bericht.html", **_context(report))


def render_markdown(report: Leitungsbericht) -> str:
    return render_text("reports/leitung/bericht.md", **_context(report))


def render_pdf(report: Leitungsbericht) -> bytes:
    html = render("reports/leitung/bericht_pdf.html", **_context(report))
    return html_to_pdf(
        html,
        title=report.titel,
        footer=f"{report.kommune} · Stand {format_datum(report.stichtag, weekday=False)}",
        erstellt=report.erstellt,
    )


def write_leitungsbericht(report: Leitungsbericht, directory: Path) -> dict[str, Path]:
    """Write HTML, PDF and Markdown; the names carry the date and the filter, so a weekly run
    keeps the history and a rerun on the same day replaces its own files (atomically)."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"leitungsbericht-{report.stichtag.isoformat()}-{report.filter.slug}"
    outputs = {
        "html": render_html(report).encode("utf-8"),
        "pdf": render_pdf(report),
        "md": render_markdown(report).encode("utf-8"),
    }
    paths = {}
    for suffix, content in outputs.items():
        target = directory / f"{stem}.{suffix}"
        temporary = target.with_suffix(f".{suffix}.tmp")
        temporary.write_bytes(content)
        temporary.replace(target)
        paths[suffix] = target
    return paths
