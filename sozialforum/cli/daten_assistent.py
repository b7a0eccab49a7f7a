"""``sozialforum daten assistent|zuordnungen``: the table assistant for files that are neither GENESIS
nor BA (preview, corrections, confirmation), and the saved readings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable
from sqlmodel import Session, col

from sozialforum.cli.common import EXIT_INPUT, console, ctx, fail
from sozialforum.cli.daten import _katalog, _stichtag, daten_app
from sozialforum.problems import ProblemReport
from sozialforum.stammdaten.akteur import akteur_namen
from sozialforum.timeutil import format_datum_kurz, format_zahl, utcnow


def _paare(werte: list[str], option: str) -> dict[str, str]:
    pairs = {}
    for text in werte:
        left, sep, right = text.rpartition("=")
        if not sep or not left.strip() or not right.strip():
            fail(f"{option}: „{text}“ – erwartet „Spaltenkopf=Wert“.")
        pairs[left.strip()] = right.strip()
    return pairs


@daten_app.command("assistent")
def assistent(
    typer_ctx: typer.Context,
    datei: Annotated[Path, typer.Argument(help="Eine Tabelle (CSV oder XLSX), die weder GENESIS noch BA ist.")],
    name: Annotated[str | None, typer.Option("--name", help="Name der Zuordnung (Herausgeber und Tabelle).")] = None,
    bestaetigen: Annotated[
        bool, typer.Option("--bestaetigen", help="Lesart speichern und die Datei laden (sonst nur Vorschau).")
    ] = False,
    kopfzeilen: Annotated[int | None, typer.Option("--kopfzeilen", min=0, max=5, help="Anzahl der Kopfzeilen.")] = None,
    schluessel_spalte: Annotated[
        str | None, typer.Option("--schluessel-spalte", help="Spalte mit Schlüssel oder Namen.")
    ] = None,
    namen_spalte: Annotated[str | None, typer.Option("--namen-spalte", help="Spalte mit Namen neben Nummern.")] = None,
    stichtag_spalte: Annotated[str | None, typer.Option("--stichtag-spalte", help="Spalte mit dem Stichtag.")] = None,
    spalte: Annotated[
        list[str] | None, typer.Option("--spalte", help="„Spaltenkopf=Merkmal“, z. B. „Einwohner=bev“ (mehrfach).")
    ] = None,
    ohne: Annotated[list[str] | None, typer.Option("--ohne", help="Spalte nicht übernehmen (mehrfach).")] = None,
    prozent: Annotated[list[str] | None, typer.Option("--prozent", help="Spalte enthält Prozentangaben.")] = None,
    gebiet: Annotated[
        list[str] | None, typer.Option("--gebiet", help="„Text=Gebietsschlüssel“ für Namen, die nicht passen.")
    ] = None,
    herausgeber: Annotated[str | None, typer.Option("--herausgeber", help="Herausgeber der Tabelle.")] = None,
    stichtag: Annotated[str | None, typer.Option("--stichtag", help="Stichtag, falls die Datei keinen nennt.")] = None,
    unbekannte_ignorieren: Annotated[
        bool, typer.Option("--unbekannte-ignorieren", help="Zeilen mit fremden Gebietsschlüsseln überspringen.")
    ] = False,
) -> None:
    """Tabellenassistent: schlägt vor, wie eine Tabelle zu lesen ist (Kopfzeilen, Schlüssel,
    Stichtag, Spalten → Merkmale) und zeigt die ersten Zeilen so, wie sie gespeichert würden.
    Mit Korrekturen und --bestaetigen --name wird die Lesart gespeichert und die Datei geladen;
    die nächste Lieferung mit derselben Kopfzeile wird dann ohne Rückfrage gelesen."""
    from sozialforum.daten.assistent_vorschau import Korrektur, bestaetige, vorschau
    from sozialforum.store.db import session_scope

    context = ctx(typer_ctx)
    katalog, day = _katalog(typer_ctx), _stichtag(stichtag)
    korrektur = Korrektur(
        kopfzeilen=kopfzeilen,
        schluessel=schluessel_spalte,
        name=namen_spalte,
        stichtag_spalte=stichtag_spalte,
        spalten=_paare(spalte or [], "--spalte"),
        ohne=ohne or [],
        prozent=prozent or [],
        aliase=_paare(gebiet or [], "--gebiet"),
        herausgeber=herausgeber,
    )
    try:
        with session_scope(context.engine, actor="cli:daten assistent") as session:
            shown = vorschau(session, datei, katalog, korrektur, stichtag=day)
            session.rollback()
    except ProblemReport as report:
        fail(str(report))
    for line in shown.beschreibung:
        console.print(line, highlight=False, markup=False)
    if shown.zeilen:
        erste = "die erste Zeile" if len(shown.zeilen) == 1 else f"die ersten {format_zahl(len(shown.zeilen))} Zeilen"
        table = RichTable(title=f"Vorschau: {erste}, wie sie gespeichert würden")
        for column in shown.kopf:
            table.add_column(column, overflow="fold")
        for row in shown.zeilen:
            table.add_row(*row)
        console.print(table)
    for problem in shown.probleme:
        console.print(f"[red]✘[/] {problem}", highlight=False)
    if not bestaetigen:
        hint = f"--name „{shown.name or '…'}“ " if not name else ""
        console.print(
            f"Nichts gespeichert. Zum Bestätigen denselben Aufruf mit {hint}--bestaetigen wiederholen.", highlight=False
        )
        if shown.probleme:
            raise typer.Exit(EXIT_INPUT)
        return
    chosen = name or shown.name
    if not chosen:
        fail("--bestaetigen braucht --name (unter diesem Namen wird die Lesart gespeichert).")
    try:
        with session_scope(context.engine, actor="cli:daten assistent") as session:
            result = bestaetige(
                session,
                datei,
                katalog,
                chosen,
                korrektur,
                now=utcnow(),
                akteur="cli:daten assistent",
                stichtag=day,
                unbekannte_ignorieren=unbekannte_ignorieren,
            )
    except ProblemReport as report:
        fail(str(report))
    console.print(f"✔ Zuordnung „{chosen}“ gespeichert. {result}", highlight=False)
    for hint_text in result.hinweise:
        console.print(f"   {hint_text}", highlight=False)


_STICHTAG_HER = {
    "titel": "aus dem Titel",
    "spalte": "aus einer Spalte",
    "kopf": "aus der Kopfzeile",
    "angabe": "beim Laden angeben",
}


@daten_app.command("zuordnungen")
def zuordnungen(typer_ctx: typer.Context) -> None:
    """Zeigt die gespeicherten Zuordnungen des Tabellenassistenten (Name, Spalten → Merkmale)."""
    import sqlalchemy as sa

    from sozialforum.store.models import Tabellenzuordnung

    with Session(ctx(typer_ctx).engine) as session:
        rows = session.scalars(sa.select(Tabellenzuordnung).order_by(col(Tabellenzuordnung.name))).all()
        wer = akteur_namen(session, (r.akteur for r in rows))
    if not rows:  # a sentence, not a table of headers without rows
        console.print("Noch keine gespeicherten Zuordnungen; eine Tabelle lesen lernt „sozialforum daten assistent“.")
        return
    table = RichTable(title=f"Gespeicherte Zuordnungen ({len(rows)})")
    for column in ("Name", "Herausgeber", "Spalten → Merkmale", "Stichtag", "Bestätigt", "von"):
        table.add_column(column, overflow="fold")
    for r in rows:
        spalten = r.lesart.get("spalten") or {}
        table.add_row(
            r.name,
            r.herausgeber or "",
            "; ".join(f"{k} → {v}" for k, v in spalten.items()) if isinstance(spalten, dict) else "",
            _STICHTAG_HER.get(str(r.lesart.get("stichtag")), ""),
            format_datum_kurz(r.bestaetigt_am.date()),
            wer[r.akteur],
        )
    console.print(table)
