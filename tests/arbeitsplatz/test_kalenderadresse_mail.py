""" "Kalenderadresse neu erzeugen" with the notice ticked, over real HTTP against the workspace, a
real flow run delivering to a real loopback SMTP server: the person gets the new address once,
the old one answers 404 and the new one 200; for a Gremium each member of today gets one mail
at her own address; without the tick, or for a person who may not be mailed, nothing is mailed."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from sozialforum.arbeitsplatz.app import create_app
from sozialforum.konten import benutzer
from sozialforum.portal.server import free_port
from sozialforum.settings import load_settings
from sozialforum.store.db import session_scope
from sozialforum.timeutil import utcnow
from sozialforum.vocab import BenutzerRolle
from tests.arbeitsplatz.test_ablauf_browser import _config
from tests.konferenz.smtp_server import LoopbackSmtp
from tests.konferenz.support import parse
from tests.portal.conftest import csrf_of
from tests.protokoll.conftest import Welt, build_world

pytestmark = [pytest.mark.prefect, pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]
PASSWORT = "kalender-mitteilen-1"
ADRESSE = re.compile(r"<code>([^<]+\.ics)</code>")


@pytest.fixture
def stand(
    prefect_harness: None, sqlite_engine: Engine, tmp_path: Path
) -> Iterator[tuple[TestClient, LoopbackSmtp, Welt]]:
    from sozialforum.flows.arbeitsplatz import starter

    welt = build_world(sqlite_engine)
    with session_scope(sqlite_engine, actor="test") as session:
        benutzer.create_user(
            session,
            name="planerin",
            anzeigename="Paula Planerin",
            password=PASSWORT,
            now=utcnow(),
            rolle=BenutzerRolle.GESCHAEFTSSTELLE,
        )
    with LoopbackSmtp() as smtp:
        config = _config(tmp_path, sqlite_engine, smtp.port, free_port())
        app = create_app(load_settings(config), sqlite_engine, laeufe_starter=starter(config))
        with TestClient(app, base_url="http://testserver") as client:
            form = client.get("/gs/anmelden")
            client.post("/gs/anmelden", data={"csrf": csrf_of(form.text), "name": "planerin", "passwort": PASSWORT})
            yield client, smtp, welt


def _fertig(client: TestClient, lauf: str) -> str:
    deadline = time.monotonic() + 90
    while "fertig" not in (page := client.get(lauf).text) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert "fertig" in page
    return page


def _text(raw: bytes) -> str:
    return parse(raw).get_body(("plain",)).get_content()  # type: ignore[union-attr]


def _pfad(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_renewed_addresses_are_mailed_once_to_their_subscribers(stand) -> None:
    client, smtp, welt = stand
    seite = f"/arbeitsplatz/akteure/personen/{welt.mitglieder[0]}"
    page = client.get(seite).text
    alt = ADRESSE.search(page).group(1)  # type: ignore[union-attr]
    # The notice is ticked by default for a person's own feed.
    assert re.search(r'<input type="checkbox" name="mitteilen" value="ja" checked>', page)

    renewed = client.post(seite + "/kalender", data={"csrf": csrf_of(page), "mitteilen": "ja"}, follow_redirects=False)
    assert renewed.status_code == 303 and "/arbeitsplatz/laeufe/" in renewed.headers["location"]
    lauf = _fertig(client, renewed.headers["location"])
    assert "Neue Kalenderadresse mitteilen: Anna Albrecht (1 E-Mail)" in lauf
    neu = ADRESSE.search(client.get(seite).text).group(1)  # type: ignore[union-attr]
    assert neu != alt
    assert client.get(_pfad(alt)).status_code == 404 and client.get(_pfad(neu)).status_code == 200
    assert [m.rcpt_tos for m in smtp.collector.messages] == [["p-m1@traeger.example"]]
    assert neu in _text(smtp.collector.messages[0].content)

    # The Gremium: unticked by default; ticked, each member of today with consent gets one mail.
    seite = f"/arbeitsplatz/akteure/gremien/{welt.gremium_id}"
    page = client.get(seite).text
    assert re.search(r'<input type="checkbox" name="mitteilen" value="ja">', page)
    renewed = client.post(seite + "/kalender", data={"csrf": csrf_of(page), "mitteilen": "ja"}, follow_redirects=False)
    lauf = _fertig(client, renewed.headers["location"])
    assert "(4 E-Mails, 1 ohne E-Mail-Adresse oder Einwilligung)" in lauf
    gremium_neu = ADRESSE.search(client.get(seite).text).group(1)  # type: ignore[union-attr]
    neue = smtp.collector.messages[1:]
    assert sorted(m.rcpt_tos[0] for m in neue) == [
        "p-gs@traeger.example",
        "p-m1@traeger.example",
        "p-m2@traeger.example",
        "p-pf@traeger.example",
    ]
    assert all(len(m.rcpt_tos) == 1 and gremium_neu in _text(m.content) for m in neue)

    # Without the tick: renewed, nothing mailed, back to the page with the message.
    page = client.get(seite).text
    quiet = client.post(seite + "/kalender", data={"csrf": csrf_of(page)})
    assert "Die Kalenderadresse ist neu erzeugt; die bisherige gilt nicht mehr." in quiet.text
    # Ticked for a person who may not be mailed (no consent): renewed, no run, the page says why.
    seite = f"/arbeitsplatz/akteure/personen/{welt.ohne_einwilligung_id}"
    page = client.get(seite).text
    ohne = client.post(seite + "/kalender", data={"csrf": csrf_of(page), "mitteilen": "ja"})
    assert "Keine E-Mail ging hinaus: keine E-Mail-Adresse, keine Einwilligung oder Widerspruch" in ohne.text
    assert ADRESSE.search(ohne.text).group(1) != ADRESSE.search(page).group(1)  # type: ignore[union-attr]
    time.sleep(1)
    assert len(smtp.collector.messages) == 5
