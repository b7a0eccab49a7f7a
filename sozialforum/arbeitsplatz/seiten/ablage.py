"""``/arbeitsplatz/ablage``: the outputs in the configured storage (reports, participant lists,
.eml files written without SMTP), listed and downloaded from whichever machine wrote them.

Only the output areas are shown (``berichte/``, ``outbox/``, ``dateien/``): with the folder
default the storage is ``data_dir`` itself, which also holds files that are nobody's download.
"""

from __future__ import annotations

import mimetypes
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response

from sozialforum import ablage
from sozialforum.arbeitsplatz.routen import Bereich, render, scope
from sozialforum.konten.zugriff import Recht, darf
from sozialforum.portal.fehler import PortalFehler
from sozialforum.portal.kontexte import StaffContext

bereich = Bereich()
BEREICHE = {
    "berichte/": "Berichte und Listen",
    "outbox/": "Nachrichten als Datei (ohne Mailserver)",
    "dateien/": "Weitere Dateien",
}
ANZAHL = 500
# Mails written as files carry the recipients' personal links: only for who may act anyway
# (the Leitung reads, and must not answer in a Träger's name).
NUR_MIT_AENDERN = "outbox/"


def _bereiche(ctx: StaffContext) -> dict[str, str]:
    if darf(ctx.benutzer, Recht.AENDERN):
        return BEREICHE
    return {key: label for key, label in BEREICHE.items() if key != NUR_MIT_AENDERN}


@bereich.seite("/ablage", Recht.LESEN)
def liste(request: Request) -> Response:
    """The keys of one area (``?bereich=berichte/``); with ``?schluessel=`` the file itself."""
    schluessel = request.query_params.get("schluessel")
    with scope(request) as ctx:
        settings = ctx.portal.settings
        bereiche = _bereiche(ctx)
        if schluessel is not None:
            if not schluessel.startswith(tuple(bereiche)):
                raise PortalFehler(404, "Nicht gefunden", "Diese Datei gibt es in der Ablage nicht.")
            try:
                inhalt = ablage.lesen(settings, schluessel)
            except (FileNotFoundError, ablage.AblageFehler) as exc:
                raise PortalFehler(404, "Nicht gefunden", "Diese Datei gibt es in der Ablage nicht.") from exc
            name = schluessel.rsplit("/", 1)[-1]
            return Response(
                inhalt,
                media_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
                headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
            )
        gewaehlt = request.query_params.get("bereich", "berichte/")
        if gewaehlt not in bereiche:
            gewaehlt = "berichte/"
        fehler = None
        try:
            keys = ablage.auflisten(settings, gewaehlt)
        except ablage.AblageFehler as exc:
            keys, fehler = [], str(exc)
        return render(
            ctx,
            "arbeitsplatz/ablage.html",
            bereiche=bereiche,
            gewaehlt=gewaehlt,
            dateien=[(key, key.removeprefix(gewaehlt), quote(key, safe="")) for key in keys[:ANZAHL]],
            weitere=max(0, len(keys) - ANZAHL),
            fehler=fehler,
            ort=settings.ablage.s3_endpunkt if settings.ablage.art == "s3" else None,
        )
