"""``sozialforum daten lieferungen|zurueckziehen|ersetzen|freigabe``: the loaded deliveries, withdrawing
or replacing one, and releasing a Gemeinde's data to a person."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table as RichTable
from sqlmodel import Session, col

from sozialforum.cli.common import EXIT_NOT_FOUND, console, ctx, fail
from sozialforum.cli.daten import _katalog, _stichtag, daten_app
from sozialforum.problems import ProblemReport
from sozialforum.store import db
from sozialforum.timeutil import format_datum_kurz, format_zahl, utcnow


@daten_app.command("lieferungen")
def lieferungen(typer_ctx: typer.Context) -> None:
    """Zeigt die geladenen Dateien mit Herkunft (Prüfsumme, Datenstand, Herausgeber, Lizenz)."""
    import sqlalchemy as sa

    from sozialforum.store.models import Datenlieferung

    with Session(ctx(typer_ctx).engine) as session:
        rows = session.scalars(sa.select(Datenlieferung).order_by(col(Datenlieferung.id))).all()
    table = RichTable(title=f"Datenlieferungen ({len(rows)})")
    # Nine columns cut every name off at 100 columns: the provenance goes under the file's name.
    table.add_column("Nr.", justify="right")
    table.add_column("Datei und Herkunft")
    table.add_column("Datenstand", no_wrap=True)
    table.add_column("Werte", justify="right")
    table.add_column("Stand")
    for r in rows:
        status = "gültig"
        if r.zurueckgezogen_am is not None:
            status = f"zurückgezogen {format_datum_kurz(r.zurueckgezogen_am.date())}: {r.zurueckgezogen_grund}"
            status += f" (ersetzt durch {r.ersetzt_durch})" if r.ersetzt_durch else ""
        herkunft = [
            f"[bold]{escape(r.datei)}[/]",
            *(
                f"{name}: {escape(text)}"
                for name, text in (("Herausgeber", r.herausgeber), ("Lizenz", r.lizenz))
                if text
            ),
            f"Quelle {escape(r.quelle or '–')}, SHA-256 {(r.zurueckgezogen_pruefsumme or r.pruefsumme)[:12]}…",
        ]
        table.add_row(
            str(r.id),
            "\n".join(herkunft),
            format_datum_kurz(r.datenstand) if r.datenstand else "",
            format_zahl(r.werte),
            status,
        )
    console.print(table)


Grund = Annotated[str, typer.Option("--grund", help="Warum (steht im Protokoll der Lieferung).")]


def _rueckzug(
    typer_ctx: typer.Context,
    lieferung: str,
    grund: str,
    ersatz: Path | None,
    stichtag: str | None,
    unbekannte_ignorieren: bool,
    befehl: str,
) -> None:
    from sozialforum.daten.aktualisierung import zurueckziehen as service

    context = ctx(typer_ctx)
    try:
        rueckzug, geladen, berechnung = service(
            context.engine,
            _katalog(typer_ctx),
            context.settings,
            lieferung,
            grund=grund,
            now=utcnow(),
            akteur=f"cli:daten {befehl}",
            ersatz=ersatz,
            stichtag=_stichtag(stichtag),
            unbekannte_ignorieren=unbekannte_ignorieren,
        )
    except LookupError as exc:
        fail(str(exc), EXIT_NOT_FOUND)
    except ProblemReport as report:
        fail(str(report))
    console.print(f"✔ {rueckzug}", highlight=False)
    if geladen is not None:
        console.print(f"✔ {geladen} Ersetzt Lieferung {rueckzug.lieferung_id}.", highlight=False)
    console.print(f"Neu berechnet (Berechnung {berechnung.berechnung_id}).", highlight=False)


@daten_app.command("zurueckziehen")
def zurueckziehen(
    typer_ctx: typer.Context,
    lieferung: Annotated[str, typer.Argument(help="Nummer der Lieferung (siehe „lieferungen“) oder Dateiname.")],
    grund: Grund,
) -> None:
    """Zieht eine Lieferung zurück: ihre Werte werden entfernt, die Ergebnisse neu berechnet.
    Danach kann dieselbe Datei erneut geladen werden (z. B. mit richtigem Stichtag)."""
    _rueckzug(typer_ctx, lieferung, grund, None, None, False, "zurueckziehen")


@daten_app.command("ersetzen")
def ersetzen(
    typer_ctx: typer.Context,
    lieferung: Annotated[str, typer.Argument(help="Nummer der Lieferung oder Dateiname.")],
    datei: Annotated[Path, typer.Argument(help="Die berichtigte Datei.")],
    grund: Grund,
    stichtag: Annotated[str | None, typer.Option("--stichtag", help="Stichtag, falls die Datei keinen nennt.")] = None,
    unbekannte_ignorieren: Annotated[
        bool, typer.Option("--unbekannte-ignorieren", help="Zeilen mit fremden Gebietsschlüsseln überspringen.")
    ] = False,
) -> None:
    """Ersetzt eine Lieferung durch eine berichtigte Datei (ganz oder gar nicht) und berechnet neu."""
    _rueckzug(typer_ctx, lieferung, grund, datei, stichtag, unbekannte_ignorieren, "ersetzen")


@daten_app.command("freigabe")
def freigabe(
    typer_ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Kennung der Person (z. B. Ansprechperson der Kommune).")],
    gemeinde: Annotated[str, typer.Argument(help="Schlüssel (AGS) der Gemeinde.")],
    entziehen: Annotated[bool, typer.Option("--entziehen", help="Freigabe zurücknehmen.")] = False,
) -> None:
    """Gibt einer Person die ungeschützten Daten einer Gemeinde frei (oder entzieht sie)."""
    from sozialforum.daten import freigabe as service

    context = ctx(typer_ctx)
    try:
        with db.session_scope(context.engine, actor="cli:daten freigabe") as session:
            if entziehen:
                changed = service.entziehe(session, person=person, gemeinde=gemeinde)
            else:
                changed = service.erteile(session, person=person, gemeinde=gemeinde, am=utcnow().date())
    except service.FreigabeFehler as exc:
        fail(str(exc), EXIT_NOT_FOUND)
    action = "entzogen" if entziehen else "erteilt"
    console.print(f"Freigabe {action}." if changed else "Nichts geändert.")
