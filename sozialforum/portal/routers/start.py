"""``/`` and ``/datenschutz``: the pages anyone may see (they show no data of the store)."""

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
    return Portal.of(request).page(request, "portal/datenschutz.html")


@router.get("/favicon.ico")
def favicon() -> Response:
    # Browsers ask for it on every site; no icon, and no 404 in their logs.
    return Response(status_code=204)
