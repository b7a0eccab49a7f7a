"""Datenlieferungen in the workspace: every delivery with its state, and withdrawing one with a
reason (the same ``daten.lieferung.zurueckziehen`` as ``sozialforum daten zurueckziehen``): its
values are removed in the request's transaction, the row stays as the record, and the
computation starts as a run. The same file can then be loaded again."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import Response
from sqlmodel import col

from sozialforum.arbeitsplatz import laeufe
from sozialforum.arbeitsplatz.routen import Bereich, aktion, render, scope
from sozialforum.daten.lieferung import finde_lieferung, zurueckziehen
from sozialforum.konten.zugriff import Recht, darf
from sozialforum.portal.kontexte import StaffContext
from sozialforum.problems import ProblemReport
from sozialforum.store.models import Datenlieferung

bereich = Bereich()


@bereich.seite("/daten/lieferungen", Recht.LESEN)
def lieferungen(request: Request) -> Response:
    with scope(request) as ctx:
        alle = ctx.session.scalars(sa.select(Datenlieferung).order_by(col(Datenlieferung.id).desc())).all()
        return render(
            ctx,
            "arbeitsplatz/daten_lieferungen.html",
            lieferungen=alle,
            akteure=[key for row in alle for key in (row.akteur, row.zurueckgezogen_von)],
            darf_aendern=darf(ctx.benutzer, Recht.AENDERN),
        )


@bereich.aktion("/daten/lieferungen/zurueckziehen", Recht.AENDERN)
async def zurueckziehen_seite(request: Request) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        nummer = str(form.get("lieferung") or "").strip()
        if not nummer.isdigit():
            raise ValueError("Lieferung: bitte eine Lieferung wählen.")
        try:
            lieferung = finde_lieferung(ctx.session, nummer)
            rueckzug = zurueckziehen(
                ctx.session, lieferung, grund=str(form.get("grund") or ""), akteur=ctx.benutzer.name, now=ctx.now
            )
        except LookupError as exc:
            raise ValueError(str(exc)) from None
        except ProblemReport as report:
            raise ValueError("; ".join(p.meldung for p in report.problems)) from None
        titel = f"Kennzahlen berechnen (Lieferung {rueckzug.lieferung_id} zurückgezogen)"
        return laeufe.starte(ctx, "berechnung", {}, titel=titel)

    return await aktion(request, arbeit)
