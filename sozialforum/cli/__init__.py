"""The ``sozialforum`` command. Each area registers its commands from its own module."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated

import typer

from sozialforum.cli import deutsch
from sozialforum.cli.common import Context

deutsch.install()

app = typer.Typer(
    name="sozialforum",
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
    typer_ctx.obj = Context(config_file=konfiguration)


# One module per area; each has ``register(app)``.
COMMAND_MODULES = (
    "stammdaten",
    "dsgvo",
    "daten",
    "konferenz",
    "portal",
    "fristen",
    "protokoll",
    "strategie",
    "karten",
    "betrieb",
)

for _name in COMMAND_MODULES:
    importlib.import_module(f"sozialforum.cli.{_name}").register(app)


def main() -> None:
    app()
