"""``sozialforum konferenz``: Sozialraumkonferenzen planen, vorbereiten, einladen, verschieben,
absagen, erinnern; Antworten einlesen, Postausgang zustellen, Teilnehmerliste und Kalender."""

from __future__ import annotations

import getpass
import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlmodel import select

from sozialforum import outbox
from sozialforum.cli.common import EXIT_INPUT, EXIT_NOT_FOUND, EXIT_SERVICE, console, ctx, fail
from sozialforum.konferenz import (
    aenderung,
    antworten,
    erinnerung,
    feeds,
    teilnehmerliste,
    termine,
    versand,
    vorbereitung,
)
from sozialforum.outbox import unklar as unklar_
from sozialforum.parsing import parse_date
from sozialforum.store import db
from sozialforum.store.models import Gremium, OutboxMessage, Person, Sitzung
from sozialforum.timeutil import berlin, format_termin, local_to_utc, utcnow
from sozialforum.vocab import OutboxStatus, SitzungStatus

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


def _deliver(context, report_lines: list[str]) -> None:
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
                f"(Einladung am {due.strftime('%d.%m.%Y')})",
                highlight=False,
            )


@konferenz_app.command("termine")
def termine_anzeigen(typer_ctx: typer.Context) -> None:
    """Zeigt die kommenden Sitzungen mit Stand, Fassung (SEQUENCE) und Einladungstag."""
    context = ctx(typer_ctx)
    with db.session_scope(context.engine, actor="cli") as session:
        rows = termine.upcoming(session, now=utcnow())
        table = Table("Nr.", "Termin", "Titel", "Gremium", "Stand", "Fassung", "Einladung am")
        for sitzung, gremium in rows:
            table.add_row(
                str(sitzung.id),
                format_termin(sitzung.beginn),
                sitzung.titel,
                gremium.name,
                SitzungStatus(sitzung.status).label,
                str(sitzung.ical_sequence),
                termine.invitation_due(sitzung, gremium).strftime("%d.%m.%Y"),
            )
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
            console.print(line, highlight=False)


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
    _deliver(context, lines)


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
    _deliver(context, lines)


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
    _deliver(context, [report.summary()])


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
    _deliver(context, lines)


@konferenz_app.command("antworten")
def antworten_einlesen(
    typer_ctx: typer.Context,
    dateien: Annotated[
        list[Path] | None,
        typer.Argument(help="Gespeicherte Antworten (.eml, .ics); ohne Angabe: das konfigurierte Postfach."),
    ] = None,
) -> None:
    """Liest Kalenderantworten (Zusage, Absage, vielleicht) und Unzustellbarkeitsmeldungen ein."""
    context = ctx(typer_ctx)
    if dateien:
        missing = [str(path) for path in dateien if not path.is_file()]
        if missing:
            fail(f"Datei nicht gefunden: {', '.join(missing)}", EXIT_INPUT)
        report = antworten.process_files(
            context.engine, dateien, now=utcnow(), actor="cli:konferenz-antworten", settings=context.settings
        )
    else:
        if not (context.settings.mail.imap_host or context.settings.mail.maildir):
            fail("Kein Postfach konfiguriert (Abschnitt mail: imap_host oder maildir).", EXIT_INPUT)
        try:
            report = antworten.process_mailbox(
                context.engine, context.settings, now=utcnow(), actor="cli:konferenz-antworten"
            )
        except OSError as exc:
            fail(f"Postfach nicht erreichbar: {exc}", EXIT_SERVICE)
    console.print(report.summary())
    for problem in report.probleme:
        console.print(f"  {problem.herkunft}: {problem.grund}", highlight=False)
    if report.probleme:  # scripts see that answers were refused (the rest was recorded)
        raise typer.Exit(EXIT_INPUT)


@konferenz_app.command("zustellen")
def zustellen(
    typer_ctx: typer.Context,
    erneut: Annotated[
        bool,
        typer.Option("--fehlgeschlagene-erneut", help="Endgültig fehlgeschlagene Nachrichten noch einmal versuchen."),
    ] = False,
) -> None:
    """Stellt zu, was im Postausgang wartet (jede Nachricht genau einmal)."""
    context = ctx(typer_ctx)
    lines = []
    if erneut:
        with db.session_scope(context.engine, actor="cli:konferenz-zustellen") as session:
            lines.append(f"{outbox.requeue_failed(session)} fehlgeschlagene Nachrichten erneut eingereiht")
    _deliver(context, lines)


@konferenz_app.command("postausgang")
def postausgang(typer_ctx: typer.Context) -> None:
    """Zeigt den Postausgang nach Art und Stand."""
    from collections import Counter

    context = ctx(typer_ctx)
    with db.session_scope(context.engine, actor="cli") as session:
        counts = Counter((m.art, OutboxStatus(m.status).label) for m in session.exec(select(OutboxMessage)))
    table = Table("Art", "Stand", "Anzahl")
    for (art, status), count in sorted(counts.items()):
        table.add_row(art, status, str(count))
    console.print(table)
    console.print(f"Ohne SMTP-Server liegen die Nachrichten als .eml in {context.settings.outbox_dir}", highlight=False)


@konferenz_app.command("unklar")
def unklar(
    typer_ctx: typer.Context,
    zugestellt: Annotated[
        list[int] | None,
        typer.Option(
            "--als-zugestellt", help="Nummer einer Nachricht, die der Mailserver hat: als zugestellt bestätigen."
        ),
    ] = None,
    erneut: Annotated[
        list[int] | None,
        typer.Option("--erneut-senden", help="Nummer einer Nachricht, die der Mailserver nicht hat: erneut senden."),
    ] = None,
) -> None:
    """Zeigt Nachrichten mit unklarer Zustellung (Übergabe begonnen, keine Antwort des Mailservers)
    und entscheidet über sie: als zugestellt bestätigen oder erneut senden."""
    context = ctx(typer_ctx)
    actor = f"cli:{getpass.getuser()}"  # the person who decided, in the audit trail
    if zugestellt or erneut:
        try:
            with db.session_scope(context.engine, actor=actor) as session:
                now = utcnow()
                bestaetigt = unklar_.confirm_delivered(session, zugestellt or [], actor=actor, now=now)
                eingereiht = unklar_.send_again(session, erneut or [], actor=actor, now=now)
        except ValueError as exc:
            fail(str(exc))
        console.print(
            f"{bestaetigt} als zugestellt bestätigt, {eingereiht} erneut eingereiht "
            "(versendet beim nächsten Zustelllauf, z. B. „sozialforum konferenz zustellen“).",
            highlight=False,
        )
        return
    with db.session_scope(context.engine, actor="cli") as session:
        offen = unklar_.uncertain_messages(session)
        table = Table("Nr.", "An", "Betreff", "Übergabe begonnen")
        for m in offen:
            table.add_row(
                str(m.id), m.empfaenger, m.betreff[:60], format_termin(m.uebergabe_am) if m.uebergabe_am else "–"
            )
    if not offen:
        console.print("Keine Nachricht mit unklarer Zustellung.", highlight=False)
        return
    console.print(table)
    console.print(
        f"{len(offen)} Nachrichten mit unklarer Zustellung. Bitte beim Mailserver prüfen, ob sie angenommen "
        "wurden, dann „--als-zugestellt NR“ oder „--erneut-senden NR“.",
        highlight=False,
    )


@konferenz_app.command("teilnehmerliste")
def teilnehmerliste_schreiben(
    typer_ctx: typer.Context,
    sitzung: SitzungArg,
    ziel: Annotated[Path | None, typer.Option("--ziel", help="Verzeichnis (Standard: data_dir/berichte).")] = None,
) -> None:
    """Schreibt die Teilnehmerliste einer Sitzung als HTML und XLSX."""
    context = ctx(typer_ctx)
    with db.session_scope(context.engine, actor="cli") as session:
        try:
            liste = teilnehmerliste.build(session, sitzung_id=sitzung)
        except LookupError as exc:
            fail(str(exc), EXIT_NOT_FOUND)
        html, xlsx = teilnehmerliste.write(
            liste, ziel or context.settings.reports_dir / "teilnehmerlisten", now=utcnow()
        )
    console.print(f"Teilnehmerliste: {html}\n                 {xlsx}", highlight=False)


@konferenz_app.command("kalender")
def kalender(
    typer_ctx: typer.Context,
    gremium: Annotated[str | None, typer.Option("--gremium", help="Kennung des Gremiums.")] = None,
    person: Annotated[str | None, typer.Option("--person", help="Kennung der Person.")] = None,
    ziel: Annotated[
        Path | None, typer.Option("--ziel", help="Datei (.ics); Standard: data_dir/berichte/kalender.")
    ] = None,
) -> None:
    """Schreibt einen abonnierbaren Kalender (.ics) eines Gremiums oder einer Person."""
    context = ctx(typer_ctx)
    if (gremium is None) == (person is None):
        fail("Bitte genau eines angeben: --gremium oder --person.")
    now: datetime = utcnow()
    with db.session_scope(context.engine, actor="cli") as session:
        if gremium is not None:
            found = session.exec(select(Gremium).where(Gremium.kennung == gremium)).first()
            if found is None or found.id is None:
                fail(f"Gremium „{gremium}“ nicht gefunden.", EXIT_NOT_FOUND)
            data = feeds.gremium_feed(session, gremium_id=found.id, now=now, settings=context.settings)
            name, url = f"gremium-{gremium}.ics", feeds.gremium_feed_url(context.settings, gremium)
        else:
            someone = session.exec(select(Person).where(Person.kennung == person)).first()
            if someone is None or someone.id is None or someone.geloescht_am is not None:
                fail(f"Person „{person}“ nicht gefunden.", EXIT_NOT_FOUND)
            data = feeds.person_feed(session, person_id=someone.id, now=now, settings=context.settings)
            name, url = f"person-{person}.ics", feeds.person_feed_url(context.settings, someone.id)
    target = ziel or context.settings.reports_dir / "kalender" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    console.print(f"Kalender: {target}\nZum Abonnieren (Portal): {url}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.add_typer(konferenz_app, name="konferenz")
