"""Protokoll commands: request the draft, see where the minutes stand, decide on a draft.

``freigeben`` answers the paused ``protokoll_einsammeln`` run with the typed input (as the
Prefect UI would); when no run waits, it records the decision and distributes right here.
"""

from __future__ import annotations

import time
from typing import Annotated

import sqlalchemy as sa
import typer
from rich.table import Table
from sqlmodel import col

from sozialforum.cli.common import EXIT_NOT_FOUND, EXIT_SERVICE, Context, console, ctx, eingerueckt, fail
from sozialforum.outbox import DeliveryError, deliver_pending
from sozialforum.protokoll import ansicht
from sozialforum.protokoll.anfordern import remind_late, request_draft
from sozialforum.protokoll.endfassung import finalize
from sozialforum.protokoll.freigabe import decide
from sozialforum.protokoll.lage import ProtokollFehler, decision_for, protokoll_for_sitzung, version
from sozialforum.protokoll.teilnehmende import teilnehmende
from sozialforum.store.db import session_scope
from sozialforum.store.models import Gremium, Protokoll, Sitzung
from sozialforum.timeutil import format_datum_kurz, format_termin, format_termin_kurz, utcnow
from sozialforum.vocab import ProtokollEntscheidung, ProtokollStatus

app = typer.Typer(help="Protokolle: Entwurf anfordern, Stand zeigen, freigeben oder zurückgeben.", no_args_is_help=True)

SitzungOption = Annotated[int, typer.Option("--sitzung", "-s", help="Id der Sitzung.")]


def _deliver(context: Context) -> None:
    try:
        report = deliver_pending(context.engine, context.settings, now=utcnow())
        report.raise_if_all_failed()
    except DeliveryError as exc:
        fail(f"{exc} Die Nachrichten bleiben im Postausgang und werden später gesendet.", EXIT_SERVICE)
    if report.attempted:
        console.print(f"Postausgang: {report.summary()}", highlight=False)


def _protokoll(session: sa.orm.Session, sitzung: int) -> Protokoll:
    found = protokoll_for_sitzung(session, sitzung)
    if found is None:
        fail(
            f"Für Sitzung {sitzung} wurde noch kein Protokoll angefordert "
            f"(sozialforum protokoll anfordern --sitzung {sitzung}).",
            EXIT_NOT_FOUND,
        )
    return found


@app.command("anfordern")
def anfordern(typer_ctx: typer.Context, sitzung: SitzungOption) -> None:
    """Fordert den Protokollentwurf bei der Protokollführung an (einmal) und erinnert, wenn fällig."""
    context = ctx(typer_ctx)
    now = utcnow()
    try:
        with session_scope(context.engine, actor="cli:protokoll") as session:
            protokoll = request_draft(session, sitzung_id=sitzung, now=now, settings=context.settings)
            done = remind_late(session, protokoll_id=protokoll.id or 0, now=now, settings=context.settings)
            status = ProtokollStatus(protokoll.status).label
    except ProtokollFehler as exc:
        fail(str(exc))
    console.print(f"Protokoll der Sitzung {sitzung}: {status}. " + "; ".join(done), highlight=False)
    _deliver(context)


@app.command("status")
def status(typer_ctx: typer.Context) -> None:
    """Zeigt alle Protokolle mit Stand, Version, Fristen und dem auf die Freigabe wartenden Lauf."""
    context = ctx(typer_ctx)
    # Shares of the width by ratio: at 100 columns fixed widths cut the Gremium to "Sozialraumkonfer…".
    table = Table(expand=True)
    table.add_column("Nr.", no_wrap=True, justify="right")
    table.add_column("Gremium", ratio=3)
    table.add_column("Datum", no_wrap=True)
    table.add_column("Stand", ratio=2)
    table.add_column("Version", no_wrap=True, justify="right")
    table.add_column("Frist", ratio=3)
    with session_scope(context.engine, actor="cli:protokoll") as session:
        rows = session.execute(
            sa.select(Protokoll, Sitzung, Gremium)
            .join(Sitzung, col(Sitzung.id) == col(Protokoll.sitzung_id))
            .join(Gremium, col(Gremium.id) == col(Sitzung.gremium_id))
            .order_by(col(Sitzung.beginn))
        ).all()
        for protokoll, sitzung_row, gremium in rows:
            if protokoll.status == ProtokollStatus.EINGEREICHT and protokoll.kommentar_bis:
                until = f"Kommentare bis {format_termin_kurz(protokoll.kommentar_bis)}"
            elif protokoll.status in (ProtokollStatus.ANGEFORDERT, ProtokollStatus.ZURUECKGEGEBEN):
                until = f"Entwurf bis {format_datum_kurz(protokoll.entwurf_frist)}"
            else:
                until = "–"
            table.add_row(
                str(sitzung_row.id),
                gremium.name,
                format_datum_kurz(sitzung_row.beginn),
                ProtokollStatus(protokoll.status).label,
                str(protokoll.aktuelle_version),
                until,
            )
    console.print(table if rows else "Noch keine Protokolle.")
    # Under the table: a run id is 36 characters, a column for it cut every other one short.
    for protokoll, sitzung_row, _ in rows:
        if protokoll.freigabe_lauf_id:
            console.print(f"Sitzung {sitzung_row.id}: der Lauf {protokoll.freigabe_lauf_id} wartet auf die Freigabe.")


@app.command("zeigen")
def zeigen(typer_ctx: typer.Context, sitzung: SitzungOption) -> None:
    """Zeigt den aktuellen Entwurf einer Sitzung mit Aufträgen, Kommentaren und Entscheidungen."""
    context = ctx(typer_ctx)
    with session_scope(context.engine, actor="cli:protokoll") as session:
        protokoll = _protokoll(session, sitzung)
        view = ansicht.current_view(session, protokoll)
        console.print(f"[bold]Stand:[/] {ProtokollStatus(protokoll.status).label}", highlight=False)
        if view["version"] is None:
            console.print(f"Noch kein Entwurf; erbeten bis {format_datum_kurz(protokoll.entwurf_frist)}.")
            return
        console.print(f"[bold]Version {view['version'].nummer}[/] vom {format_termin(view['version'].eingereicht_am)}")
        for entry in view["eintraege"]:
            console.print(f"\n[bold]TOP {entry['nummer']}: {entry['titel']}[/]", highlight=False)
            for label in ("diskussion", "ergebnis"):
                if entry[label]:
                    eingerueckt(f"{label.capitalize()}: {entry[label]}")
        if view["dokument"] is not None:
            console.print(f"\nDokument: {view['dokument'].dateiname}", highlight=False)
        for item in view["punkte"]:
            eingerueckt(
                f"{item['nummer']}. {item['art']}: {item['beschreibung']} – {item['verantwortlich']}, "
                f"Frist {format_datum_kurz(item['frist'])}"
            )
        names = {p.id: p.anzeigename for p in teilnehmende(session, session.get_one(Sitzung, sitzung))}
        for line in ansicht.comment_lines(session, protokoll, names, view["version"].id):
            eingerueckt(f"Kommentar von {line['name']}: {line['text']}")


def _decided_by_run(context: Context, protokoll_id: int, seconds: float) -> bool:
    """Whether the resumed run recorded a decision on the current version within ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        with session_scope(context.engine, actor="cli:protokoll") as session:
            protokoll = session.get(Protokoll, protokoll_id)
            current = version(session, protokoll) if protokoll else None
            if current is not None and current.id and decision_for(session, current.id) is not None:
                return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.5)


@app.command("freigeben")
def freigeben(
    typer_ctx: typer.Context,
    sitzung: SitzungOption,
    zurueckgeben: Annotated[bool, typer.Option("--zurueckgeben", help="Zur Überarbeitung zurückgeben.")] = False,
    anmerkungen: Annotated[str, typer.Option("--anmerkungen", "-a", help="Was soll überarbeitet werden?")] = "",
    von: Annotated[str, typer.Option("--von", help="Wer entscheidet (für den Verlauf).")] = "Geschäftsstelle",
    warten: Annotated[
        float,
        typer.Option(
            "--warten", help="Sekunden, die der fortgesetzte Lauf zum Übernehmen hat, bevor hier entschieden wird."
        ),
    ] = 60,
) -> None:
    """Gibt den aktuellen Entwurf frei (oder mit --zurueckgeben und Anmerkungen zurück)."""
    context = ctx(typer_ctx)
    entscheidung = ProtokollEntscheidung.ZURUECKGEBEN if zurueckgeben else ProtokollEntscheidung.FREIGEBEN
    if zurueckgeben and not anmerkungen.strip():
        fail('Für eine Rückgabe sind Anmerkungen nötig: --anmerkungen "…".')
    with session_scope(context.engine, actor="cli:protokoll") as session:
        protokoll = _protokoll(session, sitzung)
        current = version(session, protokoll)
        earlier = decision_for(session, current.id) if current and current.id else None
        lauf = protokoll.freigabe_lauf_id
    if earlier is not None and protokoll.status != ProtokollStatus.FREIGEGEBEN:
        console.print(
            f"Version {protokoll.aktuelle_version} wurde bereits "
            f"{ProtokollEntscheidung(earlier.entscheidung).label}; es wurde nichts geändert."
        )
        return
    if lauf and earlier is None:
        from sozialforum.flows.protokoll_einsammeln import resume_with_decision

        if resume_with_decision(lauf, entscheidung=entscheidung.value, anmerkungen=anmerkungen, entschieden_von=von):
            console.print(f"Der wartende Lauf {lauf} ist mit „{entscheidung.label}“ fortgesetzt.")
            if _decided_by_run(context, protokoll.id or 0, warten):
                console.print("Der Lauf hat die Entscheidung gespeichert; er verteilt bzw. gibt zurück.")
                return
            # The run did not take it up (its process may have died): decide here; one decision
            # per version keeps a late run from acting twice.
            console.print("Der Lauf hat nicht reagiert; die Entscheidung wird hier gespeichert.")
    now = utcnow()
    try:
        with session_scope(context.engine, actor="cli:protokoll") as session:
            result = decide(
                session,
                protokoll_id=protokoll.id or 0,
                version_nummer=None,
                entscheidung=entscheidung,
                anmerkungen=anmerkungen,
                entschieden_von=von,
                quelle="cli",
                now=now,
                settings=context.settings,
            )
            summary = (
                finalize(session, protokoll_id=protokoll.id or 0, now=now, settings=context.settings).zusammenfassung()
                if entscheidung == ProtokollEntscheidung.FREIGEBEN
                else ""
            )
    except ProtokollFehler as exc:
        fail(str(exc))
    console.print(result.meldung + (f" {summary}" if summary else ""), highlight=False)
    _deliver(context)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="protokoll")
