"""User administration (Geschäftsstelle) and one's own account (second factor)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import col

from sozialforum.arbeitsplatz import formular as f
from sozialforum.arbeitsplatz.routen import Bereich, aktion, render, scope
from sozialforum.arbeitsplatz.seiten.planung import stellen
from sozialforum.konten import benutzer as konten
from sozialforum.konten import totp, verzeichnis
from sozialforum.konten.zugriff import Recht
from sozialforum.portal.fehler import PortalFehler
from sozialforum.portal.kontexte import StaffContext
from sozialforum.store.models import Benutzer, Person
from sozialforum.vocab import BenutzerRolle

bereich = Bereich()
NICHT_GEFUNDEN = PortalFehler(404, "Nicht gefunden", "Diesen Benutzer gibt es nicht.")


def _rolle(form: Mapping[str, Any]) -> BenutzerRolle:
    try:
        return BenutzerRolle.parse(f.text(form, "rolle") or "")
    except ValueError:
        raise ValueError("Rolle: bitte eine der angebotenen Rollen wählen.") from None


def _person_kennung(ctx: StaffContext, person_id: int | None) -> str:
    if person_id is None:
        return ""
    person = ctx.session.get(Person, person_id)
    return person.kennung if person else ""


@bereich.seite("/benutzer", Recht.BENUTZER)
def liste(request: Request) -> Response:
    with scope(request) as ctx:
        users = ctx.session.scalars(sa.select(Benutzer).order_by(Benutzer.name)).all()
        return render(
            ctx,
            "arbeitsplatz/benutzer.html",
            users=users,
            angemeldet=konten.angemeldet(ctx.session, now=ctx.now, leerlauf=ctx.portal.leerlauf),
            rollen=list(BenutzerRolle),
            rollen_labels={r.value: r.label for r in BenutzerRolle},
            stellen=stellen(ctx.session),
        )


@bereich.aktion("/benutzer", Recht.BENUTZER)
async def anlegen(request: Request) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        name = f.text(form, "name", limit=80).lower()
        if ctx.session.scalar(sa.select(col(Benutzer.id)).where(col(Benutzer.name) == name)) is not None:
            raise ValueError(f"Den Benutzernamen „{name}“ gibt es schon; bitte ändern Sie das Konto in der Liste.")
        konten.create_user(
            ctx.session,
            name=name,
            anzeigename=f.text(form, "anzeigename", limit=200),
            password=str(form.get("passwort") or ""),
            now=ctx.now,
            rolle=_rolle(form),
            organisation_id=f.id_wert(form, "stelle"),
            person_id=f.person_nach_kennung(ctx.session, form, "person", "Person"),
        )
        return RedirectResponse("/arbeitsplatz/benutzer?meldung=angelegt", status_code=303)

    return await aktion(request, arbeit)


@bereich.seite("/benutzer/{benutzer_id}", Recht.BENUTZER)
def seite(request: Request, benutzer_id: int) -> Response:
    with scope(request) as ctx:
        user = ctx.session.get(Benutzer, benutzer_id)
        if user is None:
            raise NICHT_GEFUNDEN
        return render(
            ctx,
            "arbeitsplatz/benutzer_bearbeiten.html",
            u=user,
            person_kennung=_person_kennung(ctx, user.person_id),
            rollen=list(BenutzerRolle),
            stellen=stellen(ctx.session),
        )


@bereich.aktion("/benutzer/{benutzer_id}", Recht.BENUTZER)
async def aendern(request: Request, benutzer_id: int) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        user = ctx.session.get(Benutzer, benutzer_id)
        if user is None:
            raise NICHT_GEFUNDEN
        aktiv = f.text(form, "aktiv") == "ja"
        if user.id == ctx.benutzer.id and (not aktiv or _rolle(form) != BenutzerRolle.GESCHAEFTSSTELLE):
            raise ValueError("Das eigene Konto kann man nicht sperren oder herabstufen (sonst fehlt der Zugang).")
        konten.update_user(
            ctx.session,
            user,
            anzeigename=f.text(form, "anzeigename", limit=200),
            rolle=_rolle(form),
            organisation_id=f.id_wert(form, "stelle"),
            person_id=f.person_nach_kennung(ctx.session, form, "person", "Person"),
            aktiv=aktiv,
            now=ctx.now,
            password=str(form.get("passwort") or "") or None,
            sitzung=ctx.sitzung,
        )
        return RedirectResponse(f"/arbeitsplatz/benutzer/{benutzer_id}?meldung=gespeichert", status_code=303)

    return await aktion(request, arbeit)


@bereich.seite("/konto", Recht.ANGEMELDET)
def konto(request: Request) -> Response:
    with scope(request) as ctx:
        # A fresh secret is offered on every visit; it only counts once a code from it is entered.
        secret = totp.new_secret()
        return render(
            ctx,
            "arbeitsplatz/konto.html",
            geheimnis=secret,
            uri=totp.provisioning_uri(
                secret, account=ctx.benutzer.name, issuer=ctx.portal.settings.geschaeftsstelle.name
            ),
        )


@bereich.aktion("/konto/zwei-faktoren", Recht.ANGEMELDET)
async def zwei_faktoren(request: Request) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        if f.text(form, "aus") == "ja":
            if not verzeichnis.passwort_stimmt(ctx.portal.settings, ctx.benutzer, str(form.get("passwort") or "")):
                raise ValueError("Passwort: zum Ausschalten bitte Ihr Passwort angeben.")
            konten.set_totp(ctx.session, ctx.benutzer, secret=None, code="", now=ctx.now, sitzung=ctx.sitzung)
            return RedirectResponse("/arbeitsplatz/konto?meldung=totp_aus", status_code=303)
        secret = f.text(form, "geheimnis", limit=64)
        if len(secret) < 16:
            raise ValueError("Der Schlüssel fehlt; bitte laden Sie die Seite neu.")
        code = f.text(form, "code", limit=10)
        konten.set_totp(ctx.session, ctx.benutzer, secret=secret, code=code, now=ctx.now, sitzung=ctx.sitzung)
        return RedirectResponse("/arbeitsplatz/konto?meldung=totp_an", status_code=303)

    return await aktion(request, arbeit)
