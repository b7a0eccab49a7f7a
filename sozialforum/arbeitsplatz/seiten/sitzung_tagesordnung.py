"""A Sitzung's agenda in the workspace: build it from standing items, own TOPs, Träger proposals
and open Aufträge, add, move and remove items, accept or decline proposals, and the documents
of own or proposed items (the invitation carries them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import Response
from sqlmodel import col
from starlette.datastructures import UploadFile

from sozialforum.arbeitsplatz import formular as f
from sozialforum.arbeitsplatz.routen import Bereich, Eingabefehler, aktion, scope
from sozialforum.arbeitsplatz.seiten.sitzungen import NICHT_GEFUNDEN, sitzung_von, weiter
from sozialforum.konferenz import vorbereitung
from sozialforum.konten.zugriff import Recht
from sozialforum.portal.fehler import PortalFehler
from sozialforum.portal.kontexte import StaffContext
from sozialforum.problems import ProblemReport
from sozialforum.protokoll.eingabe import DokumentEingabe, pruefe_dokument
from sozialforum.store.models import Sitzung, Tagesordnungspunkt, Themenvorschlag, TopDokument
from sozialforum.vocab import SitzungStatus, TopQuelle, VorschlagStatus

bereich = Bereich()


# --- agenda ----------------------------------------------------------------------------------


def _tops(ctx: StaffContext, sitzung_id: int) -> list[Tagesordnungspunkt]:
    return list(
        ctx.session.scalars(
            sa.select(Tagesordnungspunkt)
            .where(col(Tagesordnungspunkt.sitzung_id) == sitzung_id)
            .order_by(col(Tagesordnungspunkt.reihenfolge))
        )
    )


def _nummerieren(ctx: StaffContext, tops: list[Tagesordnungspunkt]) -> None:
    """Store ``tops`` in this order, numbered 1…n (out of the unique order's way first)."""
    for index, top in enumerate(tops):
        top.reihenfolge = -1 - index
        ctx.session.add(top)
    ctx.session.flush()
    for position, top in enumerate(tops, start=1):
        top.reihenfolge, top.nummer = position, str(position)
        ctx.session.add(top)
    ctx.session.flush()


def _einfuegen(ctx: StaffContext, tops: list[Tagesordnungspunkt], neu: Tagesordnungspunkt) -> None:
    """Add ``neu`` before the closing standing items ("Verschiedenes"), which stay last."""
    ctx.session.add(neu)
    ctx.session.flush()
    ende = set(ctx.portal.settings.konferenz.tops_ende)
    schluss = [t for t in tops if t.quelle == TopQuelle.STANDARD and t.titel in ende]
    _nummerieren(ctx, [t for t in tops if t not in schluss] + [neu] + schluss)


def _top_loeschen(ctx: StaffContext, top: Tagesordnungspunkt) -> None:
    """Remove an agenda item with its documents."""
    for dokument in ctx.session.scalars(sa.select(TopDokument).where(col(TopDokument.top_id) == top.id)):
        ctx.session.delete(dokument)
    ctx.session.flush()  # the documents first: no relationship tells the flush the order
    ctx.session.delete(top)
    ctx.session.flush()


def _geplant(ctx: StaffContext, sitzung_id: int) -> Sitzung:
    """The Sitzung whose agenda is to change; a cancelled one keeps its agenda as it was."""
    sitzung = sitzung_von(ctx, sitzung_id)
    if sitzung.status == SitzungStatus.ABGESAGT:
        raise Eingabefehler("Die Sitzung ist abgesagt; ihre Tagesordnung bleibt, wie sie war.")
    return sitzung


@bereich.aktion("/sitzungen/{sitzung_id}/vorbereiten", Recht.AENDERN)
async def vorbereiten(request: Request, sitzung_id: int) -> Response:
    """Build the agenda: standing items, the Geschäftsstelle's own, proposals, open Aufträge."""

    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        found = sitzung_von(ctx, sitzung_id)
        if found.status != SitzungStatus.GEPLANT:
            raise Eingabefehler("Die Einladungen sind verschickt; die Tagesordnung wird nicht mehr neu aufgebaut.")
        vorbereitung.prepare(ctx.session, sitzung_id, ctx.portal.settings)
        return weiter(sitzung_id, "vorbereitet")

    return await aktion(request, arbeit)


@bereich.aktion("/sitzungen/{sitzung_id}/top", Recht.AENDERN)
async def top_neu(request: Request, sitzung_id: int) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        _geplant(ctx, sitzung_id)
        titel = f.text(form, "titel", limit=500)
        if not titel:
            raise ValueError("Titel des Tagesordnungspunkts: bitte angeben.")
        tops = _tops(ctx, sitzung_id)
        neu = Tagesordnungspunkt(
            sitzung_id=sitzung_id,
            reihenfolge=len(tops) + 1000,
            nummer="",
            titel=titel,
            beschreibung=f.text(form, "beschreibung", limit=4000) or None,
            oeffentlich=form.get("nichtoeffentlich") != "ja",
            quelle=TopQuelle.GESCHAEFTSSTELLE,
        )
        _einfuegen(ctx, tops, neu)
        return weiter(sitzung_id, "top")

    return await aktion(request, arbeit)


@bereich.aktion("/sitzungen/{sitzung_id}/top/{top_id}", Recht.AENDERN)
async def top_aendern(request: Request, sitzung_id: int, top_id: int) -> Response:
    """Move an item up or down, or remove one of the Geschäftsstelle's own."""

    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        _geplant(ctx, sitzung_id)
        tops = _tops(ctx, sitzung_id)
        index = next((i for i, t in enumerate(tops) if t.id == top_id), None)
        if index is None:
            raise NICHT_GEFUNDEN
        was = form.get("aktion")
        if was == "entfernen":
            if tops[index].quelle != TopQuelle.GESCHAEFTSSTELLE:
                raise Eingabefehler("Nur eigene Punkte der Geschäftsstelle können entfernt werden.")
            _top_loeschen(ctx, tops.pop(index))
        elif was in ("hoch", "runter"):
            ziel = index - 1 if was == "hoch" else index + 1
            if 0 <= ziel < len(tops):
                tops[index], tops[ziel] = tops[ziel], tops[index]
        else:
            raise ValueError("Unbekannte Änderung.")
        _nummerieren(ctx, tops)
        return weiter(sitzung_id, "top")

    return await aktion(request, arbeit)


@bereich.aktion("/sitzungen/{sitzung_id}/vorschlag/{vorschlag_id}", Recht.AENDERN)
async def vorschlag(request: Request, sitzung_id: int, vorschlag_id: int) -> Response:
    """Accept a Träger's proposal onto the agenda, or decline it (its item goes)."""

    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        _geplant(ctx, sitzung_id)
        row = ctx.session.get(Themenvorschlag, vorschlag_id)
        if row is None or row.sitzung_id != sitzung_id:
            raise NICHT_GEFUNDEN
        tops = _tops(ctx, sitzung_id)
        if form.get("entscheidung") == "ablehnen":
            item = next((t for t in tops if t.id == row.tagesordnungspunkt_id), None)
            row.status, row.tagesordnungspunkt_id = VorschlagStatus.ABGELEHNT, None
            ctx.session.add(row)
            ctx.session.flush()
            if item is not None:
                tops.remove(item)
                _top_loeschen(ctx, item)
            _nummerieren(ctx, tops)
            return weiter(sitzung_id, "vorschlag_abgelehnt")
        if form.get("entscheidung") != "uebernehmen":
            raise ValueError("Unbekannte Entscheidung.")
        if row.status == VorschlagStatus.ZURUECKGEZOGEN:
            raise Eingabefehler("Der Träger hat den Vorschlag zurückgezogen.")
        if row.tagesordnungspunkt_id is None or all(t.id != row.tagesordnungspunkt_id for t in tops):
            neu = Tagesordnungspunkt(
                sitzung_id=sitzung_id,
                reihenfolge=len(tops) + 1000,
                nummer="",
                titel=row.titel,
                beschreibung=row.begruendung,
                quelle=TopQuelle.VORSCHLAG,
            )
            _einfuegen(ctx, tops, neu)
            row.tagesordnungspunkt_id = neu.id
        row.status = VorschlagStatus.UEBERNOMMEN
        ctx.session.add(row)
        return weiter(sitzung_id, "vorschlag_uebernommen")

    return await aktion(request, arbeit)


# --- documents of agenda items ------------------------------------------------------------

MIT_DOKUMENTEN = (TopQuelle.GESCHAEFTSSTELLE, TopQuelle.VORSCHLAG)  # generated items are rebuilt


@bereich.aktion("/sitzungen/{sitzung_id}/top/{top_id}/dokument", Recht.AENDERN)
async def dokument_hochladen(request: Request, sitzung_id: int, top_id: int) -> Response:
    """A document for an own or proposed item (PDF, DOCX or Markdown, checked by content); the
    invitation carries it, an update after the invitation too."""

    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        _geplant(ctx, sitzung_id)
        top = ctx.session.get(Tagesordnungspunkt, top_id)
        if top is None or top.sitzung_id != sitzung_id:
            raise NICHT_GEFUNDEN
        if top.quelle not in MIT_DOKUMENTEN:
            raise Eingabefehler("Unterlagen gehören zu eigenen Punkten oder Themenvorschlägen.")
        upload = form.get("datei")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValueError("Datei: bitte ein Dokument auswählen.")
        grenze = int(ctx.portal.settings.protokoll.upload_max_mb * 1024 * 1024)
        try:
            geprueft = pruefe_dokument(
                DokumentEingabe(upload.filename, upload.file.read(grenze + 1)), settings=ctx.portal.settings
            )
        except ProblemReport as report:
            raise Eingabefehler(str(report)) from None
        ctx.session.add(
            TopDokument(
                top_id=top_id,
                dateiname=geprueft.dateiname[:200],
                mimetype=geprueft.mimetype,
                groesse=len(geprueft.inhalt),
                inhalt=geprueft.inhalt,
                hochgeladen_am=ctx.now,
                hochgeladen_von=ctx.benutzer.anzeigename or ctx.benutzer.name,
            )
        )
        return weiter(sitzung_id, "dokument")

    return await aktion(request, arbeit)


@bereich.seite("/sitzungen/{sitzung_id}/dokument/{dokument_id}", Recht.LESEN)
def dokument(request: Request, sitzung_id: int, dokument_id: int) -> Response:
    with scope(request) as ctx:
        row = ctx.session.get(TopDokument, dokument_id)
        top = ctx.session.get(Tagesordnungspunkt, row.top_id) if row is not None else None
        if row is None or top is None or top.sitzung_id != sitzung_id:
            raise PortalFehler(404, "Nicht gefunden", "Dieses Dokument gibt es nicht.")
        return Response(
            row.inhalt,
            media_type=row.mimetype,
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.dateiname)}"},
        )
