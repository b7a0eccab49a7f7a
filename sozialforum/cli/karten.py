"""Commands for maps (``karten``): area borders from the files cities publish."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sozialforum.cli.common import EXIT_NOT_FOUND, console, ctx, fail
from sozialforum.karten.speicher import laden
from sozialforum.parsing import parse_date
from sozialforum.store.db import session_scope
from sozialforum.timeutil import utcnow

app = typer.Typer(help="Karten: Gebietsgrenzen laden (GeoJSON, Shapefile, GeoPackage).", no_args_is_help=True)


@app.command("laden")
def laden_command(
    typer_ctx: typer.Context,
    datei: Annotated[Path, typer.Argument(help="GeoJSON, Shapefile (.shp mit .prj) oder GeoPackage.")],
    stand: Annotated[str, typer.Option("--stand", help="Gebietsstand, ab dem die Grenzen gelten (TT.MM.JJJJ).")],
    ebene: Annotated[str, typer.Option("--ebene", help="Gebietsebene der Flächen.")] = "sozialraum",
    schluessel_feld: Annotated[str | None, typer.Option("--schluessel-feld", help="Spalte mit dem Schlüssel.")] = None,
    name_feld: Annotated[str | None, typer.Option("--name-feld", help="Spalte mit dem Namen.")] = None,
    crs: Annotated[
        str | None, typer.Option("--crs", help="Koordinatensystem, falls die Datei keines nennt (z. B. EPSG:25832).")
    ] = None,
    toleranz: Annotated[float, typer.Option("--toleranz", help="Vereinfachung für die Anzeige in Metern.")] = 20.0,
) -> None:
    """Grenzen einer Geodatei den Gebieten zuordnen (Schlüssel, sonst Name) und speichern."""
    context = ctx(typer_ctx)
    if not datei.exists():
        fail(f"{datei}: Datei nicht gefunden", EXIT_NOT_FOUND)
    try:
        day = parse_date(stand)
    except ValueError as exc:
        fail(f"--stand „{stand}“: {exc}")
    try:
        with session_scope(context.engine, actor=f"datei:{datei.name}") as session:
            result = laden(
                session,
                datei,
                stand=day,
                now=utcnow(),
                ebene=ebene,
                toleranz_m=toleranz,
                schluessel_feld=schluessel_feld,
                name_feld=name_feld,
                crs_falls_fehlt=crs,
            )
    except ValueError as exc:
        fail(str(exc))
    for line in result.bericht():
        console.print(line, highlight=False)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="karten")
