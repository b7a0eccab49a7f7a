"""``/``, ``/impressum``, ``/datenschutz`` and ``/barrierefreiheit``: the pages anyone may see
(they show no data of the store; the legal texts are filled from ``[rechtliches]``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sozialforum.portal.context import Portal

router = APIRouter()


@router.get("/")
def start(request: Request) -> Response:
    return Portal.of(request).page(request, "portal/start.html")


@router.get("/datenschutz")
def datenschutz(request: Request) -> Response:
    portal = Portal.of(request)
    return portal.page(
        request,
        "portal/datenschutz.html",
        rechtliches=portal.settings.rechtliches,
        link_gueltigkeit_tage=portal.settings.portal.link_gueltigkeit_tage,
        verschluesselt=portal.https,
    )


@router.get("/impressum")
def impressum(request: Request) -> Response:
    portal = Portal.of(request)
    return portal.page(request, "portal/impressum.html", rechtliches=portal.settings.rechtliches)


@router.get("/barrierefreiheit")
def barrierefreiheit(request: Request) -> Response:
    portal = Portal.of(request)
    return portal.page(request, "portal/barrierefreiheit.html", rechtliches=portal.settings.rechtliches)


@router.get("/favicon.ico")
def favicon() -> Response:
    # Browsers ask for it on every site; no icon, and no 404 in their logs.
    return Response(status_code=204)
