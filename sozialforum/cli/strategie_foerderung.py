"""The funding procedure and the evaluation round of ``strategie`` (Förderaufruf, Anträge,
Entscheidung, Dynamisierung, Verwendungsnachweis, Urteil, Bewertungsrunde); the project list,
resources and reports are in ``cli.strategie``, whose command group these commands join."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session, col, select

from sozialforum.cli.common import EXIT_NOT_FOUND, console, ctx, fail
from sozialforum.cli.strategie import app
from sozialforum.parsing import parse_date, parse_decimal_text
from sozialforum.problems import ProblemReport
from sozialforum.store.db import session_scope
from sozialforum.store.models import (
    Bewertungsrunde,
    Foerderantrag,
    Foerderaufruf,
    Foerderentscheidung,
    Massnahme,
    Organisation,
    Person,
)
from sozialforum.strategie import bewertung, foerderentscheidung, foerderung
from sozialforum.timeutil import format_anzahl, format_euro, format_zahl, utcnow
from sozialforum.vocab import OrganisationArt, Urteil


def _datum(raw: str, option: str) -> date:
    try:
        return parse_date(raw)
    except ValueError as exc:
        fail(f"{option} „{raw}“: {exc}")


def _betrag(raw: str, option: str) -> Decimal:
    try:
        return Decimal(parse_decimal_text(raw))
    except (ValueError, InvalidOperation) as exc:
        fail(f"{option} „{raw}“: {exc}")


def _aufruf(session: Session, kennung: str) -> Foerderaufruf:
    found = session.exec(select(Foerderaufruf).where(Foerderaufruf.kennung == kennung)).first()
    if found is None:
        fail(f"Kein Förderaufruf mit der Kennung „{kennung}“.", EXIT_NOT_FOUND)
    return found


def _antrag(session: Session, kennung: str) -> Foerderantrag:
    found = session.exec(select(Foerderantrag).where(Foerderantrag.kennung == kennung)).first()
    if found is None:
        fail(f"Kein Förderantrag mit der Kennung „{kennung}“.", EXIT_NOT_FOUND)
    return found


@app.command("einladen")
def einladen(
    typer_ctx: typer.Context,
    aufruf: Annotated[str, typer.Argument(help="Kennung des Förderaufrufs.")],
    traeger: Annotated[
        list[str] | None,
        typer.Option("--traeger", help="Kennung eines Trägers (mehrfach; Standard: alle freien Träger und Vereine)."),
    ] = None,
) -> None:
    """Schickt den Ansprechpersonen der Träger ihren persönlichen Antragslink."""
    context = ctx(typer_ctx)
    arten = (OrganisationArt.FREIER_TRAEGER.value, OrganisationArt.VEREIN.value)
    with session_scope(context.engine, actor="cli:foerderung") as session:
        call = _aufruf(session, aufruf)
        query = select(col(Person.id)).join(Organisation, col(Organisation.id) == Person.organisation_id)
        query = (
            query.where(col(Organisation.kennung).in_(traeger))
            if traeger
            else query.where(col(Organisation.art).in_(arten))
        )
        person_ids = [i for i in session.exec(query) if i is not None]
        count = foerderung.einladen(
            session, aufruf=call, person_ids=person_ids, now=utcnow(), settings=context.settings
        )
    einladungen = format_anzahl(count, "Einladung", "Einladungen")
    console.print(f"{einladungen} zum Förderaufruf „{call.titel}“ in den Postausgang gelegt.")


@app.command("entscheiden")
def entscheiden(
    typer_ctx: typer.Context,
    antrag: Annotated[str, typer.Argument(help="Kennung des Antrags, z. B. FA-2026-001.")],
    von: Annotated[str, typer.Option("--von", help="Beginn des Förderzeitraums TT.MM.JJJJ.")],
    bis: Annotated[str, typer.Option("--bis", help="Ende des Förderzeitraums TT.MM.JJJJ.")],
    betrag: Annotated[str, typer.Option("--betrag", help="Bewilligter Betrag in Euro.")] = "0",
    ablehnen: Annotated[bool, typer.Option("--ablehnen", help="Antrag ablehnen (mit --begruendung).")] = False,
    begruendung: Annotated[
        str, typer.Option("--begruendung", help="Pflicht bei Ablehnung und bei mehr als beantragt.")
    ] = "",
    auflagen: Annotated[str, typer.Option("--auflagen", help="Auflagen des Bescheids.")] = "",
    raten: Annotated[int, typer.Option("--raten", help="Zahl der Raten.")] = 1,
    von_person: Annotated[
        str, typer.Option("--entschieden-von", help="Name der Person, die entscheidet.")
    ] = "Geschäftsstelle",
) -> None:
    """Entscheidet über einen Antrag: Bescheid als PDF, Raten, Frist des Verwendungsnachweises."""
    context = ctx(typer_ctx)
    decision = foerderentscheidung.Entscheidung(
        bewilligt=not ablehnen,
        betrag=_betrag(betrag, "--betrag"),
        von=_datum(von, "--von"),
        bis=_datum(bis, "--bis"),
        auflagen=auflagen,
        begruendung=begruendung,
        raten=raten,
    )
    try:
        with session_scope(context.engine, actor=f"cli:{von_person}") as session:
            row = foerderentscheidung.entscheiden(
                session,
                antrag=_antrag(session, antrag),
                entscheidung=decision,
                entschieden_von=von_person,
                now=utcnow(),
                settings=context.settings,
            )
    except ProblemReport as report:
        fail(str(report))
    target = context.settings.reports_dir / "foerderung"
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"bescheid_{antrag}.pdf"
    path.write_bytes(row.bescheid_pdf or b"")
    frist = (
        f", Verwendungsnachweis bis {row.verwendungsnachweis_frist:%d.%m.%Y}" if row.verwendungsnachweis_frist else ""
    )
    console.print(
        f"{'Bewilligt' if row.bewilligt else 'Abgelehnt'}: {antrag} {format_euro(row.betrag_eur, 2)}{frist}. "
        f"Bescheid: {path}"
    )


@app.command("dynamisierung")
def dynamisierung(
    typer_ctx: typer.Context, antrag: Annotated[str, typer.Argument(help="Kennung des Antrags.")]
) -> None:
    """Zeigt den Kostenplan des Folgejahres nach der eingestellten Dynamisierungsregel mit Herleitung."""
    context = ctx(typer_ctx)
    with session_scope(context.engine, actor="cli") as session:
        result = foerderung.dynamisierung_fuer(_antrag(session, antrag), context.settings)
    for step in result.herleitung:
        console.print(step.text())
    console.print(
        f"Bedarf bisher {format_euro(result.vorher.bedarf, 2)}, künftig {format_euro(result.nachher.bedarf, 2)} "
        f"(+{format_euro(result.mehrbedarf, 2)})."
    )


@app.command("nachweis")
def nachweis(
    typer_ctx: typer.Context,
    antrag: Annotated[str, typer.Argument(help="Kennung des Antrags.")],
    ausgaben: Annotated[str, typer.Option("--ausgaben", help="Ausgaben laut zahlenmäßigem Nachweis (€).")],
    sachbericht: Annotated[Path, typer.Option("--sachbericht", help="Textdatei mit dem Sachbericht.")],
    eingang: Annotated[str, typer.Option("--eingang", help="Eingangsdatum TT.MM.JJJJ.")],
) -> None:
    """Erfasst den Verwendungsnachweis; die Frist ist damit erledigt."""
    context = ctx(typer_ctx)
    try:
        text = sachbericht.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{sachbericht}: {exc}")
    try:
        with session_scope(context.engine, actor="cli:foerderung") as session:
            found = _antrag(session, antrag)
            row = session.exec(select(Foerderentscheidung).where(Foerderentscheidung.antrag_id == found.id)).first()
            if row is None or not row.bewilligt:
                fail(f"Zum Antrag {antrag} gibt es keine Bewilligung.", EXIT_NOT_FOUND)
            foerderung.nachweis_eingegangen(
                session,
                entscheidung=row,
                sachbericht=text,
                ausgaben=_betrag(ausgaben, "--ausgaben"),
                eingegangen_am=_datum(eingang, "--eingang"),
            )
    except ProblemReport as report:
        fail(str(report))
    console.print(f"Verwendungsnachweis zu {antrag} erfasst.")


@app.command("urteil")
def urteil(
    typer_ctx: typer.Context,
    runde: Annotated[str, typer.Argument(help="Kennung der Bewertungsrunde.")],
    projekt: Annotated[str, typer.Argument(help="Kennung des Projekts.")],
    wert: Annotated[str, typer.Argument(help=f"Bewertung: {Urteil.choices()}.")],
    begruendung: Annotated[str, typer.Option("--begruendung", help="Begründung (Pflicht).")],
    frist: Annotated[
        str | None,
        typer.Option("--frist", help="Frist des Folgeauftrags TT.MM.JJJJ (bei Prüfauftrag und Weiterentwicklung)."),
    ] = None,
    von_person: Annotated[
        str, typer.Option("--von", help="Wer bewertet (Geschäftsstelle, Steuerungsgruppe).")
    ] = "Steuerungsgruppe",
) -> None:
    """Hält die Bewertung eines Projekts in einer Bewertungsrunde fest; ein Prüfauftrag oder eine
    Weiterentwicklung wird ein Auftrag mit Frist."""
    context = ctx(typer_ctx)
    try:
        chosen = Urteil.parse(wert)
    except ValueError:
        fail(f"Unbekannte Bewertung „{wert}“; erlaubt: {Urteil.choices()}.")
    try:
        with session_scope(context.engine, actor=f"cli:{von_person}") as session:
            round_ = session.exec(select(Bewertungsrunde).where(Bewertungsrunde.kennung == runde)).first()
            massnahme = session.exec(select(Massnahme).where(Massnahme.kennung == projekt)).first()
            if round_ is None or massnahme is None:
                fail(f"Keine Bewertungsrunde „{runde}“ oder kein Projekt „{projekt}“.", EXIT_NOT_FOUND)
            row = bewertung.bewerten(
                session,
                runde=round_,
                massnahme=massnahme,
                urteil=chosen,
                begruendung=begruendung,
                von=von_person,
                now=utcnow(),
                folge_frist=_datum(frist, "--frist") if frist else None,
            )
    except ProblemReport as report:
        fail(str(report))
    extra = " (Folgeauftrag angelegt)" if row.folgeauftrag_id else ""
    console.print(f"{projekt}: {chosen.label}{extra}.")


@app.command("runde")
def runde(
    typer_ctx: typer.Context,
    kennung: Annotated[str, typer.Argument(help="Kennung der Bewertungsrunde, z. B. BR-2025.")],
    titel: Annotated[str, typer.Option("--titel", help="Titel, z. B. „Bewertungsrunde 2022–2025“.")],
    von: Annotated[int, typer.Option("--von", help="Erstes Jahr des Bewertungszeitraums.")],
    bis: Annotated[int, typer.Option("--bis", help="Letztes Jahr des Bewertungszeitraums.")],
    frist: Annotated[str, typer.Option("--frist", help="Berichtsfrist TT.MM.JJJJ.")],
    strategie: Annotated[
        str | None, typer.Option("--strategie", help="Kennung der Strategie (Standard: die neueste).")
    ] = None,
) -> None:
    """Startet eine Bewertungsrunde: jedes Projekt mit Mitteln im Zeitraum wird um seinen Bericht
    gebeten (Flow „bewertungsrunde“, der danach täglich erinnert und den Stand meldet)."""
    from sozialforum.flows.bewertungsrunde import bewertungsrunde
    from sozialforum.store.models import Strategie

    context = ctx(typer_ctx)
    try:
        with session_scope(context.engine, actor="cli:bewertungsrunde") as session:
            query = select(Strategie)
            query = (
                query.where(Strategie.kennung == strategie) if strategie else query.order_by(col(Strategie.id).desc())
            )
            found = session.exec(query).first()
            _, stand = bewertung.runde_anlegen(
                session,
                kennung=kennung,
                titel=titel,
                strategie_id=found.id if found else None,
                von=von,
                bis=bis,
                berichtsfrist=_datum(frist, "--frist"),
                now=utcnow(),
            )
    except ProblemReport as report:
        fail(str(report))
    console.print(
        f"{titel}: {format_anzahl(stand.projekte, 'Projekt', 'Projekte')}, "
        f"{format_zahl(stand.ohne_ansprechperson)} ohne Ansprechperson."
    )
    for r in bewertungsrunde(konfiguration=_config_arg(typer_ctx), runde=kennung):
        console.print(
            f"{r['anfragen']} Anfragen verschickt; {r['eingegangen']} von {r['projekte']} Berichten eingegangen."
        )


def _config_arg(typer_ctx: typer.Context) -> str | None:
    path = ctx(typer_ctx).config_file
    return str(path) if path else None
