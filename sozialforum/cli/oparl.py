"""Commands for the council information system (``oparl``): import, cases to clear, export,
schema checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import sqlalchemy as sa
import typer
from sqlmodel import col

from sozialforum.cli.common import EXIT_INPUT, EXIT_SERVICE, Probelauf, console, ctx, eingerueckt, fail
from sozialforum.fristen.datum import today_in_berlin
from sozialforum.oparl.abruf import OparlDateiFehler, abruf, json_dateien, lade_dateien
from sozialforum.oparl.export import export_oparl
from sozialforum.oparl.export_ordner import objects_to_validate, write_export
from sozialforum.oparl.importer import import_objekte
from sozialforum.oparl.schema import SCHEMA_DIR, convert_spec, fehler
from sozialforum.store import db
from sozialforum.timeutil import format_anzahl, format_zahl, utcnow
from sozialforum.vocab import KlaerungArt

oparl_app = typer.Typer(help="OParl: Import aus dem Ratsinformationssystem, Export, Schemas.", no_args_is_help=True)


@oparl_app.command("import")
def oparl_import(
    typer_ctx: typer.Context,
    quelle: Annotated[str, typer.Argument(help="System- oder Body-URL, oder JSON-Dateien/Ordner.")],
    weitere: Annotated[list[Path] | None, typer.Argument(help="Weitere JSON-Dateien.")] = None,
    voll: Annotated[bool, typer.Option("--voll", help="Alles lesen, nicht nur Änderungen.")] = False,
    probelauf: Probelauf = False,
) -> None:
    """Importiert Gremien, Personen, Sitzungen, TOPs, Vorlagen und Beratungen aus OParl."""
    context = ctx(typer_ctx)
    entscheidend = context.settings.fristen.oparl_entscheidungsgremien
    objects: list[dict[str, object]] = []
    if not quelle.startswith(("http://", "https://")):
        try:
            files, nested = json_dateien([Path(quelle), *(weitere or [])])
            objects = lade_dateien(files)
        except OparlDateiFehler as exc:
            fail(f"{exc}. Nichts importiert.")
        gelesen = format_anzahl(len(files), "JSON-Datei", "JSON-Dateien")
        console.print(f"{gelesen} gelesen" + (f", davon {format_zahl(nested)} aus Unterordnern." if nested else "."))
    with db.session_scope(context.engine, actor=f"import:oparl:{quelle}"[:200]) as session:
        if quelle.startswith(("http://", "https://")):
            report = abruf(session, quelle, now=utcnow(), voll=voll, entscheidend=entscheidend)
        else:
            report = import_objekte(session, objects, now=utcnow(), entscheidend=entscheidend)
        for line in report.zusammenfassung():
            console.print(line)
        for mangel in report.maengel[:50]:
            console.print(f"  Warnung: {mangel}", highlight=False)
        if probelauf:
            session.rollback()
            console.print("Probelauf: nichts gespeichert.")
    if report.fehlend:
        fail(
            "Import unvollständig – gelesen und gespeichert ist, was abrufbar war; es fehlt:\n"
            + "\n".join(f"  {gap}" for gap in report.fehlend)
            + "\nDer nächste Lauf liest diese Listen erneut.",
            EXIT_SERVICE,
        )


@oparl_app.command("klaerung")
def oparl_klaerung(
    typer_ctx: typer.Context,
    alle: Annotated[bool, typer.Option("--alle", help="Auch erledigte Fälle zeigen.")] = False,
) -> None:
    """Listet, was der OParl-Import nicht entscheiden konnte (Ergebnisse, Beschlüsse, Löschungen)."""
    from sozialforum.store.models import OparlKlaerung

    context = ctx(typer_ctx)
    with db.session_scope(context.engine, actor="cli") as session:
        query = sa.select(OparlKlaerung).order_by(col(OparlKlaerung.art), col(OparlKlaerung.id))
        if not alle:
            query = query.where(col(OparlKlaerung.erledigt).is_(False))
        rows = session.scalars(query).all()
        if not rows:
            console.print("Keine offenen Fälle zur Klärung.")
            return
        for row in rows:
            mark = " (erledigt)" if row.erledigt else ""
            console.print(
                f"[{row.id}] {KlaerungArt.label_of(row.art)}{mark}: {row.beschreibung}", highlight=False, markup=False
            )
            eingerueckt(row.oparl_id, 4)
        console.print(f"{format_anzahl(len(rows), 'Fall', 'Fälle')} zur Klärung.")


@oparl_app.command("export")
def oparl_export(
    typer_ctx: typer.Context,
    ziel: Annotated[Path, typer.Argument(help="Zielordner.")],
    basis_url: Annotated[
        str, typer.Option("--basis-url", help="Adresse, unter der der Ordner veröffentlicht wird.")
    ] = "",
) -> None:
    """Exportiert Gremien, Sitzungen, TOPs und Beschlüsse (mit Umsetzungsstand) als OParl 1.1."""
    context = ctx(typer_ctx)
    base = basis_url or f"{context.settings.portal.base_url.rstrip('/')}/oparl"
    with db.session_scope(context.engine, actor="cli") as session:
        files = export_oparl(session, base_url=base, today=today_in_berlin(utcnow()), settings=context.settings)
    problems = [f"{obj['id']}: {e}" for obj in objects_to_validate(files) for e in fehler(obj)]
    if problems:
        fail("Export entspricht nicht dem OParl-Schema:\n" + "\n".join(problems[:20]))
    console.print(f"{write_export(files, ziel)} Dateien nach {ziel} geschrieben (gültiges OParl 1.1).")


@oparl_app.command("pruefen")
def oparl_pruefen(dateien: Annotated[list[Path], typer.Argument(help="OParl-JSON-Dateien.")]) -> None:
    """Prüft OParl-Objekte gegen die Schemas der Spezifikation 1.1."""
    bad = 0
    for path in dateien:
        data = json.loads(path.read_text(encoding="utf-8"))
        items = data.get("data", [data]) if isinstance(data, dict) else data
        for obj in items:
            for error in fehler(obj):
                bad += 1
                console.print(f"{path.name}: {obj.get('id')}: {error}", highlight=False)
    if bad:
        raise typer.Exit(EXIT_INPUT)
    console.print("Alle Objekte sind gültig.")


@oparl_app.command("schemas")
def oparl_schemas(
    spec: Annotated[Path, typer.Option("--spec", help="Ordner schema/ der Spezifikation.")],
    version: Annotated[str, typer.Option(help="OParl-Version der Quelle.")] = "1.1",
    ziel: Annotated[Path | None, typer.Option(help="Zielordner.")] = None,
) -> None:
    """Wandelt die Schemas der OParl-Spezifikation in Standard-JSON-Schema um (CC BY-SA 4.0)."""
    written = convert_spec(spec, ziel or SCHEMA_DIR / version, version=version)
    console.print(
        f"{format_anzahl(len(written), 'Schema', 'Schemas')} geschrieben nach {written[0].parent if written else ziel}."
    )


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.add_typer(oparl_app, name="oparl")
