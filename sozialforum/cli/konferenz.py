"""``sozialforum konferenz``: Sozialraumkonferenzen planen, vorbereiten, einladen, verschieben,
absagen, erinnern. Antworten, Postausgang, Teilnehmerliste und Kalender: ``konferenz_post``."""

from __future__ import annotations

import re
from datetime import date, time
from typing import Annotated, Any

import typer
from sqlmodel import select

from sozialforum import outbox
from sozialforum.cli.common import EXIT_NOT_FOUND, EXIT_SERVICE, Nummer, console, ctx, eingerueckt, fail, tabelle
from sozialforum.konferenz import (
    aenderung,
    erinnerung,
    termine,
    versand,
    vorbereitung,
)
from sozialforum.parsing import parse_date
from sozialforum.store import db
from sozialforum.store.models import Gremium, Sitzung
from sozialforum.timeutil import berlin, format_datum_kurz, format_termin, format_termin_kurz, local_to_utc, utcnow
from sozialforum.vocab import SitzungStatus

konferenz_app = typer.Typer(
    help="Sozialraumkonferenzen: planen, vorbereiten, einladen, Antworten, Kalender.", no_args_is_help=True
)

SitzungArg = Annotated[int, typer.Argument(help="Nummer (id) der Sitzung, siehe `konferenz termine`.")]
OhneVersand = Annotated[bool, typer.Option("--ohne-versand", help="Nur in den Postausgang legen, nicht zustellen.")]


def _day(raw: str, option: str) -> date:
    try:
        return parse_date(raw)
    except ValueError as exc:
        fail(f"{option} „{raw}“: {exc}")


def _clock(raw: str) -> time:
    match = re.fullmatch(r"(\d{1,2})[:.](\d{2})( Uhr)?", raw.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        fail(f"--uhrzeit „{raw}“: erwartet HH:MM, z. B. 16:30")
    return time(int(match.group(1)), int(match.group(2)))


def deliver(context, report_lines: list[str]) -> None:
    """Deliver what waits in the outbox, print the report; exit 3 when nothing could be sent."""
    delivery = outbox.deliver_pending(context.engine, context.settings, now=utcnow())
    report_lines.append(f"Zustellung: {delivery.summary()}")
    for line in report_lines:
        console.print(line, highlight=False)
    try:
        delivery.raise_if_all_failed()
    except outbox.DeliveryError as exc:
        fail(str(exc), EXIT_SERVICE)


def _skipped(items: list[vorbereitung.Uebersprungen]) -> list[str]:
    return [f"  nicht eingeladen: {item.name} – {item.grund}" for item in items]


@konferenz_app.command("planen")
def planen(
    typer_ctx: typer.Context,
    gremium: Annotated[str, typer.Option("--gremium", help="Kennung des Gremiums, z. B. SRK-01.")],
    datum: Annotated[str, typer.Option("--datum", help="Tag der (ersten) Sitzung, TT.MM.JJJJ.")],
    uhrzeit: Annotated[str, typer.Option("--uhrzeit", help="Beginn, HH:MM (Ortszeit Berlin).")] = "16:00",
    dauer: Annotated[int | None, typer.Option("--dauer", help="Dauer in Minuten.")] = None,
    ort: Annotated[str | None, typer.Option("--ort", help="Ort, z. B. „Bürgerhaus, Saal 1“.")] = None,
    adresse: Annotated[str | None, typer.Option("--adresse", help="Anschrift des Ortes.")] = None,
    titel: Annotated[str | None, typer.Option("--titel", help="Titel (Standard: Name des Gremiums).")] = None,
    alle_monate: Annotated[int | None, typer.Option("--alle-monate", help="Serie: Abstand in Monaten.")] = None,
    anzahl: Annotated[int, typer.Option("--anzahl", help="Serie: Zahl der Termine.")] = 2,
) -> None:
    """Plant eine Sitzung oder eine Serie (z. B. zweimal im Jahr) in Ortszeit Europe/Berlin."""
    context = ctx(typer_ctx)
    tag, beginn = _day(datum, "--datum"), _clock(uhrzeit)
    with db.session_scope(context.engine, actor="cli:konferenz-planen") as session:
        found = session.exec(select(Gremium).where(Gremium.kennung == gremium)).first()
        if found is None or found.id is None:
            fail(f"Gremium „{gremium}“ nicht gefunden.", EXIT_NOT_FOUND)
        try:
            if alle_monate:
                planned = termine.plan_serie(
                    session,
                    gremium_id=found.id,
                    erster_tag=tag,
                    uhrzeit=beginn,
                    settings=context.settings,
                    intervall_monate=alle_monate,
                    anzahl=anzahl,
                    dauer_minuten=dauer,
                    ort=ort,
                    adresse=adresse,
                    titel=titel,
                )
            else:
                planned = [
                    termine.plan_sitzung(
                        session,
                        gremium_id=found.id,
                        tag=tag,
                        uhrzeit=beginn,
                        settings=context.settings,
                        dauer_minuten=dauer,
                        ort=ort,
                        adresse=adresse,
                        titel=titel,
                    )
                ]
        except termine.TerminFehler as exc:
            fail(str(exc))
        for sitzung in planned:
            due = termine.invitation_due(sitzung, found)
            console.print(
                f"Sitzung {sitzung.id}: {sitzung.titel}, {format_termin(sitzung.beginn)} "
                f"(Einladung am {format_datum_kurz(due)})",
                highlight=False,
            )


@konferenz_app.command("termine")
def termine_anzeigen(typer_ctx: typer.Context) -> None:
    """Zeigt die kommenden Sitzungen mit Stand, Fassung (SEQUENCE) und Einladungstag."""
    context = ctx(typer_ctx)
    with db.session_scope(context.engine, actor="cli") as session:
        rows = termine.upcoming(session, now=utcnow())
        zeilen = [
            [
                Nummer(sitzung.id or 0),
                format_termin_kurz(sitzung.beginn),
                # Most titles name their Gremium; a second column for it cut both off at 100 columns.
                sitzung.titel if gremium.name in sitzung.titel else f"{sitzung.titel} ({gremium.name})",
                SitzungStatus(sitzung.status).label,
                sitzung.ical_sequence,
                format_datum_kurz(termine.invitation_due(sitzung, gremium)),
            ]
            for sitzung, gremium in rows
        ]
    table = tabelle(["Nr.", "Termin", "Sitzung", "Stand", "Fassung", "Einladung am"], zeilen)
    table.columns[1].no_wrap = True
    console.print(table)


@konferenz_app.command("vorbereiten")
def vorbereiten(typer_ctx: typer.Context, sitzung: SitzungArg) -> None:
    """Stellt das Einladungspaket zusammen: Tagesordnung, Unterlagen, Empfänger (ohne zu senden)."""
    context = ctx(typer_ctx)
    with db.session_scope(context.engine, actor="cli:konferenz-vorbereiten") as session:
        try:
            pack = vorbereitung.prepare(session, sitzung, context.settings)
        except LookupError as exc:
            fail(str(exc), EXIT_NOT_FOUND)
        console.print(f"[bold]{pack.sitzung.titel}[/] – {format_termin(pack.sitzung.beginn)}", highlight=False)
        for top in pack.tops:
            console.print(f"  {top.nummer}. {top.titel}", highlight=False)
        console.print(
            f"Sozialraumprofil: {pack.profil.titel if pack.profil else '–'}; "
            f"Protokoll der letzten Sitzung: {pack.protokoll.titel if pack.protokoll else '–'}"
        )
        console.print(f"Empfänger: {len(pack.empfaenger)}")
        for line in _skipped(pack.uebersprungen):
            eingerueckt(line.strip())


@konferenz_app.command("einladen")
def einladen(typer_ctx: typer.Context, sitzung: SitzungArg, ohne_versand: OhneVersand = False) -> None:
    """Lädt ein (E-Mail mit Kalendereinladung); ein zweiter Aufruf lädt nur neue Mitglieder ein."""
    context = ctx(typer_ctx)
    with db.session_scope(context.engine, actor="cli:konferenz-einladen") as session:
        try:
            report = versand.send_invitations(session, sitzung_id=sitzung, now=utcnow(), settings=context.settings)
        except versand.VersandFehler as exc:
            fail(str(exc))
        except LookupError as exc:
            fail(str(exc), EXIT_NOT_FOUND)
    lines = [report.summary(), *_skipped(report.uebersprungen)]
    if ohne_versand:
        console.print("\n".join(lines), highlight=False)
        return
    deliver(context, lines)


@konferenz_app.command("verschieben")
def verschieben(
    typer_ctx: typer.Context,
    sitzung: SitzungArg,
    datum: Annotated[str | None, typer.Option("--datum", help="Neuer Tag, TT.MM.JJJJ.")] = None,
    uhrzeit: Annotated[str | None, typer.Option("--uhrzeit", help="Neuer Beginn, HH:MM.")] = None,
    ort: Annotated[str | None, typer.Option("--ort", help="Neuer Ort.")] = None,
    adresse: Annotated[str | None, typer.Option("--adresse", help="Neue Anschrift.")] = None,
    ohne_versand: OhneVersand = False,
) -> None:
    """Ändert Termin oder Ort; Eingeladene erhalten eine Aktualisierung (gleiche UID, SEQUENCE + 1)."""
    context = ctx(typer_ctx)
    changes: dict[str, Any] = {}
    if ort is not None:
        changes["ort"] = ort
    if adresse is not None:
        changes["adresse"] = adresse
    with db.session_scope(context.engine, actor="cli:konferenz-verschieben") as session:
        current = session.get(Sitzung, sitzung)
        if current is None:
            fail(f"Sitzung {sitzung} nicht gefunden.", EXIT_NOT_FOUND)
        if datum or uhrzeit:
            local = berlin(current.beginn)
            day = _day(datum, "--datum") if datum else local.date()
            clock = _clock(uhrzeit) if uhrzeit else local.time()
            changes["beginn"] = local_to_utc(day, clock.hour, clock.minute)
        try:
            report = aenderung.reschedule(
                session, sitzung_id=sitzung, now=utcnow(), settings=context.settings, **changes
            )
        except versand.VersandFehler as exc:
            fail(str(exc))
    if report is None:
        console.print("Nichts geändert.")
        return
    lines = [report.summary()]
    if ohne_versand:
        console.print("\n".join(lines), highlight=False)
        return
    deliver(context, lines)


@konferenz_app.command("absagen")
def absagen(
    typer_ctx: typer.Context,
    sitzung: SitzungArg,
    grund: Annotated[str | None, typer.Option("--grund", help="Grund, steht in der Absage.")] = None,
    ohne_versand: OhneVersand = False,
) -> None:
    """Sagt die Sitzung ab: METHOD:CANCEL an alle Eingeladenen, keine Erinnerungen mehr."""
    context = ctx(typer_ctx)
    with db.session_scope(context.engine, actor="cli:konferenz-absagen") as session:
        try:
            report = aenderung.cancel(session, sitzung_id=sitzung, now=utcnow(), settings=context.settings, grund=grund)
        except versand.VersandFehler as exc:
            fail(str(exc), EXIT_NOT_FOUND)
    if ohne_versand:
        console.print(report.summary(), highlight=False)
        return
    deliver(context, [report.summary()])


@konferenz_app.command("erinnern")
def erinnern(typer_ctx: typer.Context, ohne_versand: OhneVersand = False) -> None:
    """Erinnert alle, die noch nicht geantwortet haben, an den fälligen Erinnerungstagen."""
    context = ctx(typer_ctx)
    with db.session_scope(context.engine, actor="cli:konferenz-erinnern") as session:
        reports = erinnerung.send_reminders(session, now=utcnow(), settings=context.settings)
    lines = [r.summary() for r in reports] or ["Heute ist keine Erinnerung fällig."]
    if ohne_versand:
        console.print("\n".join(lines), highlight=False)
        return
    deliver(context, lines)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    # Answers, the outbox, participant lists and calendars belong to this group too.
    from sozialforum.cli import konferenz_post  # noqa: F401

    app.add_typer(konferenz_app, name="konferenz")
