"""``sozialforum konferenz`` (continued): what comes back and what waits after the invitation —
answers and bounces, the outbox and unclear deliveries — and the participant list and calendars
written from the store. Registered into the same group by ``konferenz.register``."""

from __future__ import annotations

import getpass
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import select

from sozialforum import outbox
from sozialforum.cli.common import EXIT_INPUT, EXIT_NOT_FOUND, EXIT_SERVICE, Nummer, console, ctx, fail, tabelle
from sozialforum.cli.konferenz import SitzungArg, deliver, konferenz_app
from sozialforum.konferenz import antworten, feeds, kalenderadresse, teilnehmerliste
from sozialforum.outbox import unklar as unklar_
from sozialforum.store import db
from sozialforum.store.models import Gremium, OutboxMessage, Person
from sozialforum.timeutil import format_anzahl, format_termin, utcnow
from sozialforum.vocab import NachrichtArt, OutboxStatus


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
    for problem in report.probleme + report.zurueckgehalten + report.ohne_nachweis:
        console.print(f"  {problem.herkunft}: {problem.grund}", highlight=False)
    if report.zurueckgehalten:
        console.print("Zurückgehaltene Antworten übernimmt oder verwirft die Geschäftsstelle bei der Sitzung.")
    if report.probleme or report.zurueckgehalten:  # scripts see that answers wait or were refused
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
    deliver(context, lines)


@konferenz_app.command("postausgang")
def postausgang(typer_ctx: typer.Context) -> None:
    """Zeigt den Postausgang nach Art und Stand."""
    from collections import Counter

    context = ctx(typer_ctx)
    with db.session_scope(context.engine, actor="cli") as session:
        counts = Counter(
            (NachrichtArt.benenne(m.art), OutboxStatus(m.status).label) for m in session.exec(select(OutboxMessage))
        )
    zeilen = [
        [art, status, count]
        for (art, status), count in sorted(counts.items(), key=lambda i: (i[0][0].casefold(), i[0][1]))
    ]
    console.print(tabelle(["Art", "Stand", "Anzahl"], zeilen))
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
        zeilen = [
            [Nummer(m.id or 0), m.empfaenger, m.betreff[:60], format_termin(m.uebergabe_am) if m.uebergabe_am else "–"]
            for m in offen
        ]
    table = tabelle(["Nr.", "An", "Betreff", "Übergabe begonnen"], zeilen)
    if not offen:
        console.print("Keine Nachricht mit unklarer Zustellung.", highlight=False)
        return
    console.print(table)
    console.print(
        f"{format_anzahl(len(offen), 'Nachricht', 'Nachrichten')} mit unklarer Zustellung. "
        "Bitte beim Mailserver prüfen, ob sie angenommen wurden, dann „--als-zugestellt NR“ oder „--erneut-senden NR“.",
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
    neue_adresse: Annotated[
        bool,
        typer.Option(
            "--neue-adresse",
            help="Kalenderadresse neu erzeugen: die bisherige gilt nicht mehr (weitergegebene Adresse).",
        ),
    ] = False,
    mitteilen: Annotated[
        bool,
        typer.Option(
            "--mitteilen",
            help="Mit --neue-adresse: die neue Adresse per E-Mail schicken (der Person, beim Gremium jedem "
            "heutigen Mitglied); versendet mit „sozialforum konferenz zustellen“.",
        ),
    ] = False,
) -> None:
    """Schreibt einen abonnierbaren Kalender (.ics) eines Gremiums oder einer Person und nennt
    die Adresse zum Abonnieren."""
    context = ctx(typer_ctx)
    if (gremium is None) == (person is None):
        fail("Bitte genau eines angeben: --gremium oder --person.")
    if mitteilen and not neue_adresse:
        fail("--mitteilen gilt nur zusammen mit --neue-adresse.")
    mitteilung: kalenderadresse.Mitteilung | None = None
    now: datetime = utcnow()
    with db.session_scope(context.engine, actor="cli") as session:
        if gremium is not None:
            found = session.exec(select(Gremium).where(Gremium.kennung == gremium)).first()
            if found is None or found.id is None:
                fail(f"Gremium „{gremium}“ nicht gefunden.", EXIT_NOT_FOUND)
            if neue_adresse:
                feeds.neue_adresse(session, found)
                if mitteilen:
                    mitteilung = kalenderadresse.mitteilen(session, found, now=now, settings=context.settings)
            data = feeds.gremium_feed(session, gremium_id=found.id, now=now, settings=context.settings)
            name, url = f"gremium-{gremium}.ics", feeds.gremium_feed_url(context.settings, found)
        else:
            someone = session.exec(select(Person).where(Person.kennung == person)).first()
            if someone is None or someone.id is None or someone.geloescht_am is not None:
                fail(f"Person „{person}“ nicht gefunden.", EXIT_NOT_FOUND)
            if neue_adresse:
                feeds.neue_adresse(session, someone)
                if mitteilen:
                    mitteilung = kalenderadresse.mitteilen(session, someone, now=now, settings=context.settings)
            data = feeds.person_feed(session, person_id=someone.id, now=now, settings=context.settings)
            name, url = f"person-{person}.ics", feeds.person_feed_url(context.settings, someone)
    target = ziel or context.settings.reports_dir / "kalender" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    console.print(f"Kalender: {target}\nZum Abonnieren (Portal): {url}", highlight=False)
    if neue_adresse:
        console.print("Die bisherige Kalenderadresse gilt nicht mehr.", highlight=False)
    if mitteilung is not None:
        console.print(f"Neue Adresse mitteilen: {mitteilung.text}.", highlight=False)
        if mitteilung.neu:
            console.print("Versand: sozialforum konferenz zustellen", highlight=False)
