"""Long work from the workspace as real flow runs: an OParl import started from the Beschlüsse
page fills the store and its progress page ends "fertig" with the summary; a council server that
fails in the middle of a list ends the run "mit Fehler beendet" with the German reason, and the
run records it (a doubled start of the same row does nothing)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from sozialforum.arbeitsplatz.app import create_app
from sozialforum.konten import benutzer
from sozialforum.settings import load_settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import Arbeitslauf, Vorlage
from sozialforum.timeutil import utcnow
from sozialforum.vocab import BenutzerRolle
from tests.oparl.generiert import serve
from tests.portal.conftest import csrf_of

pytestmark = [pytest.mark.prefect, pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]
PASSWORT = "laeufe-im-arbeitsplatz-1"


def _config(tmp_path: Path, engine: Engine, oparl_url: str) -> str:
    path = tmp_path / "sozialforum.toml"
    path.write_text(
        f'data_dir = "{tmp_path / "var"}"\ndatabase_url = "{engine.url.render_as_string(hide_password=False)}"\n'
        f'[portal]\nsecret_key = "{"l" * 40}"\n[fristen]\noparl_url = "{oparl_url}"\n',
        encoding="utf-8",
    )
    return str(path)


def _start(client: TestClient, **form: str) -> str:
    csrf = csrf_of(client.get("/arbeitsplatz/beschluesse").text)
    response = client.post("/arbeitsplatz/beschluesse/oparl", data={"csrf": csrf, **form}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def _wait(client: TestClient, location: str) -> str:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        page = client.get(location).text
        if "lauf-fertig" in page or "lauf-fehler" in page:
            return page
        time.sleep(0.5)
    raise AssertionError(f"run not finished: {client.get(location).text[-2000:]}")


def test_oparl_import_from_the_workspace(prefect_harness: None, sqlite_engine: Engine, tmp_path: Path) -> None:
    from sozialforum.flows.arbeitsplatz import arbeitsplatz_lauf, starter

    with session_scope(sqlite_engine, actor="test") as session:
        benutzer.create_user(
            session,
            name="planerin",
            anzeigename="P",
            password=PASSWORT,
            now=utcnow(),
            rolle=BenutzerRolle.GESCHAEFTSSTELLE,
        )
    with serve() as api:
        config = _config(tmp_path, sqlite_engine, api.root)
        app = create_app(load_settings(config), sqlite_engine, laeufe_starter=starter(config))
        with TestClient(app, base_url="http://testserver") as client:
            form = client.get("/gs/anmelden")
            client.post("/gs/anmelden", data={"csrf": csrf_of(form.text), "name": "planerin", "passwort": PASSWORT})
            page = _wait(client, _start(client))
            assert "lauf-fertig" in page, page
            with session_scope(sqlite_engine, actor="test") as session:
                assert session.scalar(sa.select(sa.func.count()).select_from(Vorlage)) == 12

            # A server error in the middle of the paper list: the run ends with the German reason.
            api.stoerung = lambda raw: (500, {"error": "intern"}) if "/paper" in raw and "page=2" in raw else None
            page = _wait(client, _start(client, voll="ja"))
            assert "lauf-fehler" in page and "OParl-Import unvollständig" in page
    with session_scope(sqlite_engine, actor="test") as session:
        laeufe = session.scalars(sa.select(Arbeitslauf).order_by(Arbeitslauf.id)).all()  # type: ignore[arg-type]
        assert [lauf.zustand for lauf in laeufe] == ["fertig", "fehler"]
        assert all(lauf.gestartet_von == "planerin" and lauf.flow_run_id for lauf in laeufe)
        erster = laeufe[0].id
    assert arbeitsplatz_lauf(erster, config) == []  # claimed before: a second start does nothing
