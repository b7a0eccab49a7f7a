"""Operations commands: the demo (and later serve, doctor)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from sozialforum.cli.common import console, ctx
from sozialforum.db import make_engine, migrate
from sozialforum.settings import load_settings
from sozialforum.timeutil import utcnow


def demo(
    typer_ctx: typer.Context,
    verzeichnis: Annotated[
        Path | None, typer.Option("--verzeichnis", help="Arbeitsverzeichnis der Demo (Standard: var/demo).")
    ] = None,
) -> None:
    """Führt den Planungszyklus über dem Demo-Landkreis aus (eingebettete Standardwerte:
    SQLite, Postausgang als .eml-Dateien) und zeigt, was geschehen ist und wo die Ergebnisse liegen."""
    from flows.demo import DemoRun, run_demo

    context = ctx(typer_ctx)
    # The demo gets its own working folder; flows read it from the environment like any setting,
    # so that flow runs (which only receive the config path) see the same store.
    os.environ["SOZIALFORUM_DATA_DIR"] = str(verzeichnis or context.settings.data_dir / "demo")
    settings = load_settings(context.config_file)
    engine = make_engine(settings.db_url)
    migrate(engine)
    config = str(context.config_file) if context.config_file else None
    run = DemoRun(settings=settings, engine=engine, now=utcnow(), config=config)

    def report(title: str, lines: list[str]) -> None:
        console.print(f"[bold]✔ {title}[/]")
        for line in lines:
            console.print(f"   {line}", highlight=False)

    run_demo(run, report)
    console.print(f"\nAlle Ergebnisse liegen unter [bold]{settings.data_dir.resolve()}[/].")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
