"""``/formular/{token}``: fill in a form from config/formulare.toml (the link names the request)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sozialforum.portal import formulare
from sozialforum.portal.beteiligung import EingabeFehler
from sozialforum.portal.context import Portal
from sozialforum.portal.fehler import PortalFehler
from sozialforum.portal.kontexte import LinkContext
from sozialforum.store.models.base import pk
from sozialforum.store.models.portal import FormularAnfrage
from sozialforum.vocab import LinkZweck

router = APIRouter()
ZWECK = LinkZweck.FORMULAR

NICHT_VERFUEGBAR = PortalFehler(
    410,
    "Formular nicht verfügbar",
    "Dieses Formular steht nicht mehr zur Verfügung. Bitte wenden Sie sich an die Geschäftsstelle.",
)


def _request(ctx: LinkContext, *, lock: bool = False) -> tuple[FormularAnfrage, formulare.Formular]:
    anfrage = ctx.session.get(FormularAnfrage, ctx.link.bezug_id, with_for_update=lock)
    # The link's person must belong to the Träger the form was requested from: a link can
    # never show another Träger's answers, even if it was issued by mistake.
    if anfrage is None or anfrage.organisation_id != ctx.person.organisation_id:
        raise NICHT_VERFUEGBAR
    formular = ctx.portal.formulare.get(anfrage.formular)
    if formular is None:
        raise NICHT_VERFUEGBAR
    return anfrage, formular


def _display(feld: formulare.Feld, value: object) -> Any:
    """A stored value as the form shows it again."""
    if value is None:
        return [] if feld.typ == "mehrfach" else ""
    if feld.typ == "janein":
        return "ja" if value is True else "nein"
    if feld.typ == "zahl" and isinstance(value, int | float):
        text = f"{value:.{feld.nachkommastellen}f}"
        return text.replace(".", ",")
    if feld.typ == "datum" and isinstance(value, str) and len(value) == 10:
        return f"{value[8:10]}.{value[5:7]}.{value[0:4]}"
    return value


def _page(
    ctx: LinkContext,
    *,
    fehler: dict[str, str] | None = None,
    eingabe: dict[str, Any] | None = None,
    gespeichert: bool = False,
) -> HTMLResponse:
    anfrage, formular = _request(ctx)
    antwort = formulare.current_answer(ctx.session, pk(anfrage))
    if eingabe is None:
        stored = antwort.werte if antwort else {}
        eingabe = {feld.name: _display(feld, stored.get(feld.name)) for feld in formular.felder}
    return ctx.render(
        "portal/formular.html",
        status_code=400 if fehler else 200,
        formular=formular,
        anfrage=anfrage,
        bezug=formulare.bezug_label(ctx.session, formular, anfrage.bezug_id),
        antwort=antwort,
        werte=eingabe,
        fehler=fehler or {},
        gespeichert=gespeichert,
    )


@router.get("/formular/{token}")
def show(request: Request, token: str, gespeichert: int = 0) -> Response:
    with Portal.of(request).link_scope(request, token, ZWECK) as ctx:
        return _page(ctx, gespeichert=bool(gespeichert))


@router.post("/formular/{token}")
async def submit(request: Request, token: str) -> Response:
    form = await request.form()
    portal = Portal.of(request)

    def work() -> Response:
        with portal.link_scope(request, token, ZWECK, form=form) as ctx:
            anfrage, formular = _request(ctx, lock=True)
            try:
                werte = formulare.validate(formular, form)
            except EingabeFehler as exc:
                raw = {
                    feld.name: form.getlist(feld.name) if feld.typ == "mehrfach" else form.get(feld.name, "")
                    for feld in formular.felder
                }
                return _page(ctx, fehler=exc.fehler, eingabe=raw)
            formulare.submit(ctx.session, anfrage=anfrage, werte=werte, person_id=pk(ctx.person), now=ctx.now)
        return RedirectResponse(f"{request.url.path}?gespeichert=1", status_code=303)

    return await portal.run(work)
