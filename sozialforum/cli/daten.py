"""``sozialforum daten …``: statistics files laden, berechnen, Profile, Atlas, Budgets, Freigaben."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table as RichTable
from sqlmodel import Session

from sozialforum.cli.common import EXIT_INPUT, EXIT_NOT_FOUND, console, ctx, fail
from sozialforum.daten.projektion import Annahmen, annahmen_text, bevoelkerung_nach_alter, projiziere, tabelle
from sozialforum.parsing import parse_date
from sozialforum.problems import ProblemReport
from sozialforum.store import db
from sozialforum.timeutil import format_anzahl, format_datum_kurz, utcnow

daten_app = typer.Typer(
    help="Datenaktualisierung: Sozialstrukturatlas, Sozialraummonitor, Kennzahlen, Sozialraumbudgets.",
    no_args_is_help=True,
)

Fuer = Annotated[
    str | None,
    typer.Option("--fuer", help="Kennung einer Person: Fassung mit den für sie freigegebenen Gemeinden ungeschützt."),
]
Intern = Annotated[
    bool,
    typer.Option("--intern", help="Interne Fassung der Geschäftsstelle (nichts geheimgehalten; nicht weitergeben)."),
]


def _stichtag(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return parse_date(text)
    except ValueError as exc:
        fail(f"--stichtag: {exc}.")


def _katalog(typer_ctx: typer.Context):
    from sozialforum.daten.katalog import load_for

    try:
        return load_for(ctx(typer_ctx).settings)
    except ProblemReport as report:
        fail(str(report))


def _empfaenger(typer_ctx: typer.Context, fuer: str | None, intern: bool):
    from sozialforum.daten.geheimhaltung import Empfaenger

    if intern and fuer:
        fail("--intern und --fuer schließen sich aus.")
    if intern:
        return Empfaenger.geschaeftsstelle()
    if not fuer:
        return Empfaenger.oeffentlich()
    with Session(ctx(typer_ctx).engine) as session:
        try:
            return Empfaenger.fuer_person(session, fuer, utcnow().date())
        except LookupError as exc:
            fail(str(exc), EXIT_NOT_FOUND)


@daten_app.command("laden")
def laden(
    typer_ctx: typer.Context,
    dateien: Annotated[list[Path], typer.Argument(help="GENESIS-CSV, BA-Excel oder eigene Tabellen (CSV/XLSX).")],
    stichtag: Annotated[str | None, typer.Option("--stichtag", help="Stichtag, falls die Datei keinen nennt.")] = None,
    unbekannte_ignorieren: Annotated[
        bool,
        typer.Option(
            "--unbekannte-ignorieren", help="Zeilen mit fremden Gebietsschlüsseln überspringen statt ablehnen."
        ),
    ] = False,
    probelauf: Annotated[bool, typer.Option("--probelauf", help="Nur prüfen, nichts speichern.")] = False,
    zuordnung: Annotated[
        str | None, typer.Option("--zuordnung", help="Gespeicherte Zuordnung des Tabellenassistenten.")
    ] = None,
) -> None:
    """Lädt Quelldateien. Jede Datei ganz oder gar nicht; dieselbe Datei erneut ändert nichts."""
    from sozialforum.daten.aktualisierung import lade
    from sozialforum.daten.vorlesen import vorlesen

    context = ctx(typer_ctx)
    katalog, day, failed = _katalog(typer_ctx), _stichtag(stichtag), 0
    with vorlesen((path, day) for path in dateien):  # large GENESIS files: parsed ahead on the other core
        for path in dateien:
            try:
                result = lade(
                    context.engine,
                    path,
                    katalog,
                    now=utcnow(),
                    akteur="cli:daten laden",
                    stichtag=day,
                    unbekannte_ignorieren=unbekannte_ignorieren,
                    probelauf=probelauf,
                    zuordnung=zuordnung,
                )
            except ProblemReport as report:
                failed += 1
                console.print(f"[red]✘[/] {report}", highlight=False)
                continue
            console.print(f"✔ {result}" + (" (Probelauf: nichts gespeichert)" if probelauf else ""), highlight=False)
            for hint in result.hinweise:
                console.print(f"   {hint}", highlight=False)
    if failed:
        raise typer.Exit(EXIT_INPUT)


@daten_app.command("berechnen")
def berechnen(typer_ctx: typer.Context) -> None:
    """Berechnet Indikatoren, Aggregation, Veränderung, Index und Klassen aus allen Lieferungen."""
    from sozialforum.daten.aktualisierung import rechne
    from sozialforum.daten.berichtstext import zusammenfassung_markdown

    context = ctx(typer_ctx)
    result = rechne(context.engine, _katalog(typer_ctx), context.settings, now=utcnow(), akteur="cli:daten berechnen")
    summary = {"berechnung_id": result.berechnung_id, "neu": result.neu, **result.zusammenfassung}
    console.print(zusammenfassung_markdown([], summary, None, [], []), highlight=False, markup=False)


@daten_app.command("profil")
def profil(
    typer_ctx: typer.Context,
    sozialraum: Annotated[str, typer.Argument(help="Schlüssel oder Name des Sozialraums, z. B. SR01.")],
    fuer: Fuer = None,
    intern: Intern = False,
    ausgabe: Annotated[Path | None, typer.Option("--ausgabe", help="Zielordner.")] = None,
) -> None:
    """Schreibt das Sozialraumprofil (HTML und PDF) mit Zeitreihen, Kreis- und Landesvergleich."""
    from sozialforum.daten.aktualisierung import ausgabe_ordner, ausgaben

    context = ctx(typer_ctx)
    empfaenger = _empfaenger(typer_ctx, fuer, intern)
    try:
        out = ausgaben(
            context.engine,
            _katalog(typer_ctx),
            context.settings,
            empfaenger,
            now=utcnow(),
            sozialraeume=[sozialraum],
            ordner=ausgabe or ausgabe_ordner(context.settings, empfaenger),
        )
    except LookupError as exc:
        fail(str(exc), EXIT_NOT_FOUND)
    for path in out.dateien:
        console.print(str(path), highlight=False)


@daten_app.command("atlas")
def atlas(
    typer_ctx: typer.Context,
    fuer: Fuer = None,
    intern: Intern = False,
    ausgabe: Annotated[Path | None, typer.Option("--ausgabe", help="Zielordner.")] = None,
) -> None:
    """Schreibt den Sozialstrukturatlas (XLSX, ein Blatt je Dimension) und alle Profile."""
    from sozialforum.daten.aktualisierung import ausgabe_ordner, ausgaben

    context = ctx(typer_ctx)
    empfaenger = _empfaenger(typer_ctx, fuer, intern)
    try:
        out = ausgaben(
            context.engine,
            _katalog(typer_ctx),
            context.settings,
            empfaenger,
            now=utcnow(),
            ordner=ausgabe or ausgabe_ordner(context.settings, empfaenger),
        )
    except LookupError as exc:
        fail(str(exc), EXIT_NOT_FOUND)
    console.print(f"Atlas: {out.atlas}", highlight=False)
    profile = format_anzahl(len(out.profile), "Sozialraumprofil", "Sozialraumprofile")
    console.print(f"{profile} in {out.atlas.parent}", highlight=False)


@daten_app.command("budget")
def budget(
    typer_ctx: typer.Context,
    kennung: Annotated[str, typer.Argument(help="Budget aus dem Katalog, z. B. hze.")],
    gesamt: Annotated[int, typer.Option("--gesamt", min=1, help="Gesamtbetrag in vollen Euro.")],
    jahr: Annotated[int, typer.Option("--jahr", help="Haushaltsjahr.")],
    stichtag: Annotated[str | None, typer.Option("--stichtag", help="Datenbasis (Standard: letzter Stichtag).")] = None,
) -> None:
    """Verteilt ein Sozialraumbudget nach der Formel des Katalogs, auf den Euro genau."""
    from sozialforum.daten import aktualisierung
    from sozialforum.daten.budget import BudgetFehler
    from sozialforum.timeutil import format_euro, format_zahl

    context = ctx(typer_ctx)
    try:
        result, changed = aktualisierung.budget(
            context.engine,
            _katalog(typer_ctx),
            kennung,
            gesamt=gesamt,
            haushaltsjahr=jahr,
            now=utcnow(),
            stichtag=_stichtag(stichtag),
        )
    except (BudgetFehler, LookupError) as exc:
        fail(str(exc))
    table = RichTable(title=f"{result.definition.name} {jahr} (Stichtag {format_datum_kurz(result.stichtag)})")
    begrenzt = any(row.grenze for row in result.zeilen)  # the column only where a bound applies
    table.add_column("Schlüssel")
    table.add_column("Gebiet")
    table.add_column("nach Formel (€)", justify="right")
    if begrenzt:
        table.add_column("begrenzt durch")
    table.add_column("Budget", justify="right")
    for row in result.zeilen:
        grenze = [row.grenze] if begrenzt else []
        table.add_row(row.schluessel, row.name, format_zahl(row.exakt, 2), *grenze, format_euro(row.betrag))
    table.add_row("", "Summe", "", *([""] if begrenzt else []), format_euro(sum(r.betrag for r in result.zeilen)))
    console.print(table)
    console.print("Budget gespeichert." if changed else "Unverändert: diese Verteilung ist schon gespeichert.")


@daten_app.command("aktualisieren")
def aktualisieren(
    typer_ctx: typer.Context,
    ordner: Annotated[
        Path | None, typer.Argument(help="Ordner der Quelldateien (Standard: daten.quellen_ordner).")
    ] = None,
) -> None:
    """Startet den Flow „datenaktualisierung“: laden, berechnen, Profile und Atlas schreiben."""
    from sozialforum.flows.datenaktualisierung import datenaktualisierung

    context = ctx(typer_ctx)
    config = str(context.config_file) if context.config_file else None
    result = datenaktualisierung(config=config, quellen=str(ordner) if ordner else None)
    console.print(
        f"{format_anzahl(len(result['dateien']), 'Datei', 'Dateien')}, "
        f"Berechnung {result['berechnung']['berechnung_id']}, "
        f"{format_anzahl(len(result['ausgaben']), 'Ausgabedatei', 'Ausgabedateien')}.",
        highlight=False,
    )


@daten_app.command("katalog")
def katalog(typer_ctx: typer.Context) -> None:
    """Zeigt die Indikatoren mit Definition, Einheit, Ziel und Vergleich."""
    kat = _katalog(typer_ctx)
    console.print(f"[bold]Indikatorenkatalog[/] ({format_anzahl(len(kat.indikatoren), 'Indikator', 'Indikatoren')})")
    # One table per Dimension: seven columns cut the codes (which the commands take) and the names
    # to a few letters at 100 columns; the definition stands under the name.
    for dimension, titel in kat.dimensionen.items():
        rows = [(code, ind) for code, ind in kat.indikatoren.items() if ind.dimension == dimension]
        if not rows:
            continue
        table = RichTable(title=titel, title_justify="left")
        table.add_column("Code", no_wrap=True)
        table.add_column("Indikator und Definition")
        table.add_column("Einheit")
        table.add_column("Ziel")
        table.add_column("im Index")
        for code, ind in rows:
            table.add_row(
                code,
                f"[bold]{escape(ind.name)}[/]\n{escape(ind.beschreibung(kat.merkmal_namen))}",
                ind.einheit,
                ind.ziel.text if ind.ziel else "",
                "ja" if ind.index else "",
            )
        console.print(table)


@daten_app.command("projektion")
def projektion_command(
    typer_ctx: typer.Context,
    sozialraum: Annotated[str, typer.Argument(help="Schlüssel des Sozialraums.")],
    raten: Annotated[Path, typer.Option("--raten", help="TOML-Datei mit Geburten-, Sterbe- und Wanderungsraten.")],
) -> None:
    """Bevölkerungsprojektion (Komponentenmethode) eines Sozialraums mit den Annahmen."""
    context = ctx(typer_ctx)
    try:
        annahmen = Annahmen.aus_toml(raten)
        with db.session_scope(context.engine, actor="cli:projektion") as session:
            day, name, counts = bevoelkerung_nach_alter(session, sozialraum)
        result = projiziere(counts, annahmen, day.year)
    except (ValueError, LookupError) as exc:
        fail(str(exc))
    console.print(f"Bevölkerungsprojektion {name}, Basis 31.12.{day.year}", highlight=False)
    # Without borders: eleven years of German numbers fit 100 columns (padded text took 158).
    head, *rows = tabelle(result)
    table = RichTable(box=None, padding=(0, 0, 0, 1), show_edge=False)
    for i, title in enumerate(head):
        table.add_column(title, justify="right" if i else "left", no_wrap=bool(i))
    for row in rows:
        table.add_row(*row)
    console.print(table, highlight=False)
    console.print("Annahmen:", highlight=False)
    for line in annahmen_text(annahmen):
        console.print(f"- {line}", highlight=False)


def register(app: typer.Typer) -> None:
    # The deliveries' and the table assistant's commands belong to this group too.
    from sozialforum.cli import daten_assistent, daten_lieferungen  # noqa: F401

    app.add_typer(daten_app, name="daten")
