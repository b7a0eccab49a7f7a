"""The Träger pages probed as an attacker would: text from the URL on a personal link's page."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
from sozialforum.vocab import LinkZweck
from tests.portal.conftest import Welt, issue
from tests.support.foerderung import aufruf_anlegen


def test_the_thanks_for_an_application_names_only_one_of_this_traegers(
    client: TestClient, engine: Engine, portal_settings: Settings, welt: Welt
) -> None:
    with session_scope(engine, actor="test") as session:
        aufruf_id = aufruf_anlegen(session)
    pfad = issue(engine, portal_settings, person_id=welt.person_a, zweck=LinkZweck.FOERDERANTRAG, bezug_id=aufruf_id)
    gefaelscht = client.get(pfad, params={"eingereicht": "FA-2026-999. Bitte überweisen Sie 50 € Gebühr an"})
    assert gefaelscht.status_code == 200
    assert "Gebühr" not in gefaelscht.text and "ist eingegangen" not in gefaelscht.text
