"""Commands for deadlines (``fristen``) and Beschluss tracking (``beschluesse``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import sqlalchemy as sa
import typer
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.beschluesse.feed import aktuelle_fassung, feed_url, fristen_feed
from sozialforum.beschluesse.leitungsbericht import Filter, build_leitungsbericht, write_leitungsbericht
from sozialforum.beschluesse.tabelle import export_csv, export_xlsx, import_sachstand
from sozialforum.beschluesse.verlauf import verlauf
from sozialforum.cli.common import EXIT_INPUT, EXIT_NOT_FOUND, Probelauf, console, ctx, fail
from sozialforum.fristen import erinnerungen
from sozialforum.fristen.datum import today_in_berlin
from sozialforum.fristen.konfiguration import load_meilensteine
from sozialforum.fristen.quellen import Auswahl, collect_fristen, fortschreibung_faellig
from sozialforum.fristen.wortlaut import parse_frist
from sozialforum.outbox import deliver_pending
from sozialforum.parsing import parse_date
from sozialforum.problems import ProblemReport
from sozialforum.settings import Settings
from sozialforum.store import db
from sozialforum.store.models import Beschluss, Fachplan, FachplanMeilenstein
from sozialforum.timeutil import format_anzahl, format_datum, format_datum_kurz, utcnow
from sozialforum.vocab import ErinnerungArt, FachplanArt

fristen_app = typer.Typer(help="Fristen: Übersicht, Erinnerungen, Eskalation, Kalender.", no_args_is_help=True)
beschluesse_app = typer.Typer(help="Beschlüsse nachhalten: Sachstand, Verlauf, Leitungsbericht.", no_args_is_help=True)

DatumOption = Annotated[str | None, typer.Option("--datum", help="Stichtag TT.MM.JJJJ (Standard: heute).")]


def _day(raw: str | None) -> date:
    if raw is None:
        return today_in_berlin(utcnow())
    try:
        return parse_date(raw)
    except ValueError as exc:
        fail(f"--datum „{raw}“: {exc}")


@fristen_app.command("liste")
def liste(
    typer_ctx: typer.Context,
    datum: DatumOption = None,
    tage: Annotated[int, typer.Option("--tage", help="Fällig innerhalb so vieler Tage.")] = 90,
) -> None:
    """Zeigt die offenen Fristen aller Quellen bis zu einem Horizont (Überfälliges zuerst)."""
    context = ctx(typer_ctx)
    today = _day(datum)
    with db.session_scope(context.engine, actor="cli") as session:
        found = collect_fristen(
            session,
            meilensteine=load_meilensteine(context.settings.fristen.meilensteine),
            auswahl=Auswahl(bis=date.fromordinal(today.toordinal() + tage)),
        )
    horizont = f"{format_anzahl(tage, 'Tag', 'Tage')} nach dem {format_datum(today, weekday=False)}"
    table = Table(title=f"Offene Fristen bis {horizont}", expand=True)
    table.add_column("Fällig", no_wrap=True)
    # Shares of the width: the title needs it more than the kinds (cut to two words a line before).
    table.add_column("Stand", ratio=2, overflow="fold")
    table.add_column("Art", ratio=2, overflow="fold")
    table.add_column("Frist", ratio=4)
    table.add_column("Wortlaut", ratio=2, overflow="fold")  # "Haushaltsentwurf" whole, not cut
    for frist in found:
        table.add_row(
            format_datum_kurz(frist.faellig_am),
            _abstand((frist.faellig_am - today).days),
            frist.art.label,
            frist.titel,
            frist.wortlaut or "",
        )
    console.print(table)


def _abstand(tage: int) -> str:
    """How far a deadline is, in words: ``in 9 Tagen``, ``heute``, ``seit 1 Tag überfällig``."""
    if tage == 0:
        return "heute"
    if tage > 0:
        return f"in {format_anzahl(tage, 'Tag', 'Tagen')}"
    return f"seit {format_anzahl(-tage, 'Tag', 'Tagen')} überfällig"


@fristen_app.command("pruefen")
def pruefen(
    typer_ctx: typer.Context,
    datum: DatumOption = None,
    probelauf: Probelauf = False,
    zustellen: Annotated[
        bool, typer.Option("--zustellen/--nicht-zustellen", help="Die Nachrichten gleich zustellen.")
    ] = True,
) -> None:
    """Erinnert und eskaliert, was heute fällig ist (wie der tägliche Flow; jede Erinnerung einmal)."""
    context = ctx(typer_ctx)
    now = utcnow()
    today = _day(datum)
    with db.session_scope(context.engine, actor="cli:fristen-pruefen") as session:
        if probelauf:
            _vorschau(session, today, context.settings)
            return
        result = erinnerungen.pruefe_fristen(session, today=today, now=now, settings=context.settings)
    console.print(result.summary())
    if zustellen:
        console.print(deliver_pending(context.engine, context.settings, now=now).summary())


def _vorschau(session: Session, today: date, settings: Settings) -> None:
    """What ``pruefen`` would send today, named as the planner knows each deadline: its kind and
    title (read fresh, as the sending does), not the stable reference the log keys on."""
    planned = erinnerungen.plan(session, today=today, settings=settings)
    fristen = {
        f.ref: f
        for f in collect_fristen(
            session,
            meilensteine=load_meilensteine(settings.fristen.meilensteine),
            auswahl=Auswahl.for_refs({p.frist_ref for p in planned}),
        )
    }
    table = Table(title=f"Fällig am {format_datum(today, weekday=False)}", expand=True)
    table.add_column("Fällig", no_wrap=True)
    table.add_column("Nachricht", ratio=2)  # the title needs the width more than the kinds
    table.add_column("Art", ratio=2, overflow="fold")
    table.add_column("Frist", ratio=4)
    for item in planned:
        frist = fristen.get(item.frist_ref)
        if item.art == ErinnerungArt.ESKALATION.value:
            nachricht = f"{ErinnerungArt.ESKALATION.label} ({format_anzahl(-item.stufe, 'Tag', 'Tage')} überfällig)"
        else:
            nachricht = f"{ErinnerungArt.ERINNERUNG.label} ({format_anzahl(item.stufe, 'Tag', 'Tage')} vorher)"
        table.add_row(
            format_datum_kurz(item.faellig_am),
            nachricht,
            frist.art.label if frist else "",
            frist.titel if frist else "",
        )
    eskalationen = sum(item.art == ErinnerungArt.ESKALATION.value for item in planned)
    if planned:
        console.print(table)
    console.print(
        f"Probelauf: {format_anzahl(len(planned) - eskalationen, 'Erinnerung', 'Erinnerungen')} und "
        f"{format_anzahl(eskalationen, 'Eskalation', 'Eskalationen')} fällig; nichts gespeichert, nichts gesendet."
    )


@fristen_app.command("kalender")
def kalender(
    typer_ctx: typer.Context,
    ziel: Annotated[Path | None, typer.Option("--ziel", help="Datei (Standard: berichte/fristen.ics).")] = None,
    datum: DatumOption = None,
) -> None:
    """Schreibt alle Fristen als abonnierbaren Kalender (.ics, ganztägige Termine)."""
    context = ctx(typer_ctx)
    target = ziel or context.settings.reports_dir / "fristen.ics"
    with db.session_scope(context.engine, actor="cli") as session:
        content = fristen_feed(session, today=_day(datum), now=utcnow(), settings=context.settings)
        url = feed_url(context.settings, aktuelle_fassung(session, context.settings))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    console.print(f"Fristen-Kalender: {target}")
    console.print(f"Zum Abonnieren (Portal): {url}", highlight=False)


@fristen_app.command("meilenstein")
def meilenstein(
    typer_ctx: typer.Context,
    fachplan: Annotated[str, typer.Argument(help="Kennung des Fachplans, z. B. FP-ALT.")],
    schluessel: Annotated[str, typer.Argument(help="Meilenstein, z. B. entwurf.")],
    erledigt: Annotated[str | None, typer.Option("--erledigt", help="Erledigt am TT.MM.JJJJ.")] = None,
    verschieben: Annotated[str | None, typer.Option("--verschieben", help="Neue Frist TT.MM.JJJJ.")] = None,
) -> None:
    """Trägt einen Meilenstein der laufenden Fortschreibung als erledigt ein oder verschiebt ihn."""
    context = ctx(typer_ctx)
    if erledigt is None and verschieben is None:
        fail("Bitte --erledigt oder --verschieben angeben.")
    with db.session_scope(context.engine, actor="cli:meilenstein") as session:
        plan = session.scalars(sa.select(Fachplan).where(col(Fachplan.kennung) == fachplan)).first()
        if plan is None or plan.id is None or (due := fortschreibung_faellig(plan)) is None:
            fail(f"Fachplan „{fachplan}“ nicht gefunden oder ohne Beschlussdatum/Turnus.", EXIT_NOT_FOUND)
        keys = [m.schluessel for m in load_meilensteine(context.settings.fristen.meilensteine).fuer(plan.art)]
        if schluessel not in keys:
            art = FachplanArt.label_of(plan.art)
            fail(f"Meilenstein „{schluessel}“ gibt es für {art} nicht (erlaubt: {', '.join(keys)}).")
        row = session.scalars(
            sa.select(FachplanMeilenstein).where(
                col(FachplanMeilenstein.fachplan_id) == plan.id,
                col(FachplanMeilenstein.zyklus_faellig) == due,
                col(FachplanMeilenstein.meilenstein) == schluessel,
            )
        ).first() or FachplanMeilenstein(fachplan_id=plan.id, zyklus_faellig=due, meilenstein=schluessel)
        row.erledigt_am = _day(erledigt) if erledigt else row.erledigt_am
        row.faellig_am = _day(verschieben) if verschieben else row.faellig_am
        session.add(row)
    console.print(f"{plan.name}: Meilenstein „{schluessel}“ gespeichert.")


@fristen_app.command("wortlaut")
def wortlaut(
    text: Annotated[str, typer.Argument(help="z. B. „bis Mitte 2020“.")],
    bezug: Annotated[str, typer.Option("--bezug", help="Datum des Beschlusses TT.MM.JJJJ.")],
) -> None:
    """Zeigt, welches Datum sozialforum aus einer Fristangabe liest."""
    try:
        angabe = parse_frist(text, reference=parse_date(bezug))
    except ValueError as exc:
        fail(f"--bezug „{bezug}“: {exc}")
    if angabe.faellig is None:
        fail(f"„{text}“ lässt sich nicht als Datum lesen; bitte die Frist von Hand setzen.", EXIT_INPUT)
    turnus = f", wiederkehrend alle {angabe.turnus_monate} Monate" if angabe.turnus_monate else ""
    console.print(f"„{text}“ → {format_datum(angabe.faellig)}{turnus}")


@beschluesse_app.command("export")
def export(typer_ctx: typer.Context, datei: Annotated[Path, typer.Argument(help="Ziel: .xlsx oder .csv.")]) -> None:
    """Schreibt die Sachstandstabelle aller Aufträge zum Ausfüllen durch die Ämter."""
    context = ctx(typer_ctx)
    writer = {".xlsx": export_xlsx, ".csv": export_csv}.get(datei.suffix.lower())
    if writer is None:
        fail("Bitte eine Datei mit der Endung .xlsx oder .csv angeben.")
    with db.session_scope(context.engine, actor="cli") as session:
        count = writer(session, datei, today=_day(None), bald=context.settings.fristen.bald_faellig_tage)
    console.print(f"{format_anzahl(count, 'Auftrag', 'Aufträge')} nach {datei} geschrieben.")


@beschluesse_app.command("import")
def import_(
    typer_ctx: typer.Context,
    datei: Annotated[Path, typer.Argument(help="Ausgefüllte Tabelle.")],
    probelauf: Probelauf = False,
) -> None:
    """Liest die ausgefüllte Sachstandstabelle zurück (Zuordnung über die id; alles oder nichts)."""
    context = ctx(typer_ctx)
    try:
        with db.session_scope(context.engine, actor=f"import:{datei.name}") as session:
            console.print(str(import_sachstand(session, datei, today=_day(None))))
            if probelauf:
                session.rollback()
                console.print("Probelauf: nichts gespeichert.")
    except ProblemReport as report:
        fail(str(report), EXIT_INPUT)


@beschluesse_app.command("verlauf")
def verlauf_cmd(typer_ctx: typer.Context, kennung: Annotated[str, typer.Argument(help="z. B. B-001/2024.")]) -> None:
    """Erzählt die Geschichte eines Beschlusses: Antrag, Beratungen, Aufträge, Berichte."""
    context = ctx(typer_ctx)
    with db.session_scope(context.engine, actor="cli") as session:
        beschluss_id = session.scalar(sa.select(col(Beschluss.id)).where(col(Beschluss.kennung) == kennung))
        if beschluss_id is None:
            fail(f"Beschluss „{kennung}“ nicht gefunden.", EXIT_NOT_FOUND)
        events = verlauf(session, beschluss_id, today=_day(None))
    # Date beside the event, each wrapped line under the event's first (not at the margin).
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column()
    for event in events:
        mark = " (geplant)" if event.geplant else ""
        lines = [f"{event.titel}{mark}", *([event.text] if event.text else [])]
        lines += [f"{name} – {url}" for name, url in event.dokumente]
        grid.add_row(format_datum_kurz(event.datum), Text("\n".join(lines)))
    console.print(grid, highlight=False)


@beschluesse_app.command("bericht")
def bericht(
    typer_ctx: typer.Context,
    datum: DatumOption = None,
    dezernat: Annotated[str | None, typer.Option(help="Nur dieses Dezernat.")] = None,
    amt: Annotated[str | None, typer.Option(help="Nur dieses Amt.")] = None,
    gremium: Annotated[str | None, typer.Option(help="Nur dieses Gremium (Name oder Kennung).")] = None,
) -> None:
    """Erstellt den Leitungsbericht (HTML, PDF, Markdown) mit Ampel und nächsten Fristen."""
    context = ctx(typer_ctx)
    with db.session_scope(context.engine, actor="cli") as session:
        report = build_leitungsbericht(
            session,
            today=_day(datum),
            now=utcnow(),
            settings=context.settings,
            filter=Filter(dezernat=dezernat, amt=amt, gremium=gremium),
        )
        paths = write_leitungsbericht(report, context.settings.reports_dir / "leitung")
    console.print("Leitungsbericht: " + "; ".join(a.text.split(";")[0] for a in report.zusammenfassung[:2]))
    for path in paths.values():
        console.print(f"  {path}")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.add_typer(fristen_app, name="fristen")
    app.add_typer(beschluesse_app, name="beschluesse")
