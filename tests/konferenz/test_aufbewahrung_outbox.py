"""Retention of sent mail content, on SQLite and PostgreSQL, through the real retention command:
after ``mail.inhalt_aufbewahren_tage`` a sent message keeps only its header block, size and
SHA-256 (PDF and text are gone, in the store and in the .eml copies of the Ablage and of the
machine's outbox folder); young messages and those that may still be sent stay whole; a second
run finds nothing."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select
from typer.testing import CliRunner

from sozialforum import ablage, outbox
from sozialforum.channels.mail import Attachment, OutgoingMail
from sozialforum.cli import app
from sozialforum.settings import load_settings
from sozialforum.stammdaten import aufbewahrung
from sozialforum.store.models import OutboxMessage
from sozialforum.timeutil import utcnow
from sozialforum.vocab import OutboxStatus

PDF = b"%PDF-1.7\n" + b"Tagesordnung " * 4000


def _queue(engine, settings, now: datetime) -> dict[str, int]:
    ids = {}
    with Session(engine) as session:
        for name in ("alt", "jung", "gescheitert"):
            mail = OutgoingMail(
                to=f"{name}@traeger.example",
                to_name=name,
                subject=f"Einladung {name}",
                text="Guten Tag,\nanbei die Tagesordnung.\n",
                attachments=(Attachment("tagesordnung.pdf", PDF, "application/pdf"),),
            )
            message = outbox.enqueue(
                session,
                schluessel=name,
                art="einladung",
                mail=mail,
                person_id=None,
                bezug={},
                now=now,
                settings=settings,
            )
            ids[name] = message.id or 0
        session.commit()
    return ids


def test_sent_content_is_cut_to_its_record_after_the_retention_period(engine, tmp_path, monkeypatch) -> None:
    url = engine.url.render_as_string(hide_password=False)
    shared = {"art": "ordner", "ordner": str(tmp_path / "ablage")}  # the Ablage outside data_dir
    settings = load_settings(None, data_dir=tmp_path / "var", database_url=url, ablage=shared)
    now = utcnow()
    ids = _queue(engine, settings, now - timedelta(days=100))
    assert outbox.deliver_pending(engine, settings, now=now - timedelta(days=100)).sent == 3  # .eml files
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    with engine.begin() as connection:
        connection.execute(
            sa.update(table).where(table.c.id == ids["jung"]).values(gesendet_am=now - timedelta(days=89))
        )
        connection.execute(
            sa.update(table).where(table.c.id == ids["gescheitert"]).values(status=OutboxStatus.FAILED.value)
        )
        original = {row.id: row.inhalt for row in connection.execute(sa.select(table.c.id, table.c.inhalt))}
    name = f"{ids['alt']:07d}-einladung.eml"
    assert ablage.lesen(settings, f"outbox/{name}") == original[ids["alt"]]
    assert (settings.outbox_dir / name).read_bytes() == original[ids["alt"]]

    with Session(engine) as session:  # the dry run counts and changes nothing
        assert aufbewahrung.faellig(session, now=now, monate=24, settings=settings)[aufbewahrung.OUTBOX] == 1
    monkeypatch.setenv("SOZIALFORUM_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SOZIALFORUM_DATABASE_URL", url)
    monkeypatch.setenv("SOZIALFORUM_ABLAGE__ORDNER", shared["ordner"])
    monkeypatch.setenv("COLUMNS", "200")
    result = CliRunner().invoke(app, ["dsgvo", "aufbewahrung", "--loeschen"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Gesendete Nachrichten (Text, Anhänge), 90 Tage nach dem Versand: 1 auf Kopfzeilen" in result.output

    with Session(engine) as session:
        rows = {m.id: m for m in session.exec(select(OutboxMessage))}
    alt = rows[ids["alt"]]
    record = alt.inhalt or b""
    assert record.endswith(b"\r\n\r\n") and b"Message-ID: " + (alt.message_id or "").encode() in record
    assert b"Subject: Einladung alt" in record and b"To: " in record
    assert b"Tagesordnung" not in record and b"Guten Tag" not in record and len(record) < 2000
    assert alt.inhalt_groesse == len(original[ids["alt"]]) > len(PDF)
    assert alt.inhalt_sha256 == hashlib.sha256(original[ids["alt"]]).hexdigest()
    assert alt.inhalt_gekuerzt_am is not None
    # The copies written without SMTP are cut down the same way.
    assert ablage.lesen(settings, f"outbox/{name}") == record
    assert (settings.outbox_dir / name).read_bytes() == record
    # Young, and possibly still to be sent (failed: a person may send it again): whole.
    for kept in ("jung", "gescheitert"):
        assert rows[ids[kept]].inhalt == original[ids[kept]] and rows[ids[kept]].inhalt_gekuerzt_am is None
    with Session(engine) as session:
        assert aufbewahrung.durchsetzen(session, now=now, monate=24, settings=settings)[aufbewahrung.OUTBOX] == 0
