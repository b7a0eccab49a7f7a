"""Commands for maps (``karten``): area borders from the files cities publish."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sozialforum.cli.common import EXIT_NOT_FOUND, console, ctx, fail
from sozialforum.daten.ergebnis import lade_monitor
from sozialforum.daten.geheimhaltung import Empfaenger
from sozialforum.daten.kartenexport import exportiere
from sozialforum.daten.katalog import load_for
from sozialforum.karten.speicher import laden
from sozialforum.parsing import parse_date
from sozialforum.store.db import session_scope
from sozialforum.timeutil import format_anzahl, utcnow

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


@app.command("export")
def export_command(
    typer_ctx: typer.Context,
    indikator: Annotated[str, typer.Argument(help="Indikator aus dem Katalog, z. B. sgb2_quote.")],
    datei: Annotated[Path, typer.Argument(help="Ziel: .gpkg (GeoPackage) oder .geojson.")],
    fuer: Annotated[
        str | None, typer.Option("--fuer", help="Fassung für eine Person (ihre freigegebenen Gemeinden).")
    ] = None,
    intern: Annotated[
        bool, typer.Option("--intern", help="Interne Fassung der Geschäftsstelle (ungeschützt).")
    ] = False,
    ebene: Annotated[str, typer.Option("--ebene", help="Gebietsebene.")] = "sozialraum",
) -> None:
    """Grenzen mit den Werten eines Indikators für QGIS; Geheimgehaltenes bleibt leer (gesperrt = 1)."""
    context = ctx(typer_ctx)
    if datei.suffix.lower() not in {".gpkg", ".geojson", ".json"}:
        fail(f"{datei.name}: bitte .gpkg oder .geojson als Endung angeben")
    with session_scope(context.engine, actor="cli:karten-export") as session:
        monitor = lade_monitor(session)
        if monitor is None:
            fail("Noch keine Berechnung vorhanden (sozialforum daten berechnen).", EXIT_NOT_FOUND)
        if intern:
            empfaenger = Empfaenger.geschaeftsstelle()
        elif fuer:
            try:
                empfaenger = Empfaenger.fuer_person(session, fuer, monitor.letzter_stichtag)
            except LookupError as exc:
                fail(str(exc), EXIT_NOT_FOUND)
        else:
            empfaenger = Empfaenger.oeffentlich()
        try:
            result = exportiere(
                session,
                monitor,
                load_for(context.settings),
                context.settings.daten,
                empfaenger,
                indikator,
                datei,
                ebene=ebene,
            )
        except ValueError as exc:
            fail(str(exc))
    flaechen = format_anzahl(result.flaechen, "Fläche", "Flächen")
    console.print(f"{flaechen} nach {datei} geschrieben (Fassung: {empfaenger.name}).", highlight=False)
    if result.gesperrt:
        console.print("Geheim gehalten (leer, gesperrt = 1): " + ", ".join(result.gesperrt), highlight=False)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="karten")
