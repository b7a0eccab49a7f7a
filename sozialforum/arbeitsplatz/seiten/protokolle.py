"""Protokolle: status per Sitzung, the current draft with comments and versions, and the
decision (approve, or return with remarks).

A decision resumes the paused ``protokoll_einsammeln`` run exactly as ``sozialforum protokoll
freigeben`` does: when a run waits and the app was given ``protokoll_fortsetzen`` (the CLI and
the tests pass ``flows.protokoll_einsammeln.resume_with_decision``; the domain never imports
Prefect), the run gets the decision and records and distributes it. Without a waiting run, the
decision is recorded here and the final version is queued in the outbox (``decide`` +
``finalize``), which the delivery flow sends; nothing is mailed inside the request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import col

from sozialforum.arbeitsplatz import formular as f
from sozialforum.arbeitsplatz.routen import Bereich, aktion, render, scope
from sozialforum.konten.zugriff import Recht, darf
from sozialforum.portal.fehler import PortalFehler
from sozialforum.portal.kontexte import StaffContext
from sozialforum.protokoll import ansicht
from sozialforum.protokoll.endfassung import finalize
from sozialforum.protokoll.freigabe import decide
from sozialforum.protokoll.lage import ProtokollFehler, decision_for, version, versions
from sozialforum.protokoll.teilnehmende import teilnehmende
from sozialforum.store.models import Gremium, Protokoll, Sitzung
from sozialforum.vocab import ProtokollEntscheidung, ProtokollStatus

bereich = Bereich()
NICHT_GEFUNDEN = PortalFehler(404, "Nicht gefunden", "Dieses Protokoll gibt es nicht.")

# (lauf_id, entscheidung, anmerkungen, entschieden_von) -> True if a waiting run took it.
Fortsetzen = Callable[[str, str, str, str], bool]


@bereich.seite("/protokolle", Recht.LESEN)
def liste(request: Request) -> Response:
    with scope(request) as ctx:
        rows = ctx.session.execute(
            sa.select(Protokoll, Sitzung, col(Gremium.name))
            .join(Sitzung, col(Sitzung.id) == col(Protokoll.sitzung_id))
            .join(Gremium, col(Gremium.id) == col(Sitzung.gremium_id))
            .order_by(col(Sitzung.beginn).desc())
            .limit(200)
        ).all()
        return render(
            ctx,
            "arbeitsplatz/protokolle.html",
            zeilen=[(p, s, g, ProtokollStatus(p.status).label) for p, s, g in rows],
        )


@bereich.seite("/protokolle/{protokoll_id}", Recht.LESEN)
def seite(request: Request, protokoll_id: int) -> Response:
    with scope(request) as ctx:
        protokoll = ctx.session.get(Protokoll, protokoll_id)
        if protokoll is None:
            raise NICHT_GEFUNDEN
        sitzung = ctx.session.get(Sitzung, protokoll.sitzung_id)
        assert sitzung is not None
        view = ansicht.current_view(ctx.session, protokoll)
        names: dict[int | None, str] = {p.id: p.anzeigename for p in teilnehmende(ctx.session, sitzung)}
        alle = versions(ctx.session, protokoll)
        entscheidungen = {v.id: decision_for(ctx.session, v.id or 0) for v in alle}
        current = view["version"]
        offen = (
            current is not None
            and protokoll.status == ProtokollStatus.EINGEREICHT
            and entscheidungen.get(current.id) is None
        )
        return render(
            ctx,
            "arbeitsplatz/protokoll.html",
            p=protokoll,
            sitzung=sitzung,
            status_label=ProtokollStatus(protokoll.status).label,
            view=view,
            kommentare=ansicht.comment_lines(ctx.session, protokoll, names, current.id if current else None),
            versionen=[(v, entscheidungen[v.id]) for v in alle],
            entscheidung_labels={e.value: e.label for e in ProtokollEntscheidung},
            offen=offen,
            darf_entscheiden=darf(ctx.benutzer, Recht.AENDERN),
        )


@bereich.aktion("/protokolle/{protokoll_id}/entscheidung", Recht.AENDERN)
async def entscheidung(request: Request, protokoll_id: int) -> Response:
    fortsetzen: Fortsetzen | None = getattr(request.app.state, "protokoll_fortsetzen", None)

    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        protokoll = ctx.session.get(Protokoll, protokoll_id)
        if protokoll is None:
            raise NICHT_GEFUNDEN
        zurueck = f.text(form, "entscheidung") == ProtokollEntscheidung.ZURUECKGEBEN.value
        wahl = ProtokollEntscheidung.ZURUECKGEBEN if zurueck else ProtokollEntscheidung.FREIGEBEN
        anmerkungen = f.text(form, "anmerkungen", limit=5000)
        if zurueck and not anmerkungen:
            raise ValueError("Anmerkungen: für eine Rückgabe bitte angeben, was überarbeitet werden soll.")
        current = version(ctx.session, protokoll)
        if current is None or current.id is None:
            raise ValueError("Es liegt noch kein Entwurf vor, über den entschieden werden könnte.")
        von = f"{ctx.benutzer.anzeigename} ({ctx.benutzer.name})"
        meldung = "zurueckgegeben" if zurueck else "freigegeben"
        ziel = f"/arbeitsplatz/protokolle/{protokoll_id}?meldung={meldung}"
        if decision_for(ctx.session, current.id) is not None:
            return RedirectResponse(ziel, status_code=303)
        lauf = protokoll.freigabe_lauf_id
        if lauf and fortsetzen is not None and fortsetzen(lauf, wahl.value, anmerkungen, von):
            return RedirectResponse(ziel, status_code=303)  # the resumed run records and distributes
        try:
            decide(
                ctx.session,
                protokoll_id=protokoll_id,
                version_nummer=None,
                entscheidung=wahl,
                anmerkungen=anmerkungen,
                entschieden_von=von,
                quelle="arbeitsplatz",
                now=ctx.now,
                settings=ctx.portal.settings,
            )
            if not zurueck:
                finalize(ctx.session, protokoll_id=protokoll_id, now=ctx.now, settings=ctx.portal.settings)
        except ProtokollFehler as exc:
            raise ValueError(str(exc)) from None
        return RedirectResponse(ziel, status_code=303)

    return await aktion(request, arbeit)
