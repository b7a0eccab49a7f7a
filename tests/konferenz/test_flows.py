"""The real flows under the Prefect harness: konferenz_vorbereiten at the invitation deadline,
einladungen_versenden with calendar replies from a Maildir and the problem report, and a server
that refuses every message failing the run loudly."""

from __future__ import annotations

import mailbox
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from sozialforum.settings import load_settings
from sozialforum.store.models import OutboxMessage, Rueckmeldung, Sitzung
from sozialforum.vocab import Antwort, OutboxStatus, SitzungStatus
from tests.konferenz.fixtures import NOW, build
from tests.konferenz.smtp_server import LoopbackSmtp

pytestmark = [pytest.mark.prefect, pytest.mark.slow]
REPLIES = Path(__file__).parent / "antworten"
UID = "sitzung-7d1c9f0e-5b8a-4c3e-9f21-0a6b2e4d8c11@landkreis-musterland.example"
DEADLINE = NOW + timedelta(days=3)  # 23 February: 21 days before the meeting on 16 March


def _config(tmp_path: Path, engine: Engine, port: int) -> str:
    url = engine.url.render_as_string(hide_password=False)
    path = tmp_path / "sozialforum.toml"
    path.write_text(
        "\n".join(
            [
                f'data_dir = "{tmp_path / "var"}"',
                f'database_url = "{url}"',
                "",
                "[mail]",
                'smtp_host = "127.0.0.1"',
                f"smtp_port = {port}",
                'sicherheit = "keine"',
                "nachrichten_pro_sekunde = 1000",
                f'maildir = "{tmp_path / "postfach"}"',
                "",
            ]
        ),
        encoding="utf-8",
    )
    return str(path)


def _setup(engine: Engine, tmp_path: Path) -> int:
    settings = load_settings(None, data_dir=tmp_path / "var", database_url=str(engine.url))
    with Session(engine) as session:
        built = build(session, settings)
        session.get(Sitzung, built.sitzung_id).ical_uid = UID
        session.commit()
    mailbox.Maildir(str(tmp_path / "postfach"), create=True)
    return built.sitzung_id


def test_preparation_invitation_reply_and_report(prefect_harness: None, sqlite_engine: Engine, tmp_path: Path) -> None:
    from sozialforum.flows.einladungen_versenden import einladungen_versenden
    from sozialforum.flows.konferenz_vorbereiten import konferenz_vorbereiten

    sitzung_id = _setup(sqlite_engine, tmp_path)
    with LoopbackSmtp() as smtp:
        config = _config(tmp_path, sqlite_engine, smtp.port)
        assert konferenz_vorbereiten(konfiguration=config, jetzt=NOW) == []  # not due yet
        packs = konferenz_vorbereiten(konfiguration=config, jetzt=DEADLINE)
        assert [p["sitzung_id"] for p in packs] == [sitzung_id]
        assert packs[0]["empfaenger"] == 4 and len(packs[0]["uebersprungen"]) == 7
        invited = sorted(m.rcpt_tos[0] for m in smtp.collector.messages)
        assert "sozialplanung@landkreis-musterland.example" in invited  # the problem report
        assert len(invited) == 5

        box = mailbox.Maildir(str(tmp_path / "postfach"), create=False)
        box.add((REPLIES / "outlook_zusage.eml").read_bytes())
        box.add((REPLIES / "gefaelscht_absender.eml").read_bytes())
        later = DEADLINE + timedelta(hours=2)
        result = einladungen_versenden(konfiguration=config, jetzt=later)
        assert result["einladungen"] == []
        assert result["antworten"]["zusammenfassung"].startswith("1 Rückmeldung erfasst")
        assert len(result["teilnehmerlisten"]) == 2
        # The forged reply is a new problem: one more report, and then nothing on the next run.
        assert len(smtp.collector.messages) == 6
        einladungen_versenden(konfiguration=config, jetzt=later + timedelta(minutes=30))
        assert len(smtp.collector.messages) == 6
    with Session(sqlite_engine) as session:
        assert session.get(Sitzung, sitzung_id).status == SitzungStatus.EINGELADEN
        answers = {r.eingeladen_an: r.antwort for r in session.exec(select(Rueckmeldung))}
        assert answers["erika.mustermann@awo-sued.example"] == Antwort.ZUSAGE


def test_a_server_refusing_everything_fails_the_run(
    prefect_harness: None, sqlite_engine: Engine, tmp_path: Path
) -> None:
    from sozialforum.flows.einladungen_versenden import einladungen_versenden

    sitzung_id = _setup(sqlite_engine, tmp_path)
    with LoopbackSmtp() as smtp:
        smtp.collector.refuse_all = "554 5.7.1 Relaying denied"
        config = _config(tmp_path, sqlite_engine, smtp.port)
        with pytest.raises(Exception, match="alle 4 Nachrichten abgelehnt"):
            einladungen_versenden(konfiguration=config, jetzt=DEADLINE, sitzung_ids=[sitzung_id])
    with Session(sqlite_engine) as session:
        statuses = {m.status for m in session.exec(select(OutboxMessage).where(OutboxMessage.art == "einladung"))}
        assert statuses == {OutboxStatus.FAILED}


def test_every_smtp_batch_holds_the_global_smtp_slot(
    prefect_harness: None, sqlite_engine: Engine, tmp_path: Path
) -> None:
    """A run started by its own schedule (not by the Planungszyklus) holds ``sozialforum-smtp``
    while its messages go out, and gives it back afterwards."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from sozialforum.flows.einladungen_versenden import einladungen_versenden
    from sozialforum.flows.grenzen import SMTP

    from tests.konferenz.smtp_server import Collector

    def active() -> int:
        with get_client(sync_client=True) as client:
            return int(client.read_global_concurrency_limit_by_name(SMTP).active_slots)

    seen: list[int] = []

    class Watching(Collector):
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            seen.append(active())
            return await super().handle_DATA(server, session, envelope)

    sitzung_id = _setup(sqlite_engine, tmp_path)
    with get_client(sync_client=True) as client:
        limit_id = client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=SMTP, limit=1))
    try:
        with LoopbackSmtp(Watching()) as smtp:
            config = _config(tmp_path, sqlite_engine, smtp.port)
            einladungen_versenden(konfiguration=config, jetzt=DEADLINE, sitzung_ids=[sitzung_id])
        assert len(seen) >= 4 and set(seen) == {1}
        assert active() == 0
    finally:
        with get_client(sync_client=True) as client:
            client.delete_global_concurrency_limit_by_name(SMTP)
    assert limit_id
