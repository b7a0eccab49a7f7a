"""``sozialforum daten …``: statistics files laden, berechnen, Profile, Atlas, Budgets, Freigaben."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable
from sqlmodel import Session, col

from sozialforum.cli.common import EXIT_INPUT, EXIT_NOT_FOUND, console, ctx, fail
from sozialforum.daten.projektion import Annahmen, annahmen_text, bevoelkerung_nach_alter, projiziere, tabelle
from sozialforum.parsing import parse_date
from sozialforum.problems import ProblemReport
from sozialforum.store import db
from sozialforum.timeutil import format_datum_kurz, utcnow

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

    context = ctx(typer_ctx)
    katalog, day, failed = _katalog(typer_ctx), _stichtag(stichtag), 0
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
    console.print(f"{len(out.profile)} Sozialraumprofile in {out.atlas.parent}", highlight=False)


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
    for column in ("Schlüssel", "Gebiet", "exakt", "Grenze", "Budget"):
        table.add_column(column)
    for row in result.zeilen:
        table.add_row(row.schluessel, row.name, format_zahl(row.exakt, 2), row.grenze, format_euro(row.betrag))
    table.add_row("", "Summe", "", "", format_euro(sum(r.betrag for r in result.zeilen)))
    console.print(table)
    console.print("gespeichert." if changed else "unverändert.")


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
        f"{len(result['dateien'])} Dateien, Berechnung {result['berechnung']['berechnung_id']}, "
        f"{len(result['ausgaben'])} Ausgabedateien.",
        highlight=False,
    )


@daten_app.command("katalog")
def katalog(typer_ctx: typer.Context) -> None:
    """Zeigt die Indikatoren mit Definition, Einheit, Ziel und Vergleich."""
    kat = _katalog(typer_ctx)
    table = RichTable(title="Indikatorenkatalog")
    for column in ("Code", "Indikator", "Dimension", "Definition", "Einheit", "Ziel", "Index"):
        table.add_column(column)
    for code, ind in kat.indikatoren.items():
        table.add_row(
            code,
            ind.name,
            kat.dimensionen[ind.dimension],
            ind.beschreibung(kat.merkmal_namen),
            ind.einheit,
            ind.ziel.text if ind.ziel else "",
            "ja" if ind.index else "",
        )
    console.print(table)


@daten_app.command("lieferungen")
def lieferungen(typer_ctx: typer.Context) -> None:
    """Zeigt die geladenen Dateien mit Herkunft (Prüfsumme, Datenstand, Herausgeber, Lizenz)."""
    import sqlalchemy as sa

    from sozialforum.store.models import Datenlieferung

    with Session(ctx(typer_ctx).engine) as session:
        rows = session.scalars(sa.select(Datenlieferung).order_by(col(Datenlieferung.id))).all()
    table = RichTable(title=f"Datenlieferungen ({len(rows)})")
    for column in ("Nr.", "Datei", "Quelle", "Werte", "Datenstand", "Herausgeber", "Lizenz", "SHA-256", "Status"):
        table.add_column(column)
    for r in rows:
        status = "gültig"
        if r.zurueckgezogen_am is not None:
            status = f"zurückgezogen {format_datum_kurz(r.zurueckgezogen_am.date())}: {r.zurueckgezogen_grund}"
            status += f" (ersetzt durch {r.ersetzt_durch})" if r.ersetzt_durch else ""
        table.add_row(
            str(r.id),
            r.datei,
            r.quelle or "",
            str(r.werte),
            format_datum_kurz(r.datenstand) if r.datenstand else "",
            r.herausgeber or "",
            r.lizenz or "",
            (r.zurueckgezogen_pruefsumme or r.pruefsumme)[:12] + "…",
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
    for row in tabelle(result):
        console.print("  ".join(f"{cell:>10}" if i else f"{cell:<26}" for i, cell in enumerate(row)), highlight=False)
    console.print("Annahmen:", highlight=False)
    for line in annahmen_text(annahmen):
        console.print(f"- {line}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(daten_app, name="daten")


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
        table = RichTable(title=f"Vorschau: die ersten {len(shown.zeilen)} Zeilen, wie sie gespeichert würden")
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
            r.akteur or "",
        )
    console.print(table)
