"""Commands for the strategy layer (``strategie``): the project list, resources, indicators and
reports; the funding procedure and the evaluation round are in ``cli.strategie_foerderung``.
The workspace calls the same domain functions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sozialforum.cli.common import Probelauf, Zahltext, console, ctx, fail, tabelle
from sozialforum.problems import ProblemReport
from sozialforum.store.db import session_scope
from sozialforum.strategie import berichte, ressourcen
from sozialforum.strategie.definition import strategie_laden
from sozialforum.strategie.kennzahlen import aus_atlas, kennzahlen_laden
from sozialforum.strategie.projekte import projekte_importieren
from sozialforum.timeutil import berlin, format_anzahl, format_euro, format_zahl, utcnow

app = typer.Typer(
    help="Strategie, Projekte und Förderung: Projektliste, Förderverfahren, Bewertungsrunde, Berichte.",
    no_args_is_help=True,
)
Jahr = Annotated[int, typer.Option("--jahr", help="Berichtsjahr.")]


class _Probelauf(Exception):
    """Raised inside a dry run's transaction so that it rolls back."""


@app.command("laden")
def laden(
    typer_ctx: typer.Context,
    datei: Annotated[
        Path, typer.Argument(help="Die Strategie als TOML-Datei (Leitsätze, Leitlinien, Handlungsfelder, Ziele).")
    ],
    probelauf: Probelauf = False,
) -> None:
    """Liest eine Sozialstrategie (eine Fortschreibung) – ganz oder gar nicht; erneut gelesen
    ändert sie nur, was sich geändert hat."""
    context = ctx(typer_ctx)
    try:
        with session_scope(context.engine, actor=f"datei:{datei.name}") as session:
            result = strategie_laden(session, datei)
            if probelauf:
                raise _Probelauf
    except _Probelauf:
        console.print("Probelauf: " + result.zusammenfassung() + " Nichts gespeichert.")
        return
    except ProblemReport as report:
        fail(str(report))
    console.print(result.zusammenfassung())


@app.command("kennzahlen")
def kennzahlen(
    typer_ctx: typer.Context,
    datei: Annotated[
        Path | None,
        typer.Argument(help="Tabelle (CSV/XLSX: ziel, stichtag, sozialraum, wert, quelle); ohne: nur aus dem Atlas."),
    ] = None,
) -> None:
    """Übernimmt die Werte der Kennzahlen: aus einer Tabelle des Fachamts (ganz oder gar nicht)
    und für Ziele mit Indikator aus der letzten Berechnung des Sozialstrukturatlas."""
    context = ctx(typer_ctx)
    try:
        with session_scope(context.engine, actor=f"datei:{datei.name}" if datei else "cli:kennzahlen") as session:
            if datei is not None:
                geschrieben, gleich = kennzahlen_laden(session, datei)
                console.print(
                    f"{datei.name}: {format_anzahl(geschrieben, 'Wert', 'Werte')} gespeichert, "
                    f"{format_zahl(gleich)} unverändert."
                )
            console.print(f"Aus dem Sozialstrukturatlas: {aus_atlas(session)} Werte übernommen.")
    except ProblemReport as report:
        fail(str(report))


@app.command("projekte")
def projekte(
    typer_ctx: typer.Context,
    datei: Annotated[Path, typer.Argument(help="Projektliste (XLSX oder CSV).")],
    strategie: Annotated[
        str | None, typer.Option("--strategie", help="Kennung der Strategie (Standard: die neueste).")
    ] = None,
    probelauf: Probelauf = False,
) -> None:
    """Liest die Projektliste (je Projekt und Jahr eine Zeile) – ganz oder gar nicht."""
    context = ctx(typer_ctx)
    try:
        with session_scope(context.engine, actor=f"datei:{datei.name}") as session:
            result = projekte_importieren(session, datei, strategie_kennung=strategie, probelauf=probelauf)
            if probelauf:
                raise _Probelauf
    except _Probelauf:
        pass
    except ProblemReport as report:
        fail(str(report))
    console.print(result.zusammenfassung())


@app.command("ungenutzt")
def ungenutzt(typer_ctx: typer.Context, jahr: Jahr) -> None:
    """Zeigt nicht verwendete Mittel und Stellen eines Jahres (beendete Projekte, Kürzungen, nie
    geschaffene Stellen)."""
    context = ctx(typer_ctx)
    with session_scope(context.engine, actor="cli") as session:
        findings = ressourcen.ungenutzt(ressourcen.projektjahre(session, jahr))
    if not findings:
        console.print(f"{jahr} wurden alle geplanten Mittel und Stellen verwendet.", highlight=False)
        return
    # One row per project: several projects share a title (one per Träger or Sozialraum) and
    # differ by Kennung and Träger; a project can leave both money and a post unused.
    projekte: dict[int, list[ressourcen.UngenutzteRessource]] = {}
    for f in findings:
        projekte.setdefault(f.massnahme_id, []).append(f)
    zeilen = []
    for teile in projekte.values():
        erster = teile[0]
        eur, vzae = ressourcen.summe(teile)
        zeilen.append(
            [
                f"{erster.titel} ({erster.kennung})" + (f"\n{erster.traeger}" if erster.traeger else ""),
                "\n".join(f.grund for f in teile),
                Zahltext(format_euro(eur, 0)) if eur else None,
                Zahltext(format_zahl(vzae, 2)) if vzae else None,
            ]
        )
    titel = f"Nicht verwendete Mittel und Stellen {jahr} ({format_anzahl(len(zeilen), 'Projekt', 'Projekte')})"
    console.print(tabelle(["Projekt und Träger", "Grund", "Mittel", "VZÄ"], zeilen, titel), highlight=False)
    eur, vzae = ressourcen.summe(findings)
    console.print(
        f"Insgesamt {jahr}: {format_euro(eur, 0)} und {format_zahl(vzae, 2)} VZÄ nicht verwendet.", highlight=False
    )


@app.command("bericht")
def bericht(
    typer_ctx: typer.Context,
    jahr: Jahr,
    strategie: Annotated[
        str | None, typer.Option("--strategie", help="Kennung der Strategie (Standard: die neueste).")
    ] = None,
) -> None:
    """Schreibt Strategiebericht, Kennzahlen-Kontrakt und Förderübersicht (HTML und PDF)."""
    context = ctx(typer_ctx)
    with session_scope(context.engine, actor="cli") as session:
        paths = berichte.schreiben(
            session, context.settings, jahr=jahr, stand=berlin(utcnow()).date(), strategie_kennung=strategie
        )
    for path in paths:
        console.print(f"geschrieben: {path}")


def register(root: typer.Typer) -> None:
    from sozialforum.cli import strategie_foerderung  # noqa: F401  # its commands join ``app``

    root.add_typer(app, name="strategie")
