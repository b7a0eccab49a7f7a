"""The leadership report: every Beschluss and Fachplan with a traffic light, the overdue items
and the next deadlines, filterable by Dezernat, Amt and Gremium. Rendered as HTML (to read),
PDF (to print and file) and Markdown (the Prefect artifact)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
import sqlmodel
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.beschluesse.stand import BeschlussStand, ampel_frist, beschluss_staende, worst
from sozialforum.channels.pdf import html_to_pdf
from sozialforum.channels.rendering import render, render_text
from sozialforum.fristen.empfaenger import EmpfaengerVerzeichnis
from sozialforum.fristen.konfiguration import load_meilensteine
from sozialforum.fristen.quellen import Auswahl, Frist, collect_fristen
from sozialforum.settings import Settings
from sozialforum.store.models import Fachplan, Gremium, OparlDatei, Strategie, Umsetzungsbericht
from sozialforum.store.models.base import pk
from sozialforum.strategie.berichte import Foerderstand, Kennzahlzeile, foerderstand, kennzahlen
from sozialforum.timeutil import format_datum
from sozialforum.vocab import Ampel, FristArt

NAECHSTE = 15  # how many upcoming deadlines the report lists


@dataclass(frozen=True)
class Filter:
    """Restrict the report; each criterion compares case-insensitively, None means all."""

    dezernat: str | None = None
    amt: str | None = None
    gremium: str | None = None  # name or kennung

    def passt(self, dezernat: str | None, amt: str | None, gremium: set[str]) -> bool:
        def same(wanted: str | None, value: str | None) -> bool:
            return wanted is None or (value or "").casefold() == wanted.casefold()

        wanted_gremium = self.gremium.casefold() if self.gremium else None
        return (
            same(self.dezernat, dezernat)
            and same(self.amt, amt)
            and (wanted_gremium is None or wanted_gremium in {g.casefold() for g in gremium})
        )

    @property
    def beschreibung(self) -> str:
        parts = [
            f"{label} „{value}“"
            for label, value in (("Dezernat", self.dezernat), ("Amt", self.amt), ("Gremium", self.gremium))
            if value
        ]
        return ", ".join(parts) or "alle Dezernate, Ämter und Gremien"

    @property
    def slug(self) -> str:
        values = [v for v in (self.dezernat, self.amt, self.gremium) if v]
        text = "-".join(values).lower()
        return "".join(c if c.isalnum() else "-" for c in text).strip("-")[:60] or "alle"


@dataclass
class FachplanStand:
    plan: Fachplan
    amt: str | None
    fortschreibung: Frist
    meilensteine: list[Frist]
    ampel: Ampel
    naechster: Frist | None  # the next open milestone or the Fortschreibung itself


@dataclass(frozen=True)
class FristZeile:
    frist: Frist
    ampel: Ampel
    zustaendig: str


@dataclass
class Leitungsbericht:
    kommune: str
    stichtag: date
    erstellt: datetime
    filter: Filter
    bald_tage: int
    beschluesse: list[BeschlussStand] = field(default_factory=list)
    letzte_berichte: dict[int, Umsetzungsbericht] = field(default_factory=dict)
    # (name, URL) of the council system's documents per Beschluss (OParl Files: Beschlusstext, Vorlage)
    dokumente: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    fachplaene: list[FachplanStand] = field(default_factory=list)
    ueberfaellig: list[FristZeile] = field(default_factory=list)
    naechste: list[FristZeile] = field(default_factory=list)
    # The strategy's Kennzahlen and the funding of the year, when a Sozialstrategie is stored.
    kennzahlen: list[Kennzahlzeile] = field(default_factory=list)
    foerderung: Foerderstand | None = None

    @property
    def zaehler(self) -> dict[Ampel, int]:
        lights = [b.ampel for b in self.beschluesse] + [f.ampel for f in self.fachplaene]
        return {light: lights.count(light) for light in Ampel}

    @property
    def titel(self) -> str:
        return f"Leitungsbericht Beschlüsse und Fristen – {self.kommune}"


def gremium_keys(session: Session) -> dict[int, set[str]]:
    return {pk(g): {g.name, g.kennung} for g in session.scalars(sa.select(Gremium))}


def _fachplan_staende(
    fristen: list[Frist], session: Session, today: date, bald: int, keep: Filter
) -> list[FachplanStand]:
    gremien = gremium_keys(session)
    plans = {p.id: p for p in session.scalars(sa.select(Fachplan).order_by(Fachplan.kennung))}
    result = []
    for plan_id, plan in plans.items():
        own = [
            f for f in fristen if f.fachplan_id == plan_id and f.art in (FristArt.FORTSCHREIBUNG, FristArt.MEILENSTEIN)
        ]
        main = next((f for f in own if f.art is FristArt.FORTSCHREIBUNG), None)
        if main is None or not keep.passt(main.dezernat, main.amt, gremien.get(main.gremium_id or -1, set())):
            continue
        steps = sorted((f for f in own if f.art is FristArt.MEILENSTEIN), key=lambda f: f.faellig_am)
        open_items = [f for f in [*steps, main] if not f.erledigt]
        result.append(
            FachplanStand(
                plan,
                main.amt,
                main,
                steps,
                worst([ampel_frist(f, today, bald) for f in open_items]),
                min(open_items, key=lambda f: f.faellig_am, default=None),
            )
        )
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


def build_leitungsbericht(
    session: sqlmodel.Session, *, today: date, now: datetime, settings: Settings, filter: Filter | None = None
) -> Leitungsbericht:
    keep = filter or Filter()
    bald = settings.fristen.bald_faellig_tage
    report = Leitungsbericht(settings.kommune, today, now, keep, bald)
    gremien = gremium_keys(session)
    report.beschluesse = [
        stand
        for stand in beschluss_staende(session, today=today, bald=bald)
        if keep.passt(
            stand.beschluss.dezernat, stand.beschluss.amt, gremien.get(stand.beschluss.gremium_id or -1, set())
        )
    ]
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
    report.fachplaene = _fachplan_staende(fristen, session, today, bald, keep)
    open_items = [
        f for f in fristen if not f.erledigt and keep.passt(f.dezernat, f.amt, gremien.get(f.gremium_id or -1, set()))
    ]
    people = EmpfaengerVerzeichnis(session, open_items, settings)
    rows = [FristZeile(f, ampel_frist(f, today, bald), people.zustaendig(f)) for f in open_items]
    report.ueberfaellig = [r for r in rows if r.ampel is Ampel.UEBERFAELLIG]
    report.naechste = [r for r in rows if r.ampel is not Ampel.UEBERFAELLIG][:NAECHSTE]
    strategie = session.scalars(sa.select(Strategie).order_by(col(Strategie.id).desc())).first()
    if strategie is not None:
        report.kennzahlen = kennzahlen(session, strategie, today.year)
    report.foerderung = foerderstand(session, today.year)
    return report


def _context(report: Leitungsbericht) -> dict[str, object]:
    return {"b": report, "Ampel": Ampel, "stichtag": format_datum(report.stichtag)}


def render_html(report: Leitungsbericht) -> str:
    return render("reports/leitung/bericht.html", **_context(report))


def render_markdown(report: Leitungsbericht) -> str:
    return render_text("reports/leitung/bericht.md", **_context(report))


def render_pdf(report: Leitungsbericht) -> bytes:
    html = render("reports/leitung/bericht_pdf.html", **_context(report))
    return html_to_pdf(
        html, title=report.titel, footer=f"{report.kommune} · Stand {format_datum(report.stichtag, weekday=False)}"
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
