"""The RSVP's routes are plain Starlette routes (no FastAPI parameter validation on the hot
path): they still refuse what FastAPI refused, with the portal's German page and headers."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from sozialforum.portal.app import create_app
from sozialforum.portal.routers import rueckmeldung
from sozialforum.settings import Settings
from sozialforum.vocab import LinkZweck
from tests.portal.conftest import Clock, Welt, issue


def test_the_saved_flag_must_be_a_number(
    client: TestClient, engine: Engine, portal_settings: Settings, welt: Welt
) -> None:
    url = issue(engine, portal_settings, person_id=welt.person_a, zweck=LinkZweck.RSVP, bezug_id=welt.sitzung)
    assert client.get(url + "?gespeichert=0").status_code == 200
    refused = client.get(url + "?gespeichert=ja")
    assert refused.status_code == 400 and "Eingabe nicht verständlich" in refused.text
    assert (
        refused.headers["x-frame-options"] == "DENY"
        and "default-src 'none'" in refused.headers["content-security-policy"]
    )
    # A guessed token is refused as before (403), whatever the flag.
    assert client.get(url[:-3] + "xyz?gespeichert=1").status_code == 403


def test_the_short_way_keeps_error_pages_headers_and_methods(
    portal_settings: Settings, engine: Engine, clock: Clock, welt: Welt, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The RSVP's routes skip FastAPI's request stack (``portal.schnellweg``): the page is
    served on that way, an unexpected error still gets the German 500 page with the security
    headers, and other methods and paths below the link still go the usual way."""
    app = create_app(portal_settings, engine, clock=clock)
    url = issue(engine, portal_settings, person_id=welt.person_a, zweck=LinkZweck.RSVP, bezug_id=welt.sitzung)
    served: list[str] = []
    wege = dict(app._wege or {})
    assert set(wege) == {"GET", "POST"}

    def counting(method: str) -> Any:
        async def way(scope: Any, receive: Any, send: Any) -> None:
            served.append(method)
            await wege[method](scope, receive, send)

        return way

    monkeypatch.setattr(app, "_wege", {method: counting(method) for method in wege})
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as client:
        page = client.get(url)
        assert page.status_code == 200 and served == ["GET"]
        assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"
        # Other methods and deeper paths: the usual stack (405 and 404 pages), not the short way.
        assert client.put(url).status_code == 405 and client.get(url + "/x").status_code == 404
        assert served == ["GET"]

        def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("kaputt")

        monkeypatch.setattr(rueckmeldung.beteiligung, "rsvp_ansicht", broken)
        failed = client.get(url)
        assert failed.status_code == 500 and "Technischer Fehler" in failed.text
        assert "default-src 'none'" in failed.headers["content-security-policy"]
        assert served == ["GET", "GET"]
