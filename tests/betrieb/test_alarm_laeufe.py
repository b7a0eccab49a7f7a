"""SMTP down past the configured time, through real flow runs: the delivery flow runs every few
hours (as its schedule would), fails each time while the server is down, and the alarm arrives
once on both other channels — one line in the monitoring file and one POST to the chat webhook
on loopback — not once per run."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from sozialforum.settings import load_settings
from sozialforum.store.models import Alarm
from tests.konferenz.smtp_server import free_port
from tests.support.post import einladungen_einreihen

pytestmark = [pytest.mark.prefect, pytest.mark.slow]

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class _Webhook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, str]]] = []

    def do_POST(self) -> None:  # the chat's incoming webhook
        length = int(self.headers.get("content-length", "0"))
        type(self).received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, str]]]]:
    received: ClassVar[list[dict[str, str]]] = []
    handler = type("Webhook", (_Webhook,), {"received": received})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/sozialplanung", received
    server.shutdown()
    server.server_close()


def test_smtp_down_for_days_alarms_once_through_flow_runs(
    prefect_harness: None, sqlite_engine: Engine, tmp_path: Path, webhook: tuple[str, list[dict[str, str]]]
) -> None:
    from flows.einladungen_versenden import einladungen_versenden

    url, posts = webhook
    alarm_file = tmp_path / "monitoring" / "alarme.jsonl"
    config = tmp_path / "sozialforum.toml"
    config.write_text(
        f'data_dir = "{tmp_path / "var"}"\n'
        f'database_url = "{sqlite_engine.url.render_as_string(hide_password=False)}"\n\n'
        f'[mail]\nsmtp_host = "127.0.0.1"\nsmtp_port = {free_port()}\nsicherheit = "keine"\n\n'  # nobody listens
        f'[betrieb]\nalarm_datei = "{alarm_file}"\nalarm_webhook = "{url}"\nalarm_nach_stunden = 24\n',
        encoding="utf-8",
    )
    settings = load_settings(config)
    einladungen_einreihen(sqlite_engine, settings, [f"p{n}@traeger.example" for n in range(3)], now=NOW)

    states = []
    for hours in (1, 12, 23, 25, 26, 40, 64):  # the half-hourly schedule, sampled over almost three days
        state = einladungen_versenden(
            konfiguration=str(config), jetzt=NOW + timedelta(hours=hours), sitzung_ids=[], return_state=True
        )
        states.append(state.type.value)
        if hours < 24:
            assert not alarm_file.exists() and not posts, hours
    # Every run is red while the server is down; the alarm went out once, by file and webhook.
    assert set(states) == {"FAILED"}, states
    lines = alarm_file.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and len(posts) == 1
    alarm = json.loads(lines[0])
    assert alarm == posts[0]
    assert alarm["art"] == "zustellung"
    assert alarm["text"].startswith("Zustellung gestört: 3 Nachrichten sind seit Montag, 2. März 2026, 10:00 Uhr")
    assert str(settings.geschaeftsstelle.email) in alarm["an"]
    with Session(sqlite_engine) as session:
        stored = session.exec(select(Alarm)).one()
        assert stored.weitergeleitet == f"Datei {alarm_file}; Webhook: HTTP 204"
