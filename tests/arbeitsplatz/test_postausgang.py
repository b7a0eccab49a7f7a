"""The Postausgang in the workspace with a real loopback SMTP server and real flow runs: a
recipient refused with 550 shows as failed with the server's answer; once the mailbox works,
"Erneut senden" delivers it through a flow run, and that address receives exactly one message.
A bounce cannot be resent; the Leitung reads but cannot send; filters and counts page in SQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from sozialforum.arbeitsplatz.app import create_app
from sozialforum.konferenz import versand_direkt
from sozialforum.konten import benutzer
from sozialforum.portal.server import free_port
from sozialforum.settings import load_settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import OutboxMessage, Sitzung
from sozialforum.timeutil import utcnow
from sozialforum.vocab import BenutzerRolle, OutboxStatus, SitzungStatus
from tests.arbeitsplatz.test_ablauf_browser import _config
from tests.konferenz.smtp_server import LoopbackSmtp
from tests.portal.conftest import csrf_of
from tests.protokoll.conftest import build_world

pytestmark = [pytest.mark.prefect, pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]
PASSWORT = "postausgang-pruefen-1"
REFUSED = "p-m2@traeger.example"
Stand = tuple[TestClient, LoopbackSmtp]


@pytest.fixture
def postausgang(
    prefect_harness: None, sqlite_engine: Engine, tmp_path: Path
) -> Iterator[tuple[TestClient, LoopbackSmtp]]:
    from sozialforum.flows.arbeitsplatz import starter

    welt = build_world(sqlite_engine, status=SitzungStatus.GEPLANT)
    with session_scope(sqlite_engine, actor="test") as session:
        sitzung = session.get(Sitzung, welt.sitzung_id)
        assert sitzung is not None
        sitzung.beginn, sitzung.ende = utcnow() + timedelta(days=20), utcnow() + timedelta(days=20, hours=2)
        for name, rolle in (("planerin", BenutzerRolle.GESCHAEFTSSTELLE), ("leiterin", BenutzerRolle.LEITUNG)):
            benutzer.create_user(session, name=name, anzeigename=name, password=PASSWORT, now=utcnow(), rolle=rolle)
    with LoopbackSmtp() as smtp:
        config = _config(tmp_path, sqlite_engine, smtp.port, free_port())
        settings = load_settings(config)
        smtp.collector.refuse[REFUSED] = "550 5.1.1 Postfach unbekannt"
        versand_direkt.invite_and_deliver(
            sqlite_engine, settings, sitzung_id=welt.sitzung_id, now=utcnow(), actor="test"
        )
        app = create_app(settings, sqlite_engine, laeufe_starter=starter(config))
        with TestClient(app, base_url="http://testserver") as client:
            yield client, smtp


def _login(client: TestClient, name: str) -> str:
    client.cookies.clear()
    form = client.get("/gs/anmelden")
    client.post("/gs/anmelden", data={"csrf": csrf_of(form.text), "name": name, "passwort": PASSWORT})
    return csrf_of(client.get("/arbeitsplatz/konto").text)


def test_a_failed_message_is_sent_again_once(
    postausgang: tuple[TestClient, LoopbackSmtp], sqlite_engine: Engine
) -> None:
    client, smtp = postausgang
    _login(client, "planerin")
    failed = client.get("/arbeitsplatz/postausgang?status=failed")
    assert failed.status_code == 200 and REFUSED in failed.text and "550 5.1.1 Postfach unbekannt" in failed.text
    assert "1 fehlgeschlagen" in client.get("/arbeitsplatz/postausgang").text
    with session_scope(sqlite_engine, actor="test") as session:
        row = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.empfaenger == REFUSED)).one()
        nachricht_id, gesendet_vorher = row.id, len(smtp.collector.messages)
    detail = client.get(f"/arbeitsplatz/postausgang/{nachricht_id}")
    assert "Erneut senden" in detail.text and "Tagesordnung" in detail.text  # the text and the agenda PDF

    # The Leitung reads, but cannot send.
    csrf = _login(client, "leiterin")
    assert client.get(f"/arbeitsplatz/postausgang/{nachricht_id}").status_code == 200
    refused = client.post(f"/arbeitsplatz/postausgang/{nachricht_id}/erneut", data={"csrf": csrf})
    assert refused.status_code == 403

    # The mailbox was fixed: sent again by a flow run, exactly once.
    smtp.collector.refuse.clear()
    csrf = _login(client, "planerin")
    response = client.post(
        f"/arbeitsplatz/postausgang/{nachricht_id}/erneut", data={"csrf": csrf}, follow_redirects=False
    )
    assert response.status_code == 303 and "/arbeitsplatz/laeufe/" in response.headers["location"]
    deadline = time.monotonic() + 90
    while "fertig" not in client.get(response.headers["location"]).text and time.monotonic() < deadline:
        time.sleep(0.5)
    assert "fertig" in client.get(response.headers["location"]).text
    neu = smtp.collector.messages[gesendet_vorher:]
    assert [m.rcpt_tos for m in neu] == [[REFUSED]]
    with session_scope(sqlite_engine, actor="test") as session:
        assert session.get(OutboxMessage, nachricht_id).status == OutboxStatus.SENT  # type: ignore[union-attr]
    again = client.post(f"/arbeitsplatz/postausgang/{nachricht_id}/erneut", data={"csrf": csrf})
    assert again.status_code == 400 and "Nur fehlgeschlagene Nachrichten" in again.text
    assert len(smtp.collector.messages) == gesendet_vorher + 1
