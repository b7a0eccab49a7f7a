"""What every command shares: loading settings, opening the store, German errors, exit codes."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.status import Status
from rich.table import Table
from sqlalchemy.engine import Engine

from sozialforum.settings import Settings, SettingsError, load_settings
from sozialforum.store.db import BestandFehlt, make_engine, pruefe_bestand
from sozialforum.timeutil import format_zahl

# Exit codes scripts can rely on.
EXIT_OK = 0
EXIT_INPUT = 1  # bad input file or argument; nothing was changed
EXIT_CONFIG = 2  # configuration invalid
EXIT_SERVICE = 3  # a service (database, SMTP, mailbox) failed
EXIT_NOT_FOUND = 4

# The option of every command that can check without saving.
Probelauf = Annotated[bool, typer.Option("--probelauf", help="Nur prüfen und anzeigen, nichts speichern.")]

console = Console()
err_console = Console(stderr=True)


def breite_uebernehmen() -> None:
    """Take the terminal width (``COLUMNS``) at each command, not only when this module was first
    imported: the app may run several commands in one process (scripts, tests), and rich fixes a
    console's width when it is created."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        console.width = err_console.width = int(columns)


@dataclass
class Context:
    config_file: Path | None

    @cached_property
    def settings(self) -> Settings:
        try:
            return load_settings(self.config_file)
        except SettingsError as exc:
            fail(str(exc), EXIT_CONFIG)

    @cached_property
    def engine(self) -> Engine:
        """The configured store, checked: a German message instead of a traceback (or of a new
        empty file) when it is missing, empty, outdated or unreachable."""
        try:
            return pruefe_bestand(self.settings.db_url)
        except BestandFehlt as exc:
            fail(str(exc), EXIT_CONFIG)

    @cached_property
    def engine_zum_anlegen(self) -> Engine:
        """The store for the commands that create or migrate it."""
        return make_engine(self.settings.db_url)


class Nummer(int):
    """A running number (Id, Nr.) in a table: right-aligned like a number, but written without
    a thousands separator, as one types it (``zeige sitzungen 1234``)."""


class Zahltext(str):
    """A number already written with its unit (``6.120 €``, ``0,50 VZÄ``): right-aligned."""

    __slots__ = ()


def _zelle(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, Nummer):
        return str(int(value))
    if isinstance(value, int):
        return format_zahl(value)
    if isinstance(value, float | Decimal):
        return format_zahl(value, 2)
    return escape(str(value))  # a title with "[…]" is data, not rich markup


def tabelle(
    spalten: Sequence[str], zeilen: Iterable[Sequence[object]], titel: str | None = None, **optionen: Any
) -> Table:
    """The table of a list: cells given as values, written in German; a column whose cells are
    numbers is right-aligned, so that digits of one place stand under each other (a key such as
    an AGS is text, and stays left)."""
    werte = [list(row) for row in zeilen]
    table = Table(title=titel, **optionen)
    for index, name in enumerate(spalten):
        cells = [row[index] for row in werte if row[index] is not None]
        zahlen = bool(cells) and all(
            isinstance(cell, int | float | Decimal | Zahltext) and not isinstance(cell, bool) for cell in cells
        )
        table.add_column(name, justify="right" if zahlen else "left")
    for row in werte:
        table.add_row(*(_zelle(cell) for cell in row))
    return table


def eingerueckt(text: str, einzug: int = 2) -> None:
    """Print ``text`` indented, its wrapped lines too (a leading "  " indents the first line only,
    and the terminal's wrap puts the rest at the margin)."""
    console.print(Padding(text, (0, 0, 0, einzug), expand=False), highlight=False, markup=False)


# The spinner of the running command (``arbeitet``), if one is shown.
_anzeige: list[Status] = []


def arbeitet(text: str) -> Callable[[], None]:
    """Show a spinner with ``text`` until the returned function is called (only on a terminal)."""
    if not console.is_terminal:
        return lambda: None
    status = console.status(text)
    status.start()
    _anzeige.append(status)

    def stop() -> None:
        if status in _anzeige:
            _anzeige.remove(status)
            status.stop()

    return stop


def fail(message: str, code: int = EXIT_INPUT) -> NoReturn:
    for status in list(_anzeige):  # the message goes to stderr: not into the spinner's line
        _anzeige.remove(status)
        status.stop()
    err_console.print(f"[bold red]Fehler:[/] {message}", highlight=False)
    raise typer.Exit(code)


def ctx(typer_ctx: typer.Context) -> Context:
    obj = typer_ctx.find_root().obj
    assert isinstance(obj, Context)
    return obj
