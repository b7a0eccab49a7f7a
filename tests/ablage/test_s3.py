"""The storage against a real S3-compatible object store (SeaweedFS on loopback, signatures
checked): what one machine writes, another machine and its workspace read."""

from __future__ import annotations

import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from sozialforum import ablage
from sozialforum.ablage import s3
from sozialforum.arbeitsplatz.app import create_app
from sozialforum.settings import Settings, load_settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import Sitzung
from sozialforum.vocab import SitzungStatus
from tests.arbeitsplatz.conftest import build_bestand, login
from tests.portal.conftest import NOW, Clock, make_settings
from tests.support.objektspeicher import Objektspeicher

pytestmark = pytest.mark.slow


def _bucket(objektspeicher: Objektspeicher) -> dict[str, str]:
    """A bucket of this test's own (created as an operator would before the first run)."""
    config = objektspeicher.ablage(f"t-{uuid.uuid4().hex[:12]}")
    s3.client(load_settings(None, ablage=config)).ensure_bucket()
    return config


def test_write_read_list_delete(objektspeicher: Objektspeicher, tmp_path: Path) -> None:
    settings = load_settings(None, data_dir=tmp_path / "var", ablage=_bucket(objektspeicher))
    assert ablage.auflisten(settings) == []
    ablage.schreiben(settings, "berichte/2026/leitungsbericht.pdf", b"%PDF-1")
    ablage.schreiben(settings, "berichte/2026/leitungsbericht.pdf", b"%PDF-2")  # replaced whole
    ablage.schreiben(settings, "berichte/Teilnehmerliste Nord ä.html", "<p>ä</p>".encode())
    ablage.schreiben(settings, "outbox/1.eml", b"Subject: x\r\n\r\n")
    assert ablage.lesen(settings, "berichte/2026/leitungsbericht.pdf") == b"%PDF-2"
    assert ablage.lesen(settings, "berichte/Teilnehmerliste Nord ä.html") == "<p>ä</p>".encode()
    assert ablage.auflisten(settings, "berichte/") == [
        "berichte/2026/leitungsbericht.pdf",
        "berichte/Teilnehmerliste Nord ä.html",
    ]
    assert ablage.vorhanden(settings, "outbox/1.eml")
    ablage.loeschen(settings, "outbox/1.eml")
    ablage.loeschen(settings, "outbox/1.eml")  # deleting what is gone is no error
    assert not ablage.vorhanden(settings, "outbox/1.eml")
    with pytest.raises(FileNotFoundError):
        ablage.lesen(settings, "outbox/1.eml")
    assert not list((tmp_path / "var").rglob("*.pdf"))  # nothing on the machine's own disk


def test_listing_pages_past_a_thousand_keys(objektspeicher: Objektspeicher, tmp_path: Path) -> None:
    settings = load_settings(None, data_dir=tmp_path / "var", ablage=_bucket(objektspeicher))
    client = s3.client(settings)
    for n in range(1005):  # ListObjectsV2 answers 1,000 keys at a time
        client.put(f"outbox/{n:04d}.eml", b"x")
    assert ablage.auflisten(settings, "outbox/") == [f"outbox/{n:04d}.eml" for n in range(1005)]


def test_wrong_secret_is_refused_in_german(objektspeicher: Objektspeicher, tmp_path: Path) -> None:
    config = _bucket(objektspeicher) | {"s3_geheimnis": "falsch"}
    settings = load_settings(None, data_dir=tmp_path / "var", ablage=config)
    with pytest.raises(ablage.AblageFehler, match=r"Schreiben von berichte/x.txt abgelehnt \(HTTP 403\)"):
        ablage.schreiben(settings, "berichte/x.txt", b"x")


def _machine(tmp_path: Path, name: str, engine: Engine, config: dict[str, str]) -> tuple[str, Settings]:
    """A machine: its own data_dir, the shared store and object store; its config file."""
    url = engine.url.render_as_string(hide_password=False)
    path = tmp_path / f"{name}.toml"
    lines = [f'data_dir = "{tmp_path / name}"', f'database_url = "{url}"', "", "[ablage]"]
    path.write_text("\n".join(lines + [f'{k} = "{v}"' for k, v in config.items()]) + "\n", encoding="utf-8")
    return str(path), load_settings(path)


@pytest.mark.postgres
def test_participant_list_written_on_one_machine_is_downloaded_in_the_workspace_of_another(
    objektspeicher: Objektspeicher, pg_engine: Engine, tmp_path: Path
) -> None:
    from flows.einladungen_versenden import teilnehmerlisten_schreiben

    engine = pg_engine  # the store of several machines
    bestand = build_bestand(engine)
    with session_scope(engine, actor="test") as session:
        session.execute(
            sa.update(Sitzung).where(Sitzung.id == bestand.welt.sitzung).values(status=SitzungStatus.EINGELADEN)
        )
    config = _bucket(objektspeicher)
    config_a, _ = _machine(tmp_path, "a", engine, config)
    # Machine A runs the flow's task: the lists go into the object store.
    written = teilnehmerlisten_schreiben.fn(config_a, NOW)
    assert len(written) == 2
    html_name = Path(written[0]).name
    key = f"berichte/teilnehmerlisten/{html_name}"
    # Machine B (another data_dir, nothing shared on disk) serves the workspace.
    settings_b = make_settings(tmp_path / "b", engine).model_copy(
        update={"ablage": load_settings(None, ablage=config).ablage}
    )
    assert not (tmp_path / "b").exists() or not list((tmp_path / "b").rglob(html_name))
    app = create_app(settings_b, engine, clock=Clock())
    with TestClient(app, base_url="http://testserver") as client:
        login(client, "planerin")
        page = client.get("/arbeitsplatz/ablage?bereich=berichte/")
        assert page.status_code == 200
        assert f"/arbeitsplatz/ablage?schluessel={quote(key, safe='')}" in page.text
        assert "Objektspeicher" in page.text
        download = client.get("/arbeitsplatz/ablage", params={"schluessel": key})
        assert download.status_code == 200
        assert download.content == Path(written[0]).read_bytes()
        assert download.headers["content-type"].startswith("text/html")
        assert "attachment" in download.headers["content-disposition"]
        # Only the output areas: nothing else of the storage (or of data_dir) is served.
        assert client.get("/arbeitsplatz/ablage", params={"schluessel": "secret_key"}).status_code == 404
        assert client.get("/arbeitsplatz/ablage", params={"schluessel": "berichte/fehlt.pdf"}).status_code == 404
