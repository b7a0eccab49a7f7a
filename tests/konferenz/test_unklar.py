"""The hand-over record closes the duplicate window: a delivery killed at each side of it, with
the real loopback SMTP server, deterministically (the process kills itself at the moment, see
``zustell_prozess``).

- killed before the record's commit: the server drops the unfinished DATA, the rerun sends it:
  exactly one;
- killed after the record, before the final ``.``: the server has nothing, the rerun does not
  send it but sets it aside as "Zustellung unklar"; the person checks the server and chooses
  "erneut senden" (the product's command): exactly one;
- killed after the server's 250, before "sent" was recorded: the server has it, the rerun sets it
  aside; the person confirms it as delivered: exactly one, nothing sent twice.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select
from typer.testing import CliRunner

from sozialforum import outbox
from sozialforum.cli import app
from sozialforum.outbox import unklar as outbox_unklar
from sozialforum.settings import load_settings
from sozialforum.store.models import AuditEntry, OutboxMessage
from sozialforum.vocab import OutboxStatus
from tests.conftest import REPO
from tests.konferenz.smtp_server import LoopbackSmtp
from tests.support.post import einladungen_einreihen

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ADRESSEN = [f"p{n}@traeger.example" for n in range(3)]


def _queue(engine, settings) -> None:
    einladungen_einreihen(engine, settings, ADRESSEN, now=NOW)


def _killed_delivery(url: str, tmp_path, port: int, moment: str) -> None:
    args = [url, str(tmp_path / "maschine-a"), str(port), NOW.isoformat(), moment]
    result = subprocess.run(
        [sys.executable, "-m", "tests.konferenz.zustell_prozess", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == -9, result.stdout + result.stderr  # killed by itself at the moment


def _received(smtp: LoopbackSmtp) -> Counter[str]:
    time.sleep(0.2)  # the server notices the closed connection and drops an unfinished DATA
    return Counter(m.rcpt_tos[0] for m in smtp.collector.messages)


def _status(engine) -> dict[str, str]:
    with Session(engine) as session:
        return {m.empfaenger: str(m.status) for m in session.exec(select(OutboxMessage))}


@pytest.mark.parametrize(
    ("moment", "beim_server", "entscheidung"),
    [
        ("vor-vermerk", 0, None),  # the rerun sends it
        ("nach-vermerk", 0, "--erneut-senden"),
        ("vor-buchung", 1, "--als-zugestellt"),
    ],
)
def test_kill_at_each_side_of_the_hand_over_record(
    sqlite_engine, tmp_path, monkeypatch, moment: str, beim_server: int, entscheidung: str | None
) -> None:
    url = sqlite_engine.url.render_as_string(hide_password=False)
    with LoopbackSmtp() as smtp:
        settings = load_settings(None, data_dir=tmp_path / "maschine-b", database_url=url)
        settings.mail.smtp_host, settings.mail.smtp_port = "127.0.0.1", smtp.port
        settings.mail.sicherheit, settings.mail.nachrichten_pro_sekunde = "keine", 10_000
        _queue(sqlite_engine, settings)
        _killed_delivery(url, tmp_path, smtp.port, moment)
        assert _received(smtp) == Counter({ADRESSEN[0]: beim_server})
        in_doubt = moment != "vor-vermerk"

        # The rerun on another machine, after the killed run's lease ran out.
        rerun = outbox.deliver_pending(sqlite_engine, settings, now=NOW + timedelta(minutes=2))
        assert (rerun.set_aside, rerun.uncertain) == ((1, 1) if in_doubt else (0, 0))
        assert rerun.sent == (2 if in_doubt else 3)
        if not in_doubt:
            assert _received(smtp) == Counter(ADRESSEN)
            assert set(_status(sqlite_engine).values()) == {OutboxStatus.SENT.value}
            return
        assert _received(smtp)[ADRESSEN[0]] == beim_server  # never sent again by a run
        assert _status(sqlite_engine)[ADRESSEN[0]] == OutboxStatus.UNCERTAIN.value
        assert "1 Nachricht mit unklarer Zustellung" in rerun.summary()
        assert "„Als zugestellt bestätigen“ oder „Erneut senden“" in rerun.summary()
        again = outbox.deliver_pending(sqlite_engine, settings, now=NOW + timedelta(minutes=4))
        assert (again.sent, again.uncertain) == (0, 1)

        # A person looks at the mail server (here: its count) and decides with the product's command.
        monkeypatch.setenv("SOZIALFORUM_DATA_DIR", str(tmp_path / "maschine-b"))
        monkeypatch.setenv("SOZIALFORUM_DATABASE_URL", url)
        monkeypatch.setenv("COLUMNS", "200")
        runner = CliRunner()
        listed = runner.invoke(app, ["konferenz", "unklar"], catch_exceptions=False)
        assert listed.exit_code == 0 and ADRESSEN[0] in listed.output
        assert "1 Nachricht mit unklarer Zustellung" in listed.output
        with Session(sqlite_engine) as session:
            message_id = session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.empfaenger == ADRESSEN[0]))
        wrong = runner.invoke(app, ["konferenz", "unklar", "--als-zugestellt", str(message_id + 1)])
        assert wrong.exit_code == 1 and "Zustellung ist nicht unklar (Stand: gesendet)" in wrong.output
        decided = runner.invoke(app, ["konferenz", "unklar", entscheidung, str(message_id)], catch_exceptions=False)
        assert decided.exit_code == 0, decided.output
        last = outbox.deliver_pending(sqlite_engine, settings, now=NOW + timedelta(minutes=6))
        assert (last.sent, last.uncertain) == ((1, 0) if entscheidung == "--erneut-senden" else (0, 0))
        assert _received(smtp) == Counter(ADRESSEN)  # every recipient exactly one message
    assert set(_status(sqlite_engine).values()) == {OutboxStatus.SENT.value}
    with Session(sqlite_engine) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.tabelle == "outbox_message")).one()
        assert entry.akteur.startswith("cli:") and entry.datensatz_id == message_id
        assert entry.aenderungen["status"] == [
            OutboxStatus.UNCERTAIN.value,
            ("queued" if entscheidung == "--erneut-senden" else "sent"),
        ]


def test_the_problem_report_asks_the_geschaeftsstelle_to_decide_each_unclear_message_once(
    sqlite_engine, tmp_path
) -> None:
    """The Zustellprobleme mail names each message of unclear delivery, what to decide and where
    (the message's page in the workspace, the command); the same state is reported once."""
    from sozialforum.outbox import probleme
    from tests.konferenz import support

    url = sqlite_engine.url.render_as_string(hide_password=False)
    settings = load_settings(
        None, data_dir=tmp_path, database_url=url, portal={"base_url": "https://sozialforum.example"}
    )
    _queue(sqlite_engine, settings)
    with Session(sqlite_engine) as session:
        doubtful = session.exec(select(OutboxMessage).where(OutboxMessage.empfaenger == ADRESSEN[1])).one()
        doubtful.status, doubtful.uebergabe_am = OutboxStatus.UNCERTAIN, NOW - timedelta(minutes=3)
        session.add(doubtful)
        session.commit()
        failed = [probleme.Zustellproblem("Erika Mustermann", "550 Postfach unbekannt", "Sozialraumkonferenz Süd")]
        report = probleme.report(session, failed, now=NOW, settings=settings)
        assert report is not None
        assert (
            report.betreff
            == "Zustellprobleme: 1 Empfänger, 1 mit unklarer Zustellung (Montag, 2. März 2026, 10:00 Uhr)"
        )
        text = support.decoded_view(report.inhalt or b"")
        assert f"Nr. {doubtful.id} an {ADRESSEN[1]}" in text
        assert f"Entscheiden: https://sozialforum.example/arbeitsplatz/postausgang/{doubtful.id}⏎" in text
        assert f"sozialforum konferenz unklar --als-zugestellt {doubtful.id}⏎" in text
        support.assert_golden("zustellprobleme.txt", re.sub(r"(Nr\. |gang/|stellt |senden )\d+", r"\1<ID>", text))
        # The next run finds the same state: no second mail. Only unclear messages: a report of its own.
        assert probleme.report(session, failed, now=NOW + timedelta(hours=1), settings=settings).id == report.id
        alone = probleme.report(session, [], now=NOW + timedelta(hours=1), settings=settings)
        assert alone is not None and alone.id != report.id
        assert alone.betreff.startswith("Zustellprobleme: 1 mit unklarer Zustellung (")
        assert "Probleme aufgetreten" not in support.decoded_view(alone.inhalt or b"")
        session.commit()
        outbox_unklar.confirm_delivered(session, [doubtful.id or 0], actor="test", now=NOW)
        assert probleme.report(session, [], now=NOW + timedelta(hours=2), settings=settings) is None
