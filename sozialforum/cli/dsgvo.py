"""DSGVO commands: Auskunft (Art. 15) and Löschung (Art. 17) for one contact person, and the
retention run that keeps the Datenschutzerklärung's promise for everyone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from sozialforum.arbeitsplatz.auskunft import als_text, uebersicht
from sozialforum.cli.common import EXIT_NOT_FOUND, console, ctx, fail
from sozialforum.portal import formulare
from sozialforum.problems import ProblemReport
from sozialforum.stammdaten import aufbewahrung, dsgvo
from sozialforum.store.db import session_scope
from sozialforum.timeutil import utcnow

app = typer.Typer(help="Betroffenenrechte nach DSGVO: Auskunft, Löschung und Aufbewahrung.", no_args_is_help=True)


@app.command("auskunft")
def auskunft(
    typer_ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Kennung oder Id der Person.")],
    ausgabe: Annotated[
        Path | None,
        typer.Option("--ausgabe", "-o", help="Vollständige Auskunft als JSON-Datei, z. B. zum Versand an die Person."),
    ] = None,
    als_json: Annotated[
        bool, typer.Option("--json", help="Vollständige Auskunft als JSON auf dem Bildschirm (für Skripte).")
    ] = False,
    text_datei: Annotated[
        Path | None,
        typer.Option("--text", help="Die Auskunft zum Lesen als Textdatei, z. B. für das Schreiben an die Person."),
    ] = None,
) -> None:
    """Stellt alle gespeicherten Daten einer Person zusammen (Art. 15 DSGVO): auf dem Bildschirm
    zum Lesen, mit --text als Textdatei, mit --ausgabe vollständig als Datei."""
    context = ctx(typer_ctx)
    try:
        definitionen = formulare.load_formulare(context.settings.portal.formulare)
    except ProblemReport:  # the answers are shown by their keys then; the Auskunft must not fail
        definitionen = {}
    with session_scope(context.engine, actor="dsgvo:auskunft") as session:
        try:
            found = dsgvo.find_person(session, person)
        except dsgvo.PersonNotFound as exc:
            fail(str(exc), EXIT_NOT_FOUND)
        document = dsgvo.export_person(session, found.id or 0, now=utcnow())
        text = json.dumps(document, ensure_ascii=False, indent=2)
        lesbar = uebersicht(session, document, person_id=found.id or 0, formulare=definitionen)
        if als_json:
            console.print_json(text)
        elif text_datei is not None:
            text_datei.write_text(als_text(lesbar), encoding="utf-8")
            console.print(f"Auskunft für {person} zum Lesen gespeichert in {text_datei}.", highlight=False)
        elif ausgabe is None:
            console.print(lesbar, highlight=False)
            console.print(
                f"\nVollständig, mit technischen Angaben, als Datei für die Person: "
                f"sozialforum dsgvo auskunft {person} --ausgabe auskunft-{found.kennung}.json",
                highlight=False,
            )
    if ausgabe is not None:
        ausgabe.write_text(text + "\n", encoding="utf-8")
        console.print(f"Auskunft für {person} gespeichert in {ausgabe}.", highlight=False)


@app.command("loeschen")
def loeschen(
    typer_ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Kennung oder Id der Person.")],
    ja: Annotated[bool, typer.Option("--ja", help="Löschung bestätigen (nicht umkehrbar).")] = False,
) -> None:
    """Löscht die personenbezogenen Daten einer Person (Art. 17 DSGVO). Sitzungen, Mitgliedschaften
    und Beschlüsse bleiben erhalten, aber ohne Bezug auf die Person."""
    if not ja:
        fail("Die Löschung ist nicht umkehrbar. Zum Bestätigen --ja angeben.")
    context = ctx(typer_ctx)
    with session_scope(context.engine, actor="dsgvo:loeschung") as session:
        try:
            found = dsgvo.find_person(session, person)
        except dsgvo.PersonNotFound as exc:
            fail(str(exc), EXIT_NOT_FOUND)
        counts = dsgvo.erase_person(session, found.id or 0, now=utcnow(), actor="dsgvo:loeschung")
    console.print(f"Person {person} gelöscht. Geleert: {dsgvo.loeschbericht(counts)}.", highlight=False)


@app.command("aufbewahrung")
def aufbewahrung_durchsetzen(
    typer_ctx: typer.Context,
    loeschen: Annotated[
        bool, typer.Option("--loeschen", help="Fällige Angaben löschen; ohne: nur anzeigen, was fällig ist.")
    ] = False,
) -> None:
    """Löscht Kommentare, Bedürfnisse, Vertretungen, Begründungen und Adressänderungen von
    Träger-Beschäftigten nach der Speicherdauer der Datenschutzerklärung
    (rechtliches.speicherdauer_monate nach Ende der Sitzung), samt ihrer Kopie im Änderungsprotokoll.
    Die Einträge selbst bleiben (eine Rückmeldung gab es), nur ohne personenbezogene Angaben.
    Gesendete Nachrichten werden nach mail.inhalt_aufbewahren_tage auf Kopfzeilen, Größe und
    Prüfsumme gekürzt (Text und Anhänge gelöscht)."""
    context = ctx(typer_ctx)
    monate = context.settings.rechtliches.speicherdauer_monate
    with session_scope(context.engine, actor="dsgvo:aufbewahrung") as session:
        if loeschen:
            counts = aufbewahrung.durchsetzen(session, now=utcnow(), monate=monate, settings=context.settings)
        else:
            counts = aufbewahrung.faellig(session, now=utcnow(), monate=monate, settings=context.settings)
    tage = context.settings.mail.inhalt_aufbewahren_tage
    console.print(aufbewahrung.bericht(counts, monate=monate, geloescht=loeschen, tage=tage))
    if not loeschen and any(counts.values()):
        console.print("Zum Löschen: sozialforum dsgvo aufbewahrung --loeschen")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="dsgvo")
