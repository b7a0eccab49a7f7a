"""Delivery state lives in the store: a run on another machine (its own data_dir) sets aside
what a killed run had begun to hand over (for a person to decide, never sent again), leaves a
live claim alone and says in German until when, and a run that leaves such work behind does not
end as done."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from sozialforum import ablage, outbox
from sozialforum.settings import load_settings
from sozialforum.store.models import OutboxMessage
from sozialforum.vocab import OutboxStatus
from tests.konferenz.smtp_server import LoopbackSmtp
from tests.support.post import einladungen_einreihen

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _queue(engine, settings, count: int) -> None:
    einladungen_einreihen(engine, settings, [f"p{n}@traeger.example" for n in range(count)], now=NOW)


def test_another_machine_sets_aside_handed_over_and_waits_for_live_claims(engine, settings, tmp_path) -> None:
    _queue(engine, settings, 4)
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    with engine.begin() as connection:
        ids = sorted(connection.scalars(sa.select(table.c.id)))
        # A run on machine A was killed: it had begun to hand over the first message (recorded in
        # the store, no reply booked) and held claims on two more until NOW + 60 s.
        connection.execute(
            sa.update(table)
            .where(table.c.id.in_(ids[:3]))
            .values(status=OutboxStatus.SENDING.value, lauf="tot", naechster_versuch=NOW + timedelta(seconds=60))
        )
        connection.execute(sa.update(table).where(table.c.id == ids[0]).values(uebergeben_lauf="tot"))
    machine_b = load_settings(None, data_dir=tmp_path / "maschine-b", database_url=settings.db_url)

    early = outbox.deliver_pending(engine, machine_b, now=NOW + timedelta(seconds=10))
    assert (early.sent, early.held_elsewhere) == (1, 3)
    assert "3 Nachrichten gehören noch einem anderen" in early.summary()
    assert "Frist endet am 02.03.2026 um 10:01:00 Uhr" in early.summary()
    with pytest.raises(outbox.DeliveryUnfinished, match="Versand nicht abgeschlossen"):
        early.raise_if_unfinished()

    later = outbox.deliver_pending(engine, machine_b, now=NOW + timedelta(minutes=2))
    later.raise_if_unfinished()
    assert (later.set_aside, later.sent, later.held_elsewhere, later.uncertain) == (1, 2, 0, 1)
    assert "1 Nachricht mit unklarer Zustellung" in later.summary()
    with Session(engine) as session:
        rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [r.status for r in rows] == [OutboxStatus.UNCERTAIN] + [OutboxStatus.SENT] * 3
        assert "Antwort nicht erhalten" in (rows[0].antwort_server or "")
    # Machine B wrote the .eml files of the three it sent, never the one A had begun to hand over.
    assert len(list(machine_b.outbox_dir.glob("*.eml"))) == 3


def test_eml_files_go_into_the_configured_storage(engine, settings, tmp_path) -> None:
    """Without SMTP the .eml files land in the storage every machine reads (here a folder outside
    either data_dir), under the key outbox/<file>."""
    _queue(engine, settings, 2)
    shared = {"art": "ordner", "ordner": str(tmp_path / "gemeinsam")}
    machine_a = load_settings(None, data_dir=tmp_path / "a", database_url=settings.db_url, ablage=shared)
    machine_b = load_settings(None, data_dir=tmp_path / "b", database_url=settings.db_url, ablage=shared)
    assert outbox.deliver_pending(engine, machine_a, now=NOW).sent == 2
    keys = ablage.auflisten(machine_b, "outbox/")
    assert len(keys) == 2 and all(k.endswith("-einladung.eml") for k in keys)
    assert b"Einladung" in ablage.lesen(machine_b, keys[0])


def test_temporary_refusals_are_retried_for_days_before_they_fail(engine, settings) -> None:
    """A 451 over five runs used to turn into a permanent failure within half an hour; now the
    message stays queued (pauses of at most 6 hours) until it is aufgeben_nach_stunden old."""
    _queue(engine, settings, 2)
    settings.mail.smtp_host, settings.mail.sicherheit = "127.0.0.1", "keine"
    settings.mail.nachrichten_pro_sekunde = 1000
    with LoopbackSmtp() as smtp:
        settings.mail.smtp_port = smtp.port
        smtp.collector.refuse["p0@traeger.example"] = "451 4.7.1 Greylisted, try again later"
        moment = NOW
        for _ in range(settings.mail.max_versuche + 2):
            report = outbox.deliver_pending(engine, settings, now=moment)
            assert report.failed == 0
            moment += timedelta(hours=7)  # past any backoff
        with Session(engine) as session:
            query = select(OutboxMessage).where(OutboxMessage.empfaenger == "p0@traeger.example")
            greylisted = session.exec(query).one()
            assert greylisted.status == OutboxStatus.QUEUED and greylisted.versuche == settings.mail.max_versuche + 2
        final = outbox.deliver_pending(engine, settings, now=NOW + timedelta(hours=settings.mail.aufgeben_nach_stunden))
        assert (final.failed, final.retry_later) == (1, 0)
    assert [m.rcpt_tos for m in smtp.collector.messages] == [["p1@traeger.example"]]


def test_smtp_down_past_the_configured_time_alarms_once_by_file(engine, settings, tmp_path) -> None:
    from sozialforum.betrieb import alarm
    from tests.konferenz.smtp_server import free_port

    _queue(engine, settings, 3)
    settings.mail.smtp_host, settings.mail.smtp_port, settings.mail.sicherheit = "127.0.0.1", free_port(), "keine"
    settings.betrieb.alarm_datei = tmp_path / "monitoring" / "alarme.jsonl"
    for hours in (1, 23):  # down, but not yet for long
        moment = NOW + timedelta(hours=hours)
        report = outbox.deliver_pending(engine, settings, now=moment)
        assert report.connection_error and not alarm.zustellung_pruefen(engine, settings, now=moment)
    assert not settings.betrieb.alarm_datei.exists()
    for hours in (25, 26, 40):  # every later run: still one alarm
        outbox.deliver_pending(engine, settings, now=NOW + timedelta(hours=hours))
        alarm.zustellung_pruefen(engine, settings, now=NOW + timedelta(hours=hours))
    lines = settings.betrieb.alarm_datei.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    assert "Zustellung gestört: 3 Nachrichten sind seit Montag, 2. März 2026, 10:00 Uhr" in lines[0]
    with Session(engine) as session:
        from sozialforum.store.models import Alarm

        stored = session.exec(select(Alarm)).one()
        assert stored.art == "zustellung" and stored.weitergeleitet == f"Datei {settings.betrieb.alarm_datei}"
