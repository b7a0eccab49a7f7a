"""``/foerderantrag/{token}``: a Träger applies in a funding call with a cost plan
(``strategie.foerderung``). The link is scoped to one contact person and the call (``bezug_id``);
the application is the person's organisation's. A plan that does not add up is shown again with
every problem at its field."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import col, select

from sozialforum.portal.context import Portal
from sozialforum.portal.fehler import PortalFehler
from sozialforum.portal.kontexte import LinkContext
from sozialforum.problems import ProblemReport
from sozialforum.store.models import Foerderantrag, Foerderaufruf
from sozialforum.strategie.foerderung import antrag_einreichen, kriterien
from sozialforum.vocab import LinkZweck

router = APIRouter()
ZWECK = LinkZweck.FOERDERANTRAG
STELLEN = 3
SACHKOSTEN = 4


def _aufruf(ctx: LinkContext) -> Foerderaufruf:
    aufruf = ctx.session.get(Foerderaufruf, ctx.link.bezug_id)
    if aufruf is None or ctx.organisation is None:
        raise PortalFehler(404, "Förderaufruf nicht gefunden", "Diesen Förderaufruf gibt es nicht (mehr).")
    return aufruf


def _plan(form: Any) -> dict[str, Any]:
    def rows(prefix: str, count: int, fields: tuple[str, ...]) -> list[dict[str, str]]:
        found = []
        for i in range(count):
            row = {name: str(form.get(f"{prefix}{i}_{name}", "")).strip() for name in fields}
            if any(row.values()):
                found.append(row)
        return found

    return {
        "stellen": rows("stelle", STELLEN, ("bezeichnung", "entgeltgruppe", "vzae", "jahresbetrag_vollzeit")),
        "sachkosten": rows("sach", SACHKOSTEN, ("bezeichnung", "betrag")),
        "eigenmittel": str(form.get("eigenmittel", "")).strip(),
        "drittmittel": str(form.get("drittmittel", "")).strip(),
    }


def _field(problem_quelle: str, zeile: int | None, spalte: str | None) -> str:
    """The form field a cost-plan problem belongs to."""
    names = {
        "Bezeichnung": "bezeichnung",
        "Entgeltgruppe": "entgeltgruppe",
        "VZÄ": "vzae",
        "Jahresbetrag je Vollzeitstelle": "jahresbetrag_vollzeit",
        "Betrag": "betrag",
    }
    if "(Personal)" in problem_quelle and zeile:
        return f"stelle{zeile - 1}_{names.get(spalte or '', 'bezeichnung')}"
    if "(Sachkosten)" in problem_quelle and zeile:
        return f"sach{zeile - 1}_{names.get(spalte or '', 'bezeichnung')}"
    return {
        "Eigenmittel": "eigenmittel",
        "Drittmittel": "drittmittel",
        "beantragter Betrag": "beantragt",
        "Titel": "titel",
    }.get(spalte or "", "titel")


def _page(
    ctx: LinkContext,
    *,
    fehler: dict[str, str] | None = None,
    werte: dict[str, Any] | None = None,
    eingereicht: str | None = None,
) -> HTMLResponse:
    aufruf = _aufruf(ctx)
    antraege = ctx.session.exec(
        select(Foerderantrag)
        .where(Foerderantrag.aufruf_id == aufruf.id)
        .where(Foerderantrag.traeger_id == ctx.organisation.id)  # type: ignore[union-attr]  # checked in _aufruf
        .order_by(col(Foerderantrag.id))
    ).all()
    return ctx.render(
        "portal/foerderantrag.html",
        status_code=400 if fehler else 200,
        aufruf=aufruf,
        kriterien=kriterien(ctx.session, aufruf),
        antraege=antraege,
        stellen=range(STELLEN),
        sachkosten=range(SACHKOSTEN),
        fehler=fehler or {},
        werte=werte or {},
        # Thanks only for an application of this Träger to this call: no text from the URL.
        eingereicht=eingereicht if eingereicht in {a.kennung for a in antraege} else None,
        offen=ctx.now.date() <= aufruf.frist,
    )


@router.get("/foerderantrag/{token}")
def show(request: Request, token: str, eingereicht: str | None = None) -> Response:
    with Portal.of(request).link_scope(request, token, ZWECK) as ctx:
        return _page(ctx, eingereicht=eingereicht)


@router.post("/foerderantrag/{token}")
async def submit(request: Request, token: str) -> Response:
    form = await request.form()
    portal = Portal.of(request)

    def work() -> Response:
        with portal.link_scope(request, token, ZWECK, form=form) as ctx:
            aufruf = _aufruf(ctx)
            try:
                antrag = antrag_einreichen(
                    ctx.session,
                    aufruf=aufruf,
                    traeger_id=ctx.organisation.id,  # type: ignore[union-attr,arg-type]  # checked in _aufruf
                    person_id=ctx.person.id,
                    titel=str(form.get("titel", "")),
                    kostenplan=_plan(form),
                    beantragt=str(form.get("beantragt", "")).strip() or None,
                    now=ctx.now,
                )
            except ProblemReport as report:
                errors: dict[str, str] = {}
                for p in report.problems:
                    errors.setdefault(_field(p.datei, p.zeile, p.spalte), p.meldung)
                return _page(ctx, fehler=errors, werte=dict(form))
            kennung = antrag.kennung
        return RedirectResponse(f"{request.url.path}?eingereicht={kennung}", status_code=303)

    return await portal.run(work)
