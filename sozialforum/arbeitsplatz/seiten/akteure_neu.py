"""Entering one person by hand — a Träger calls with a new colleague: her details, a Kennung
made from her name, the legal basis of writing to her (nobody is invited without one) and,
if she joins one at once, her first Gremium. Lists of many people are uploaded instead."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.arbeitsplatz import formular as f
from sozialforum.arbeitsplatz.routen import Bereich, aktion, formularseite, scope
from sozialforum.arbeitsplatz.seiten import akteure_auswahl as auswahl
from sozialforum.konten.zugriff import Recht
from sozialforum.portal.kontexte import StaffContext
from sozialforum.stammdaten import kennung as kennungen
from sozialforum.store.models import Gremium, Mitgliedschaft, Person
from sozialforum.vocab import MitgliedRolle, Rechtsgrundlage

bereich = Bereich()


def angaben_setzen(session: Session, form: Mapping[str, Any], person: Person) -> None:
    """The person's own details from a workspace form, checked; the same for new and edited."""
    nachname = f.text(form, "nachname", limit=100)
    if not nachname:
        raise f.Ungueltig("nachname", "Nachname: bitte angeben.")
    email = f.email(form)
    organisation = auswahl.traeger_id(session, form, "organisation", "Organisation")
    person.anrede = f.text(form, "anrede", limit=20) or None
    person.vorname = f.text(form, "vorname", limit=100) or None
    person.nachname = nachname
    person.email = email
    person.telefon = f.text(form, "telefon", limit=60) or None
    person.funktion = f.text(form, "funktion", limit=200) or None
    person.organisation_id = organisation


def kontakt_setzen(form: Mapping[str, Any], person: Person, *, heute: date) -> None:
    """The legal basis of writing to the person (Art. 6 DSGVO); a consent needs its source."""
    try:
        person.rechtsgrundlage = Rechtsgrundlage.parse(str(form.get("rechtsgrundlage") or ""))
    except ValueError:
        raise f.Ungueltig(
            "rechtsgrundlage", "Rechtsgrundlage: bitte wählen – ohne sie wird die Person nicht angeschrieben."
        ) from None
    quelle = f.text(form, "quelle", limit=200)
    if person.rechtsgrundlage == Rechtsgrundlage.EINWILLIGUNG and not quelle:
        raise f.Ungueltig("quelle", "Quelle der Einwilligung: bitte angeben (z. B. Formular vom 12.03.2026).")
    person.einwilligung_am = f.datum(form, "am", "Datum") or heute
    person.einwilligung_quelle = quelle or None
    person.abgemeldet_am = None


def neue_kennung(session: Session, person: Person) -> str:
    """``p-nachname-vorname``, numbered when taken: readable in lists, stable after renaming."""
    return kennungen.frei(
        session, Person, kennungen.stamm(("p", person.nachname, person.vorname), (1, 20, 12), ersatz="p")
    )


def _formular(ctx: StaffContext, werte: Mapping[str, str], fehler: Mapping[str, str]) -> Response:
    return formularseite(
        ctx,
        "arbeitsplatz/person_neu.html",
        werte,
        fehler,
        # A Träger typed that named none exactly: what it matches (never the whole list).
        vorschlaege=auswahl.traeger_suchen(ctx.session, werte["organisation"]).eintraege
        if "organisation" in fehler
        else [],
        gremien=ctx.session.execute(sa.select(col(Gremium.id), col(Gremium.name)).order_by(col(Gremium.name))).all(),
        grundlagen=list(Rechtsgrundlage),
        rollen=list(MitgliedRolle),
    )


@bereich.seite("/akteure/personen/neu", Recht.AENDERN)
def person_neu(request: Request) -> Response:
    with scope(request) as ctx:
        return _formular(ctx, {"rolle": "mitglied", "von": ctx.now.date().isoformat()}, {})


@bereich.aktion("/akteure/personen/neu", Recht.AENDERN)
async def person_anlegen(request: Request) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        person = Person(kennung="", nachname="")
        angaben_setzen(ctx.session, form, person)
        kennung = f.text(form, "kennung", limit=40)
        if kennung and ctx.session.scalar(sa.select(col(Person.id)).where(col(Person.kennung) == kennung)):
            raise f.Ungueltig("kennung", f"Kennung: „{kennung}“ ist schon vergeben.")
        person.kennung = kennung or neue_kennung(ctx.session, person)
        kontakt_setzen(form, person, heute=ctx.now.date())
        ctx.session.add(person)
        ctx.session.flush()
        gremium_id = f.id_wert(form, "gremium")
        if gremium_id is not None:
            if ctx.session.get(Gremium, gremium_id) is None:
                raise f.Ungueltig("gremium", "Gremium: bitte aus der Liste wählen.")
            try:
                rolle = MitgliedRolle.parse(str(form.get("rolle") or "mitglied"))
            except ValueError:
                raise f.Ungueltig("rolle", "Rolle: bitte wählen.") from None
            ctx.session.add(
                Mitgliedschaft(
                    gremium_id=gremium_id,
                    person_id=person.id,  # type: ignore[arg-type]  # flushed above
                    organisation_id=person.organisation_id,
                    rolle=rolle,
                    von=f.datum(form, "von", "Mitglied seit") or ctx.now.date(),
                )
            )
        return RedirectResponse(f"/arbeitsplatz/akteure/personen/{person.id}?meldung=angelegt", status_code=303)

    return await aktion(request, arbeit, formular=_formular)
