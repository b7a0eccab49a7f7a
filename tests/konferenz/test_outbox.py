"""The outbox over a real SMTP server on loopback and over the .eml folder."""

from __future__ import annotations

import email
import time
from datetime import UTC, datetime
from email import policy

import pytest
from sqlmodel import Session, select

from sozialforum import outbox
from sozialforum.channels.mail import OutgoingMail
from sozialforum.store.models import OutboxMessage, Person
from sozialforum.vocab import OutboxStatus, Rechtsgrundlage

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _mail(to: str, name: str = "Erika Mustermann") -> OutgoingMail:
    return OutgoingMail(
        to=to,
        to_name=name,
        subject="Einladung: Sozialraumkonferenz Süd",
        text="Guten Tag,\nwir laden ein.\n",
        html="<p>Guten Tag</p>",
    )


def _person(session: Session, n: int) -> Person:
    person = Person(
        kennung=f"P{n}",
        nachname=f"Muster{n}",
        email=f"p{n}@traeger.example",
        rechtsgrundlage=Rechtsgrundlage.EINWILLIGUNG,
    )
    session.add(person)
    session.flush()
    return person


def test_enqueue_is_idempotent(engine, settings) -> None:
    with Session(engine) as session:
        first = outbox.enqueue(
            session,
            schluessel="k1",
            art="einladung",
            mail=_mail("a@b.example"),
            person_id=None,
            bezug={"x": 1},
            now=NOW,
            settings=settings,
        )
        second = outbox.enqueue(
            session,
            schluessel="k1",
            art="einladung",
            mail=_mail("c@d.example"),
            person_id=None,
            bezug={},
            now=NOW,
            settings=settings,
        )
        session.commit()
        assert first.id == second.id
        assert len(session.exec(select(OutboxMessage)).all()) == 1


def test_delivers_once_over_smtp(engine, settings, smtp) -> None:
    settings.mail.smtp_host, settings.mail.smtp_port = "127.0.0.1", smtp.port
    settings.mail.sicherheit, settings.mail.nachrichten_pro_sekunde = "keine", 1000
    with Session(engine) as session:
        for n in range(3):
            outbox.enqueue(
                session,
                schluessel=f"k{n}",
                art="einladung",
                mail=_mail(f"p{n}@x.example"),
                person_id=None,
                bezug={},
                now=NOW,
                settings=settings,
            )
        session.commit()
    report = outbox.deliver_pending(engine, settings, now=NOW)
    assert report.sent == 3 and not report.problems
    again = outbox.deliver_pending(engine, settings, now=NOW)
    assert again.sent == 0
    assert sorted(m.rcpt_tos[0] for m in smtp.collector.messages) == ["p0@x.example", "p1@x.example", "p2@x.example"]
    parsed = email.message_from_bytes(smtp.collector.messages[0].content, policy=policy.default)
    assert parsed["Subject"] == "Einladung: Sozialraumkonferenz Süd"
    with Session(engine) as session:
        rows = session.exec(select(OutboxMessage)).all()
        assert {r.status for r in rows} == {OutboxStatus.SENT}
        assert all(r.message_id and r.antwort_server.startswith("250") for r in rows)


def test_permanent_refusal_marks_contact_and_refusing_everything_fails_loudly(engine, settings, smtp) -> None:
    settings.mail.smtp_host, settings.mail.smtp_port = "127.0.0.1", smtp.port
    settings.mail.sicherheit, settings.mail.nachrichten_pro_sekunde = "keine", 1000
    smtp.collector.refuse["p1@traeger.example"] = "550 5.1.1 Unbekannter Empfänger"
    with Session(engine) as session:
        people = [_person(session, n) for n in range(2)]
        for person in people:
            outbox.enqueue(
                session,
                schluessel=f"k{person.id}",
                art="einladung",
                mail=_mail(person.email),
                person_id=person.id,
                bezug={},
                now=NOW,
                settings=settings,
            )
        session.commit()
    report = outbox.deliver_pending(engine, settings, now=NOW)
    assert report.sent == 1 and report.failed == 1
    assert report.problems[0].empfaenger == "p1@traeger.example"
    with Session(engine) as session:
        person = session.exec(select(Person).where(Person.kennung == "P1")).one()
        assert person.zustellung_gestoert_am is not None

    smtp.collector.refuse_all = "554 5.7.1 Zugriff verweigert"
    with Session(engine) as session:
        outbox.enqueue(
            session,
            schluessel="k9",
            art="einladung",
            mail=_mail("z@x.example"),
            person_id=None,
            bezug={},
            now=NOW,
            settings=settings,
        )
        session.commit()
    report = outbox.deliver_pending(engine, settings, now=NOW)
    with pytest.raises(outbox.DeliveryError, match="alle 1 Nachrichten abgelehnt"):
        report.raise_if_all_failed()


def test_unreachable_server_keeps_messages_queued(engine, settings) -> None:
    from tests.konferenz.smtp_server import free_port

    settings.mail.smtp_host, settings.mail.smtp_port = "127.0.0.1", free_port()
    settings.mail.sicherheit, settings.mail.timeout_sekunden = "keine", 2
    with Session(engine) as session:
        outbox.enqueue(
            session,
            schluessel="k",
            art="einladung",
            mail=_mail("a@x.example"),
            person_id=None,
            bezug={},
            now=NOW,
            settings=settings,
        )
        session.commit()
    report = outbox.deliver_pending(engine, settings, now=NOW)
    with pytest.raises(outbox.DeliveryError, match="nicht erreichbar"):
        report.raise_if_all_failed()
    with Session(engine) as session:
        assert session.exec(select(OutboxMessage)).one().status == OutboxStatus.QUEUED


def test_file_outbox_writes_one_eml_per_message(engine, settings) -> None:
    with Session(engine) as session:
        for n in range(2):
            outbox.enqueue(
                session,
                schluessel=f"k{n}",
                art="einladung",
                mail=_mail(f"p{n}@x.example"),
                person_id=None,
                bezug={},
                now=NOW,
                settings=settings,
            )
        session.commit()
    report = outbox.deliver_pending(engine, settings, now=NOW)
    outbox.deliver_pending(engine, settings, now=NOW)
    files = sorted(settings.outbox_dir.glob("*.eml"))
    assert report.sent == 2 and len(files) == 2
    assert report.outbox_dir == settings.outbox_dir
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert parsed.get_body(("plain",)).get_content().startswith("Guten Tag")


def _enqueue_many(engine, settings, count: int) -> None:
    with Session(engine) as session:
        for n in range(count):
            outbox.enqueue(
                session,
                schluessel=f"k{n}",
                art="einladung",
                mail=_mail(f"p{n}@x.example"),
                person_id=None,
                bezug={},
                now=NOW,
                settings=settings,
            )
        session.commit()


def test_the_rate_paces_the_mail_server_but_not_the_eml_folder(engine, settings, smtp) -> None:
    # Into the folder at one message per 5 s: paced, 5 messages would take 20 s; unpaced they take
    # well under 10 s even on a machine loaded twenty times over its cores.
    settings.mail.nachrichten_pro_sekunde = 0.2
    _enqueue_many(engine, settings, 5)
    started = time.monotonic()
    assert outbox.deliver_pending(engine, settings, now=NOW).sent == 5
    assert time.monotonic() - started < 10.0
    with Session(engine) as session:
        for row in session.exec(select(OutboxMessage)).all():
            row.status, row.schluessel = OutboxStatus.QUEUED, row.schluessel + "-smtp"
            session.add(row)
        session.commit()
    # Over SMTP at 2 per second: four pauses of 0.5 s.
    settings.mail.nachrichten_pro_sekunde = 2
    settings.mail.smtp_host, settings.mail.smtp_port, settings.mail.sicherheit = "127.0.0.1", smtp.port, "keine"
    started = time.monotonic()
    assert outbox.deliver_pending(engine, settings, now=NOW).sent == 5
    assert time.monotonic() - started >= 2.0
    assert len(smtp.collector.messages) == 5
