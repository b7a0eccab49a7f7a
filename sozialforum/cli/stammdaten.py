"""Store commands: migrate, import reference lists, list and show the main entities."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
import typer
from rich.progress import Progress
from rich.table import Table as RichTable
from sqlmodel import Session

from sozialforum.arbeitsplatz import anzeige
from sozialforum.cli.common import EXIT_INPUT, EXIT_NOT_FOUND, Nummer, console, ctx, fail, tabelle
from sozialforum.problems import ProblemReport
from sozialforum.stammdaten import importer as stammdaten
from sozialforum.stammdaten import listen
from sozialforum.store import db
from sozialforum.store.models import Beschluss, Fachplan, Gebiet, Gremium, Organisation, Person, Sitzung
from sozialforum.timeutil import format_datum_kurz, format_termin_kurz, format_zahl
from sozialforum.vocab import GebietEbene, GremiumArt, OrganisationArt, SitzungStatus

db_app = typer.Typer(help="Datenbank anlegen und migrieren.", no_args_is_help=True)


@db_app.command("migrieren")
def migrieren(typer_ctx: typer.Context) -> None:
    """Legt die Datenbank an bzw. bringt sie auf den neuesten Stand (beliebig oft ausführbar)."""
    context = ctx(typer_ctx)
    db.migrate(context.engine_zum_anlegen)
    console.print(f"Datenbank ist aktuell (Stand {db.current_revision(context.engine_zum_anlegen)}).")


@db_app.command("status")
def status(typer_ctx: typer.Context) -> None:
    """Zeigt die Datenbank-Adresse (ohne Passwort) und den Migrationsstand."""
    context = ctx(typer_ctx)
    url = context.settings.db_url
    path = db.sqlite_path(url)
    console.print(f"Datenbank: {db.make_engine(url).url.render_as_string(hide_password=True)}")
    if path is not None and not path.is_file():
        console.print("Migrationsstand: nicht angelegt („sozialforum db migrieren“)")
        return
    console.print(f"Migrationsstand: {db.current_revision(context.engine_zum_anlegen) or 'leer'}")


def import_cmd(
    typer_ctx: typer.Context,
    art: Annotated[
        str,
        typer.Argument(
            help="gebiete, organisationen, personen, gremien, "
            "mitgliedschaften – oder „ordner“ für einen Ordner mit Listen."
        ),
    ],
    datei: Annotated[Path, typer.Argument(help="CSV- oder XLSX-Datei (bzw. Ordner).")],
    probelauf: Annotated[bool, typer.Option("--probelauf", help="Nur prüfen, nichts speichern.")] = False,
) -> None:
    """Importiert Stammdaten aus CSV/XLSX. Alles oder nichts: bei Fehlern bleibt die Datenbank
    unverändert, und jedes Problem wird mit Zeile und Spalte gemeldet."""
    context = ctx(typer_ctx)
    if art != "ordner" and art not in listen.SPECS:
        fail(f"Unbekannte Art „{art}“. Erlaubt: {', '.join(listen.ORDER)}, ordner.")
    try:
        with db.session_scope(context.engine, actor=f"import:{datei.name}") as session:
            lists = stammdaten.find_lists(datei) if art == "ordner" else [(art, datei)]
            if not lists:
                fail(f"Im Ordner {datei} liegen keine Listen (erwartet z. B. personen.csv).")
            with Progress(console=console, transient=True) as progress:
                task = progress.add_task("Importiere …", total=len(lists))
                for kind, path in lists:
                    progress.update(task, description=f"Importiere {path.name} …")
                    console.print(str(stammdaten.import_file(session, kind, path)))
                    progress.advance(task)
            if probelauf:
                session.rollback()
                console.print("Probelauf: nichts gespeichert.")
    except ProblemReport as report:
        fail(str(report), EXIT_INPUT)


TITEL = {
    "gebiete": "Gebiete",
    "organisationen": "Organisationen",
    "personen": "Personen",
    "gremien": "Gremien",
    "sitzungen": "Sitzungen",
    "fachplaene": "Fachpläne",
    "beschluesse": "Beschlüsse",
}

LISTS: dict[str, tuple[Any, list[tuple[str, Any]]]] = {
    "gebiete": (
        Gebiet,
        [
            ("Schlüssel", lambda g: g.schluessel),
            ("Name", lambda g: g.name),
            ("Ebene", lambda g: GebietEbene.label_of(g.ebene)),
            ("Einwohner", lambda g: g.einwohner),
            ("gültig ab", lambda g: anzeige.wert("gueltig_ab", g.gueltig_ab)),
        ],
    ),
    "organisationen": (
        Organisation,
        [
            ("Kennung", lambda o: o.kennung),
            ("Name", lambda o: o.name),
            ("Art", lambda o: OrganisationArt.label_of(o.art)),
        ],
    ),
    "personen": (
        Person,
        [
            ("Kennung", lambda p: p.kennung),
            ("Name", lambda p: p.anzeigename),
            ("Funktion", lambda p: p.funktion),
            ("kontaktierbar", lambda p: p.contactable),
        ],
    ),
    "gremien": (
        Gremium,
        [("Kennung", lambda g: g.kennung), ("Name", lambda g: g.name), ("Art", lambda g: GremiumArt.label_of(g.art))],
    ),
    "sitzungen": (
        Sitzung,
        [
            ("Id", lambda s: Nummer(s.id)),
            ("Titel", lambda s: s.titel),
            ("Beginn", lambda s: format_termin_kurz(s.beginn)),
            ("Stand", lambda s: SitzungStatus.label_of(s.status)),
        ],
    ),
    "fachplaene": (
        Fachplan,
        [
            ("Kennung", lambda f: f.kennung),
            ("Name", lambda f: f.name),
            ("beschlossen", lambda f: f.beschlossen_am and format_datum_kurz(f.beschlossen_am)),
        ],
    ),
    "beschluesse": (
        Beschluss,
        [
            ("Kennung", lambda b: b.kennung),
            ("Titel", lambda b: b.titel),
            ("Datum", lambda b: format_datum_kurz(b.datum)),
        ],
    ),
}


def liste(
    typer_ctx: typer.Context,
    was: Annotated[str, typer.Argument(help=", ".join(LISTS))],
    anzahl: Annotated[int, typer.Option("--anzahl", "-n", help="Höchstens so viele Zeilen.")] = 50,
) -> None:
    """Listet Gebiete, Organisationen, Personen, Gremien, Sitzungen, Fachpläne oder Beschlüsse."""
    if was not in LISTS:
        fail(f"Unbekannte Liste „{was}“. Erlaubt: {', '.join(LISTS)}.")
    model, columns = LISTS[was]
    context = ctx(typer_ctx)
    with Session(context.engine) as session:
        total = session.scalar(sa.select(sa.func.count()).select_from(model))
        rows = session.scalars(sa.select(model).order_by(model.id).limit(anzahl)).all()
        zeilen = [[get(row) for _, get in columns] for row in rows]
    titel = f"{TITEL[was]} ({format_zahl(len(rows))} von {format_zahl(total or 0)})"
    console.print(tabelle([name for name, _ in columns], zeilen, titel))


def zeige(
    typer_ctx: typer.Context,
    was: Annotated[str, typer.Argument(help=", ".join(LISTS))],
    schluessel: Annotated[
        str | None, typer.Argument(help="Kennung, Schlüssel oder Id; ohne Angabe: die Liste (wie „liste“).")
    ] = None,
) -> None:
    """Zeigt einen Datensatz mit allen Feldern (ohne Schlüssel: die Liste dieser Art)."""
    if was not in LISTS:
        fail(f"Unbekannte Art „{was}“. Erlaubt: {', '.join(LISTS)}.")
    if schluessel is None:
        liste(typer_ctx, was)
        console.print(f"Einen Datensatz mit allen Feldern: „sozialforum zeige {was} KENNUNG“ (oder Id).")
        return
    model = LISTS[was][0]
    context = ctx(typer_ctx)
    with Session(context.engine) as session:
        key_column = getattr(model, "kennung", None) or getattr(model, "schluessel", None)
        conditions = [model.id == int(schluessel)] if schluessel.isdigit() else []
        if key_column is not None:
            conditions.append(key_column == schluessel)
        row = session.scalars(sa.select(model).where(sa.or_(*conditions))).first() if conditions else None
        if row is None:
            fail(f"{was}: „{schluessel}“ nicht gefunden.", EXIT_NOT_FOUND)
        table = RichTable(show_header=False)
        table.add_column(no_wrap=True)
        table.add_column(overflow="fold")  # a long key (a calendar UID, an e-mail address) whole
        for name, shown in anzeige.zeilen(session, row):
            table.add_row(name, shown)
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.command("import")(import_cmd)
    app.command("liste")(liste)
    app.command("zeige")(zeige)
