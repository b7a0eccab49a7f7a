"""The ``sozialforum`` command. Each area registers its commands from its own module.

The areas are loaded when one of their commands runs, not before: an area imports the domain
(pandas, SQLAlchemy, the PDF and map libraries), and ``sozialforum --help`` or a command of
another area should not wait for all of them. ``BEFEHLE`` names each top-level command's module
and its one-line help for the overview; ``tests/test_cli.py`` checks it against the modules.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from typer.core import TyperCommand, TyperGroup

from sozialforum.cli import deutsch

if TYPE_CHECKING:
    from typer import _click  # typer vendors click; TyperGroup's methods take its types

deutsch.install()

# Top-level command → (module in sozialforum.cli, one-line help). Order = order in the help.
BEFEHLE: dict[str, tuple[str, str]] = {
    "demo": ("betrieb", "Führt den Planungszyklus über dem Demo-Landkreis aus und zeigt, wo die Ergebnisse liegen."),
    "import": ("stammdaten", "Importiert Stammdaten aus CSV/XLSX – alles oder nichts, Probleme mit Zeile und Spalte."),
    "liste": (
        "stammdaten",
        "Listet Gebiete, Organisationen, Personen, Gremien, Sitzungen, Fachpläne oder Beschlüsse.",
    ),
    "zeige": ("stammdaten", "Zeigt einen Datensatz mit allen Feldern."),
    "db": ("stammdaten", "Datenbank anlegen und migrieren."),
    "dsgvo": ("dsgvo", "Betroffenenrechte nach DSGVO: Auskunft und Löschung."),
    "daten": ("daten", "Datenaktualisierung: Sozialstrukturatlas, Sozialraummonitor, Kennzahlen, Sozialraumbudgets."),
    "bericht": ("bericht", "Berichte: Sozialbericht (Word-Entwurf und PDF) mit Karten, Porträts und Vorausberechnung."),
    "karten": ("karten", "Karten: Gebietsgrenzen laden (GeoJSON, Shapefile, GeoPackage)."),
    "konferenz": ("konferenz", "Sozialraumkonferenzen: planen, vorbereiten, einladen, Antworten, Kalender."),
    "portal": ("portal", "Beteiligungsportal und Arbeitsplatz starten; Anmeldungen für Mitarbeitende."),
    "protokoll": ("protokoll", "Protokolle: Entwurf anfordern, Stand zeigen, freigeben oder zurückgeben."),
    "fristen": ("fristen", "Fristen: Übersicht, Erinnerungen, Eskalation, Kalender."),
    "beschluesse": ("fristen", "Beschlüsse nachhalten: Sachstand, Verlauf, Leitungsbericht."),
    "oparl": ("oparl", "OParl: Import aus dem Ratsinformationssystem, Export, Schemas."),
    "strategie": ("strategie", "Strategie, Projekte und Förderung: Projektliste, Förderverfahren, Berichte."),
    "serve": ("betrieb", "Stellt alle Deployments aus prefect.yaml mit ihren Zeitplänen bereit."),
    "worker": ("betrieb", "Prefect-Worker, der beim Beenden laufende Läufe zuerst zurückgeben lässt."),
    "doctor": ("betrieb", "Prüft Konfiguration, Datenbank, Mail, Postfach und Prefect und erklärt jeden Fehler."),
}

# Commands with a display of their own (the demo's steps, the import's progress bar: rich allows
# one live display at a time), servers that run until stopped, and password prompts.
EIGENE_ANZEIGE = frozenset({"demo", "import", "portal", "serve", "worker"})


class Bereiche(TyperGroup):
    """The root group: an area's module is imported when one of its commands is looked up. While
    the overview is printed, commands of areas not loaded yet stand in with their one-line help."""

    _nur_uebersicht = False

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return list(BEFEHLE)

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        if cmd_name not in self.commands and cmd_name in BEFEHLE:
            modul, hilfe = BEFEHLE[cmd_name]
            if self._nur_uebersicht:
                return TyperCommand(cmd_name, help=hilfe, short_help=hilfe)
            self.bereich_laden(modul)
        return self.commands.get(cmd_name)

    def bereich_laden(self, modul: str) -> None:
        bereich = typer.Typer()
        importlib.import_module(f"sozialforum.cli.{modul}").register(bereich)
        group = typer.main.get_group(bereich)
        for name, command in group.commands.items():
            self.commands.setdefault(name, command)

    def alle_laden(self) -> None:
        """Every area (for tests and tools that walk all commands)."""
        for modul in dict.fromkeys(m for m, _ in BEFEHLE.values()):
            self.bereich_laden(modul)

    def format_help(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        self._nur_uebersicht = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._nur_uebersicht = False


app = typer.Typer(
    name="sozialforum",
    cls=Bereiche,
    help="sozialforum – beteiligungsorientierte Sozialplanung: Daten, Sozialraumkonferenzen, "
    "Einladungen, Protokolle, Fristen und Beschlüsse.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    add_completion=False,
)


@app.callback()
def _root(
    typer_ctx: typer.Context,
    konfiguration: Annotated[
        Path | None,
        typer.Option("--konfiguration", "-k", help="Konfigurationsdatei (Standard: config/sozialforum.toml)."),
    ] = None,
) -> None:
    from sozialforum.cli.common import Context, arbeitet, breite_uebernehmen

    breite_uebernehmen()
    typer_ctx.obj = Context(config_file=konfiguration)
    befehl = typer_ctx.invoked_subcommand
    if befehl and befehl not in EIGENE_ANZEIGE:
        # A spinner while a command works (loading files, rendering reports, asking servers),
        # so that nobody takes a long command for a hung one.
        typer_ctx.call_on_close(arbeitet(f"sozialforum {befehl} arbeitet …"))


def alle_befehle() -> Bereiche:
    """The root group with every area loaded."""
    group = typer.main.get_command(app)
    assert isinstance(group, Bereiche)
    group.alle_laden()
    return group


def main() -> None:
    app()
