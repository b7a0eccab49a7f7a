"""``/gs/...`` actions: exports (CSV/XLSX, formula injection neutralised), revoke or resend a link."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from sozialforum import links as links_service
from sozialforum.channels.tabular import to_csv, to_xlsx
from sozialforum.portal import auswertung, linkversand
from sozialforum.portal.context import Portal
from sozialforum.portal.fehler import PortalFehler
from sozialforum.store import audit
from sozialforum.store.models.akteure import Person
from sozialforum.store.models.gremien import Sitzung
from sozialforum.store.models.kommunikation import PersonalLink
from sozialforum.vocab import AuditAktion

router = APIRouter(prefix="/gs")

NICHT_GEFUNDEN = PortalFehler(404, "Nicht gefunden", "Diesen Eintrag gibt es nicht.")
FORMATE = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _download(name: str, format_: str, header: list[str], rows: list[list[object]]) -> Response:
    if format_ not in FORMATE:
        raise NICHT_GEFUNDEN
    content = to_csv(header, rows) if format_ == "csv" else to_xlsx(name, header, rows)
    filename = f"{name}.{format_}"
    return Response(
        content,
        media_type=FORMATE[format_],
        headers={"content-disposition": f"attachment; filename*=utf-8''{quote(filename)}"},
    )


@router.get("/sitzung/{sitzung_id}/{teil}.{format_}")
def export_sitzung(request: Request, sitzung_id: int, teil: str, format_: str) -> Response:
    with Portal.of(request).staff_scope(request) as ctx:
        if ctx.session.get(Sitzung, sitzung_id) is None:
            raise NICHT_GEFUNDEN
        if teil == "rueckmeldungen":
            header, rows = auswertung.rsvp_table(ctx.session, sitzung_id)
        elif teil == "themenvorschlaege":
            header, rows = auswertung.proposals_table(ctx.session, sitzung_id)
        else:
            raise NICHT_GEFUNDEN
    return _download(f"sitzung-{sitzung_id}-{teil}", format_, header, rows)


@router.get("/formular/{kennung}/antworten.{format_}")
def export_form(request: Request, kennung: str, format_: str) -> Response:
    portal = Portal.of(request)
    formular = portal.formulare.get(kennung)
    if formular is None:
        raise NICHT_GEFUNDEN
    with portal.staff_scope(request) as ctx:
        header, rows = auswertung.form_table(ctx.session, formular)
    return _download(f"formular-{kennung}", format_, header, rows)


# Messages travel as codes, never as text in the URL (no spoofed messages on staff pages).
MELDUNGEN = {
    "widerrufen": "Der Link wurde zurückgezogen.",
    "neu_gesendet": "Ein neuer Link wurde erstellt und in den Postausgang gelegt; der alte gilt nicht mehr.",
    "nicht_zustellbar": "Nicht gesendet: Die Person hat keine E-Mail-Adresse oder keine Einwilligung.",
}


def _back(form: Mapping[str, Any], meldung: str) -> RedirectResponse:
    target = str(form.get("zurueck") or "")
    # Only our own workspace pages: an open redirect would help phishing.
    if not re.fullmatch(r"/arbeitsplatz/[A-Za-z0-9_/\-]*", target):
        target = "/arbeitsplatz/formulare"
    return RedirectResponse(f"{target}?meldung={meldung}", status_code=303)


@router.post("/link/{link_id}/widerrufen")
async def revoke(request: Request, link_id: int) -> Response:
    form = await request.form()
    portal = Portal.of(request)

    def work() -> Response:
        with portal.staff_scope(request, form=form) as ctx:
            old = ctx.session.get(PersonalLink, link_id)
            if old is None:
                raise NICHT_GEFUNDEN
            if old.widerrufen_am is None:
                links_service.revoke_link(ctx.session, link_id=link_id, now=ctx.now)
                # Links are a record (Audit.PROTOKOLL), not hook-audited: staff actions on them are audited here.
                audit.record_bulk(
                    ctx.session,
                    table="personal_link",
                    entries=[(link_id, AuditAktion.UPDATE, {"widerrufen_am": [None, ctx.now.isoformat()]})],
                )
        return _back(form, "widerrufen")

    return await portal.run(work)


@router.post("/link/{link_id}/neu-senden")
async def resend(request: Request, link_id: int) -> Response:
    form = await request.form()
    portal = Portal.of(request)

    def work() -> Response:
        with portal.staff_scope(request, form=form) as ctx:
            old = ctx.session.get(PersonalLink, link_id)
            if old is None:
                raise NICHT_GEFUNDEN
            # Checked before anything changes: a link nobody may be mailed stays as it is.
            person = ctx.session.get(Person, old.person_id)
            if person is None or not person.contactable:
                return _back(form, "nicht_zustellbar")
            new, url = links_service.reissue_link(ctx.session, link_id=link_id, now=ctx.now, settings=portal.settings)
            assert new.id is not None  # flushed
            audit.record_bulk(
                ctx.session,
                table="personal_link",
                entries=[
                    (link_id, AuditAktion.UPDATE, {"ersetzt_durch": new.id, "widerrufen_am": ctx.now.isoformat()}),
                    (new.id, AuditAktion.CREATE, {"ersetzt": link_id}),
                ],
            )
            linkversand.send_link(ctx.session, link=new, url=url, now=ctx.now, settings=portal.settings, ersetzt=True)
        return _back(form, "neu_gesendet")

    return await portal.run(work)
