"""A Sitzung's mail and answers in the workspace: send invitations (a flow run), move or cancel
(the iMIP update or CANCEL goes out by a delivery run), record an answer by hand (with who
recorded it), calendar replies held for an unproven sender (take over or discard), attendance,
and the participant list as HTML, XLSX and PDF."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from sozialforum.arbeitsplatz import formular as f
from sozialforum.arbeitsplatz import laeufe
from sozialforum.arbeitsplatz.routen import Bereich, Eingabefehler, aktion, scope
from sozialforum.arbeitsplatz.seiten.sitzungen import eingeladene, sitzung_von, uhrzeit_aus, weiter
from sozialforum.konferenz import aenderung, antworten, erinnerung, teilnehmerliste, versand, zurueckgehalten
from sozialforum.konferenz.empfaenger import members_on
from sozialforum.konferenz.termine import meeting_day
from sozialforum.konten.zugriff import Recht
from sozialforum.portal.fehler import PortalFehler
from sozialforum.portal.kontexte import StaffContext
from sozialforum.portal.security import REPORT_CONTENT_SECURITY_POLICY
from sozialforum.timeutil import local_to_utc
from sozialforum.vocab import Antwort, AntwortQuelle, SitzungStatus

bereich = Bereich()


@bereich.aktion("/sitzungen/{sitzung_id}/einladen", Recht.AENDERN)
async def einladen(request: Request, sitzung_id: int) -> Response:
    """Invitations as a flow run: rendering and sending hundreds of mails never blocks a page.
    A second run invites only those not yet invited (the outbox keys)."""

    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        found = sitzung_von(ctx, sitzung_id)
        if found.status not in (SitzungStatus.GEPLANT, SitzungStatus.EINGELADEN):
            raise Eingabefehler("Zu einer abgesagten oder vergangenen Sitzung wird nicht eingeladen.")
        return laeufe.starte(ctx, "einladungen", {"sitzung_id": sitzung_id}, titel=f"Einladungen: {found.titel}")

    return await aktion(request, arbeit)


def _zustellen(ctx: StaffContext, bericht: versand.VersandBericht | None, titel: str, sitzung_id: int) -> Response:
    """What a change queued goes out by a delivery run; without mail to send, back to the page."""
    if bericht is None or not bericht.neu:
        return weiter(sitzung_id, "gespeichert")
    return laeufe.starte(ctx, "zustellen", {}, titel=titel)


@bereich.aktion("/sitzungen/{sitzung_id}/erinnern", Recht.AENDERN)
async def erinnern(request: Request, sitzung_id: int) -> Response:
    """Remind those who have not answered yet (once per day left, like the scheduled reminders)."""

    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        found = sitzung_von(ctx, sitzung_id)
        bericht = erinnerung.remind_now(ctx.session, sitzung_id=sitzung_id, now=ctx.now, settings=ctx.portal.settings)
        return _zustellen(ctx, bericht, f"Erinnerung: {found.titel}", sitzung_id)

    return await aktion(request, arbeit)


@bereich.aktion("/sitzungen/{sitzung_id}/verschieben", Recht.AENDERN)
async def verschieben(request: Request, sitzung_id: int) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        found = sitzung_von(ctx, sitzung_id)
        tag = f.datum(form, "tag", "Neues Datum")
        beginn: datetime | None = None
        if tag is not None:
            uhrzeit = uhrzeit_aus(form)
            beginn = local_to_utc(tag, uhrzeit.hour, uhrzeit.minute)
        ort = f.text(form, "ort", limit=300)
        adresse = f.text(form, "adresse", limit=300)
        bericht = aenderung.reschedule(
            ctx.session,
            sitzung_id=sitzung_id,
            now=ctx.now,
            settings=ctx.portal.settings,
            beginn=beginn,
            ende=beginn + (found.ende - found.beginn) if beginn else None,
            ort=ort or found.ort,
            adresse=adresse or found.adresse,
        )
        if bericht is None:
            raise Eingabefehler("Datum, Uhrzeit und Ort sind unverändert; es wurde nichts geändert.")
        return _zustellen(ctx, bericht, f"Änderung mitteilen: {found.titel}", sitzung_id)

    return await aktion(request, arbeit)


@bereich.aktion("/sitzungen/{sitzung_id}/absagen", Recht.AENDERN)
async def absagen(request: Request, sitzung_id: int) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        found = sitzung_von(ctx, sitzung_id)
        if form.get("bestaetigt") != "ja":
            raise ValueError("Absage: bitte das Kästchen „Sitzung wirklich absagen“ ankreuzen.")
        grund = f.text(form, "grund", limit=500) or None
        bericht = aenderung.cancel(
            ctx.session, sitzung_id=sitzung_id, now=ctx.now, settings=ctx.portal.settings, grund=grund
        )
        return _zustellen(ctx, bericht, f"Absage: {found.titel}", sitzung_id)

    return await aktion(request, arbeit)


@bereich.aktion("/sitzungen/{sitzung_id}/antwort", Recht.AENDERN)
async def antwort_erfassen(request: Request, sitzung_id: int) -> Response:
    """An answer by phone or from an assistant's or alias address, entered by the Geschäftsstelle."""

    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        found = sitzung_von(ctx, sitzung_id)
        person_id = f.id_wert(form, "person")
        erlaubt = {p.id for _, p in eingeladene(ctx, sitzung_id)} | {
            p.id for _, p in members_on(ctx.session, found.gremium_id, meeting_day(found))
        }
        if person_id is None or person_id not in erlaubt:
            raise ValueError("Person: bitte eine eingeladene Person oder ein Mitglied des Gremiums wählen.")
        try:
            antwort = Antwort.parse(str(form.get("antwort") or ""))
        except ValueError:
            raise ValueError("Antwort: bitte Zusage, Absage, vielleicht oder Vertretung wählen.") from None
        personen = f.zahl(form, "personen", "Personen")
        if personen is not None and not 0 <= personen <= 20:
            raise ValueError("Personen: 0 bis 20.")
        antworten.record_answer(
            ctx.session,
            sitzung_id=sitzung_id,
            person_id=person_id,
            antwort=antwort,
            quelle=AntwortQuelle.GESCHAEFTSSTELLE,
            now=ctx.now,
            personen=personen,
            kommentar=f.text(form, "kommentar", limit=500) or None,
            erfasst_von=ctx.benutzer.anzeigename or ctx.benutzer.name,
        )
        return weiter(sitzung_id, "antwort")

    return await aktion(request, arbeit)


@bereich.aktion("/sitzungen/{sitzung_id}/zurueckgehalten/{held_id}/uebernehmen", Recht.AENDERN)
async def zurueckgehaltene_uebernehmen(request: Request, sitzung_id: int, held_id: int) -> Response:
    """A calendar reply held because its sender is not proven, taken over: checked again against
    the answers of now and recorded with who took it (the audit trail keeps it too)."""

    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        sitzung_von(ctx, sitzung_id)
        try:
            geaendert = antworten.take_over(
                ctx.session,
                sitzung_id=sitzung_id,
                held_id=held_id,
                now=ctx.now,
                von=ctx.benutzer.anzeigename or ctx.benutzer.name,
                settings=ctx.portal.settings,
            )
        except LookupError as exc:
            raise Eingabefehler(str(exc)) from None
        return weiter(sitzung_id, "antwort_uebernommen" if geaendert else "antwort_neuere")

    return await aktion(request, arbeit)


@bereich.aktion("/sitzungen/{sitzung_id}/zurueckgehalten/{held_id}/verwerfen", Recht.AENDERN)
async def zurueckgehaltene_verwerfen(request: Request, sitzung_id: int, held_id: int) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        sitzung_von(ctx, sitzung_id)
        von = ctx.benutzer.anzeigename or ctx.benutzer.name
        try:
            zurueckgehalten.verwerfen(ctx.session, sitzung_id=sitzung_id, held_id=held_id, now=ctx.now, von=von)
        except LookupError as exc:
            raise Eingabefehler(str(exc)) from None
        return weiter(sitzung_id, "antwort_verworfen")

    return await aktion(request, arbeit)


@bereich.aktion("/sitzungen/{sitzung_id}/anwesenheit", Recht.AENDERN)
async def anwesenheit(request: Request, sitzung_id: int) -> Response:
    """Who came: one checkbox per invited person (from the signed sheet at the door)."""

    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        found = sitzung_von(ctx, sitzung_id)
        if found.beginn - timedelta(hours=2) > ctx.now:
            raise Eingabefehler("Die Anwesenheit wird ab dem Beginn der Sitzung erfasst.")
        da = set(form.getlist("anwesend")) if hasattr(form, "getlist") else set()
        for row, _person in eingeladene(ctx, sitzung_id):
            anwesend = str(row.person_id) in da
            if row.anwesend != anwesend:
                row.anwesend = anwesend
                ctx.session.add(row)
        return weiter(sitzung_id, "anwesenheit")

    return await aktion(request, arbeit)


@bereich.seite("/sitzungen/{sitzung_id}/teilnehmerliste/{format}", Recht.LESEN)
def teilnehmer(request: Request, sitzung_id: int, format: str) -> Response:
    with scope(request) as ctx:
        sitzung_von(ctx, sitzung_id)
        liste = teilnehmerliste.build(ctx.session, sitzung_id=sitzung_id)
        stamm = f"teilnehmerliste-{sitzung_id}"
        if format == "html":
            return HTMLResponse(
                teilnehmerliste.to_html(liste, now=ctx.now),
                headers={"Content-Security-Policy": REPORT_CONTENT_SECURITY_POLICY},
            )
        if format == "xlsx":
            return Response(
                teilnehmerliste.to_xlsx(liste),
                media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                headers={"Content-Disposition": f'attachment; filename="{stamm}.xlsx"'},
            )
        if format == "pdf":
            return Response(
                teilnehmerliste.to_pdf(liste),
                media_type="application/pdf",
                headers={"Content-Disposition": f'attachment; filename="{stamm}.pdf"'},
            )
        raise PortalFehler(404, "Nicht gefunden", "Die Teilnehmerliste gibt es als html, xlsx oder pdf.")
