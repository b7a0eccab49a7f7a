"""``sozialforum bericht …``: the Sozialbericht as a Word draft and a PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sozialforum.cli.common import EXIT_NOT_FOUND, console, ctx, fail
from sozialforum.cli.daten import Fuer, Intern, _empfaenger, _katalog, _stichtag
from sozialforum.store import db

bericht_app = typer.Typer(help="Berichte: Sozialbericht als Word-Entwurf und PDF.", no_args_is_help=True)


@bericht_app.command("sozialbericht")
def sozialbericht(
    typer_ctx: typer.Context,
    ziel: Annotated[Path, typer.Option("--ziel", help="Zielordner für DOCX, PDF und Abbildungen.")],
    stichtag: Annotated[
        str | None, typer.Option("--stichtag", help="Stichtag des Berichts, z. B. 31.12.2024 (Standard: der letzte).")
    ] = None,
    fuer: Fuer = None,
    intern: Intern = False,
    raten: Annotated[
        Path | None,
        typer.Option("--raten", help="TOML-Datei mit Geburten-, Sterbe- und Wanderungsraten für die Vorausberechnung."),
    ] = None,
) -> None:
    """Schreibt den Sozialbericht (DOCX und PDF): Kapitel je Dimension mit Karte, Diagramm und Tabelle,
    Sozialraumporträts, Bevölkerungsvorausberechnung und die Handlungsempfehlungen der Ausgabe zum
    Stichtag. Öffentliche Fassung, wenn weder --intern noch --fuer angegeben ist."""
    from sozialforum.daten.projektion import Annahmen
    from sozialforum.sozialbericht.ausgaben import ausgabe_zum, empfehlungen_zum, ordner, status_text
    from sozialforum.sozialbericht.ausgaben import raten as config_raten
    from sozialforum.sozialbericht.schreiben import schreibe_sozialbericht

    context = ctx(typer_ctx)
    day = _stichtag(stichtag)
    katalog = _katalog(typer_ctx)
    empfaenger = _empfaenger(typer_ctx, fuer, intern)
    try:
        annahmen = Annahmen.aus_toml(raten) if raten else config_raten(context.settings)
    except ValueError as exc:
        fail(f"--raten: {exc}")
    hinweis = None
    try:
        with db.session_scope(context.engine, actor="cli:bericht sozialbericht") as session:
            titel, status, empfehlungen = empfehlungen_zum(session, day, katalog)
            ausgabe = ausgabe_zum(session, day)
            if ausgabe is not None and ausgabe.status == "freigegeben":
                hinweis = (
                    f"Hinweis: {ausgabe.titel} ist {status_text(ausgabe).lower()}; ihre Dateien liegen unverändert "
                    f"unter {ordner(context.settings, ausgabe)}. Dieser Abzug ist ein Entwurf."
                )
            out = schreibe_sozialbericht(
                session,
                katalog,
                context.settings.daten,
                empfaenger,
                ziel,
                kommune=context.settings.kommune,
                stichtag=day,
                titel=titel,
                status=status,
                empfehlungen=empfehlungen,
                annahmen=annahmen,
            )
    except LookupError as exc:
        fail(str(exc), EXIT_NOT_FOUND)
    console.print(str(out.docx), highlight=False)
    console.print(str(out.pdf), highlight=False)
    if annahmen is None:
        console.print("Hinweis: ohne --raten keine Bevölkerungsvorausberechnung.", highlight=False)
    if hinweis:
        console.print(hinweis, highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(bericht_app, name="bericht")
