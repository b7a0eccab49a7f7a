"""The RSVP's routes are plain Starlette routes (no FastAPI parameter validation on the hot
path): they still refuse what FastAPI refused, with the portal's German page and headers."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from sozialforum.settings import Settings
from sozialforum.vocab import LinkZweck
from tests.portal.conftest import Welt, issue


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
