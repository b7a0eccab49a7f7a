"""Uploading an actor list (Gebiete, Träger, Personen, Gremien, Mitgliedschaften) in the
workspace: a dry run with the all-or-nothing importer that says what would change — or every
problem with file, row and column — and changes nothing; then applying the kept file."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from sozialforum.arbeitsplatz import hochladen
from sozialforum.arbeitsplatz.routen import Bereich, Eingabefehler, aktion, render, scope
from sozialforum.konten.zugriff import Recht
from sozialforum.portal.fehler import PortalFehler
from sozialforum.portal.kontexte import StaffContext
from sozialforum.problems import ProblemReport
from sozialforum.stammdaten import vorlagen
from sozialforum.stammdaten.importer import import_file
from sozialforum.stammdaten.listen import ORDER, TITEL

bereich = Bereich()
ENDUNGEN = (".csv", ".xlsx")
assert set(TITEL) == set(ORDER), "every list the importer knows can be uploaded"


def _liste(form: Mapping[str, Any]) -> str:
    kind = str(form.get("liste") or "")
    if kind not in TITEL:
        raise ValueError("Art der Liste: bitte wählen.")
    return kind


@bereich.seite("/akteure/vorlage/{kind}", Recht.LESEN)
def vorlage(request: Request, kind: str) -> Response:
    """The Excel template of a list: its columns, drop-downs and an explanation sheet."""
    with scope(request):  # the login and the route's right
        if kind not in TITEL:
            raise PortalFehler(404, "Nicht gefunden", "Diese Liste gibt es nicht.")
    return Response(
        vorlagen.vorlage_xlsx(kind),
        media_type=vorlagen.MEDIA_TYPE,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(vorlagen.dateiname(kind))}"},
    )


@bereich.aktion("/akteure/import/pruefen", Recht.AENDERN)
async def pruefen(request: Request) -> Response:
    """Import inside a transaction that is rolled back: the counts of what would change, or the
    problems. A clean file is kept under a token of this user for ``uebernehmen``."""

    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        kind = _liste(form)
        name, inhalt = hochladen.lesen(ctx, form, endungen=ENDUNGEN, was="eine Liste (CSV oder Excel)")
        token, pfad = hochladen.behalten(ctx, name, inhalt)
        with Session(ctx.portal.engine) as probe:
            try:
                ergebnis = import_file(probe, kind, pfad)
            except ProblemReport as report:
                hochladen.verwerfen(pfad)
                return render(
                    ctx, "arbeitsplatz/akteure_import.html", datei=name, liste=TITEL[kind], probleme=report.problems
                )
            finally:
                probe.rollback()
        return render(
            ctx,
            "arbeitsplatz/akteure_import.html",
            datei=name,
            liste=TITEL[kind],
            kind=kind,
            probleme=[],
            ergebnis=ergebnis,
            token=token,
        )

    return await aktion(request, arbeit)


@bereich.aktion("/akteure/import/uebernehmen", Recht.AENDERN)
async def uebernehmen(request: Request) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        kind = _liste(form)
        pfad = hochladen.einloesen(ctx, form)
        try:  # checked again: the store may have changed since the dry run
            import_file(ctx.session, kind, pfad)
        except ProblemReport as report:
            raise Eingabefehler(str(report)) from None
        hochladen.verwerfen(pfad)
        return RedirectResponse("/arbeitsplatz/akteure?meldung=importiert", status_code=303)

    return await aktion(request, arbeit)
