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
from sozialforum.konten.zugriff import Recht
from sozialforum.portal.fehler import PortalFehler

bereich = Bereich()
BEREICHE = {
    "berichte/": "Berichte und Listen",
    "outbox/": "Nachrichten als Datei (ohne Mailserver)",
    "dateien/": "Weitere Dateien",
}
ANZAHL = 500


@bereich.seite("/ablage", Recht.LESEN)
def liste(request: Request) -> Response:
    """The keys of one area (``?bereich=berichte/``); with ``?schluessel=`` the file itself."""
    schluessel = request.query_params.get("schluessel")
    with scope(request) as ctx:
        settings = ctx.portal.settings
        if schluessel is not None:
            if not schluessel.startswith(tuple(BEREICHE)):
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
        if gewaehlt not in BEREICHE:
            gewaehlt = "berichte/"
        fehler = None
        try:
            keys = ablage.auflisten(settings, gewaehlt)
        except ablage.AblageFehler as exc:
            keys, fehler = [], str(exc)
        return render(
            ctx,
            "arbeitsplatz/ablage.html",
            bereiche=BEREICHE,
            gewaehlt=gewaehlt,
            dateien=[(key, key.removeprefix(gewaehlt), quote(key, safe="")) for key in keys[:ANZAHL]],
            weitere=max(0, len(keys) - ANZAHL),
            fehler=fehler,
            ort=settings.ablage.s3_endpunkt if settings.ablage.art == "s3" else None,
        )
