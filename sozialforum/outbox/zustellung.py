"""Delivery of the outbox: claim due messages with a lease, send each at most once, book it.

A claim whose lease ran out belongs to a run that died and is taken up again. Between the body
and the final ``.`` of DATA the run commits "hand-over begins" in the store
(``outbox_message.uebergeben_lauf`` and ``uebergabe_am``); on the server's 250 it books the
message sent at once. A run killed before that record sent nothing (the server drops the
unfinished DATA) and the message is sent again; killed after it, nobody knows whether the
server has the message: it is set aside as "Zustellung unklar" (status ``uncertain``) and a
person decides (``outbox.unklar``: confirm as delivered, or send again). So no run ever sends a
message twice; the price is a rare message a person has to look at.
"""

from __future__ import annotations

import functools
import logging
import secrets
import smtplib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sozialforum.channels.mail_transport import FileTransport, Outcome, SmtpTransport, Transport, open_transport
from sozialforum.outbox import anspruch
from sozialforum.outbox.anhalten import StopOnTerm
from sozialforum.outbox.bericht import DeliveryError, DeliveryProblem, DeliveryReport
from sozialforum.settings import Settings
from sozialforum.store import audit
from sozialforum.store.models import Person
from sozialforum.store.models.base import table_of
from sozialforum.timeutil import as_utc
from sozialforum.vocab import OutboxStatus

CLAIM_CHUNK = 100
PRODUCE_AHEAD = 100  # messages a producer prepares at once when the delivery has run dry
BACKOFF_BASE = timedelta(minutes=2)
BACKOFF_MAX = timedelta(hours=6)

log = logging.getLogger(__name__)


def _backoff(attempt: int) -> timedelta:
    return min(BACKOFF_BASE * (2 ** max(attempt - 1, 0)), BACKOFF_MAX)


def _finish(engine: Engine, row: Any, outcome: Outcome, *, now: datetime, settings: Settings, token: str) -> str:
    """Record a failed attempt in its own commit; returns the new status."""
    table = anspruch.outbox_table()
    attempts = row.versuche + 1
    if outcome.ok:
        status, values = OutboxStatus.SENT, {"gesendet_am": now, "naechster_versuch": None}
    elif outcome.permanent or (
        attempts >= settings.mail.max_versuche
        and now - as_utc(row.erstellt_am) >= timedelta(hours=settings.mail.aufgeben_nach_stunden)
    ):
        status, values = OutboxStatus.FAILED, {"naechster_versuch": None}
    else:
        status, values = OutboxStatus.QUEUED, {"naechster_versuch": now + _backoff(attempts)}
    with engine.begin() as connection:
        connection.execute(
            sa.update(table)
            .where(table.c.id == row.id, table.c.lauf == token)
            .values(
                status=status.value,
                versuche=attempts,
                antwort_server=outcome.reply[:2000],
                lauf=None,
                uebergeben_lauf=None,  # the server answered: refused, not in doubt
                **values,
            )
        )
        if status is OutboxStatus.FAILED and row.person_id is not None:
            mark_contact_disturbed(connection, person_id=row.person_id, now=now)
    return status.value


def mark_contact_disturbed(connection: Any, *, person_id: int, now: datetime) -> None:
    """Record a permanent failure or bounce against the contact, for the Geschäftsstelle."""
    person = table_of(Person)
    changed = connection.execute(
        sa.update(person)
        .where(person.c.id == person_id, person.c.zustellung_gestoert_am.is_(None))
        .values(zustellung_gestoert_am=now)
    ).rowcount
    if changed:
        audit.record_core(
            connection,
            actor="zustellung",
            table="person",
            row_id=person_id,
            changes={"zustellung_gestoert_am": (None, now)},
            now=now,
        )


class _Clock:
    """``now`` of the call plus the time elapsed since (the run's own notion of time), and the
    pacing to at most ``rate`` messages per second (the provider's limit; ``None``: no pacing)."""

    def __init__(self, now: datetime, rate: float | None) -> None:
        self.start, self.started = as_utc(now), time.monotonic()
        self.interval = 1.0 / rate if rate else 0.0
        self.next_at = self.started

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.started)

    def pace(self) -> None:
        delay = self.next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self.next_at = max(self.next_at + self.interval, time.monotonic() - self.interval)


@dataclass(frozen=True)
class Lease:
    """The claim of one delivery run: its token, and a lease that runs out ``anspruch.LEASE`` after now."""

    token: str
    clock: _Clock

    def claim_values(self) -> dict[str, Any]:
        return {
            "status": OutboxStatus.SENDING.value,
            "lauf": self.token,
            "naechster_versuch": self.clock.now() + anspruch.LEASE,
        }


class Producer(Protocol):
    """Queues messages while the delivery runs (see ``deliver_pending``)."""

    def step(self, lease: Lease | None) -> bool:
        """Prepare one more message; False when there is nothing left to prepare."""
        ...

    def flush(self, lease: Lease | None) -> None:
        """Commit what was prepared to the outbox (only committed messages are ever sent),
        claimed by ``lease`` if given (see :func:`enqueue_rendered`)."""
        ...


def deliver_pending(
    engine: Engine,
    settings: Settings,
    *,
    now: datetime,
    limit: int | None = None,
    producer: Producer | None = None,
    nur: Sequence[int] | None = None,
) -> DeliveryReport:
    """Send every due message exactly once: over SMTP (``settings.mail.smtp_host``) or as .eml
    files into ``settings.outbox_dir``.

    With a ``producer``, rendering overlaps with delivery in this one thread: while the server
    works on a message (between the end of DATA and its reply), the producer queues the next
    one; when nothing is left to send, it queues a few at once. One thread, so the store sees
    one writer at a time (SQLite) and no lock is ever held across a wait.

    ``nur``: deliver only these messages (if due), e.g. the mail a Träger just requested in the
    portal; the claims are the same, so nothing goes out twice beside a running delivery."""
    transport = open_transport(settings)
    # The rate is the mail server's limit; writing .eml files into a folder needs no pacing.
    clock = _Clock(now, settings.mail.nachrichten_pro_sekunde if isinstance(transport, SmtpTransport) else None)
    token = secrets.token_hex(16)
    report = DeliveryReport()
    report.set_aside = anspruch.set_aside_in_doubt(engine, now=clock.now())
    report.transport = transport.name
    report.outbox_dir = settings.outbox_dir if isinstance(transport, FileTransport) else None
    if isinstance(transport, SmtpTransport):
        try:
            transport.connect()
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"Anmeldung am Mailserver abgelehnt: {exc}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            report.connection_error = f"{settings.mail.smtp_host}:{settings.mail.smtp_port}: {exc}"
            _note_uncertain(engine, report)
            return report
    lease = Lease(token, clock)
    with StopOnTerm() as stop:
        _deliver(
            engine,
            transport,
            report,
            settings=settings,
            clock=clock,
            lease=lease,
            limit=limit,
            producer=producer,
            nur=nur,
            stop=stop,
        )
    return report


def _deliver(
    engine: Engine,
    transport: Transport,
    report: DeliveryReport,
    *,
    settings: Settings,
    clock: _Clock,
    lease: Lease,
    limit: int | None,
    producer: Producer | None,
    nur: Sequence[int] | None,
    stop: StopOnTerm,
) -> None:
    token = lease.token
    remaining = limit
    completed = False
    writer = anspruch.records(engine)
    try:
        while remaining is None or remaining > 0:
            chunk = CLAIM_CHUNK if remaining is None else min(CLAIM_CHUNK, remaining)
            rows, resumed = anspruch.claim(engine, now=clock.now(), token=token, limit=chunk, nur=nur)
            report.resumed += resumed
            if not rows:
                if producer is not None and any([producer.step(lease) for _ in range(PRODUCE_AHEAD)]):
                    producer.flush(lease)
                    continue
                break
            if remaining is not None:
                remaining -= len(rows)
            _send_chunk(
                engine,
                writer,
                transport,
                rows,
                report,
                clock=clock,
                settings=settings,
                lease=lease,
                producer=producer,
                stop=stop,
            )
            if report.connection_error or stop.requested:
                break
        # What the producer queued claimed but this run did not get to send is anyone's again.
        anspruch.release(engine, token=token)
        completed = True
        _note_held_elsewhere(engine, report, token=token, now=clock.now())
        _note_uncertain(engine, report)
    finally:
        transport.close()
        writer.close()
        if not completed:  # an error: give back what this run holds, if the store answers
            anspruch.give_back(engine, token=token)


def _send_chunk(
    engine: Engine,
    writer: sa.Connection,
    transport: Transport,
    rows: list[Any],
    report: DeliveryReport,
    *,
    clock: _Clock,
    settings: Settings,
    lease: Lease,
    producer: Producer | None = None,
    stop: StopOnTerm | None = None,
) -> None:
    token = lease.token
    sender = str(settings.mail.absender)
    renewed = time.monotonic()
    for index, row in enumerate(rows):
        clock.pace()
        if stop is not None and stop.requested:  # told to stop: the rest goes back to the queue
            anspruch.release(engine, [r.id for r in rows[index:]], token=token)
            return
        if time.monotonic() - renewed > anspruch.LEASE.total_seconds() / 3:  # a slow server: keep the claim
            anspruch.renew(engine, token=token, now=clock.now())
            renewed = time.monotonic()
        outcome = transport.send(
            message_id=row.id,
            art=row.art,
            sender=sender,
            recipient=row.empfaenger,
            content=row.inhalt,
            handing_over=functools.partial(
                anspruch.begin_handover, writer, token=token, message_id=row.id, now=clock.now()
            ),
            while_waiting=functools.partial(producer.step, lease) if producer else None,
        )
        if outcome.ok:
            anspruch.book_sent(writer, row, outcome.reply, token=token, now=clock.now())
            report.sent += 1
            continue
        if outcome.uncertain:
            anspruch.set_aside(engine, row.id, outcome.reply, token=token)
            report.set_aside += 1
        else:
            status = _finish(engine, row, outcome, now=clock.now(), settings=settings, token=token)
            permanent = status == OutboxStatus.FAILED.value
            report.failed += permanent
            report.retry_later += not permanent
            report.problems.append(DeliveryProblem(row.id, row.person_id, row.empfaenger, outcome.reply, permanent))
        if outcome.connection_lost:
            # The server went away: give the rest of the claim back instead of failing it.
            anspruch.release(engine, [r.id for r in rows[index + 1 :]], token=token)
            report.connection_error = outcome.reply
            return


def _note_uncertain(engine: Engine, report: DeliveryReport) -> None:
    """Every message whose delivery is unclear waits for a person: counted and logged in German."""
    table = anspruch.outbox_table()
    with engine.connect() as connection:
        report.uncertain = int(
            connection.scalar(
                sa.select(sa.func.count()).select_from(table).where(table.c.status == OutboxStatus.UNCERTAIN.value)
            )
            or 0
        )
    if report.uncertain:
        log.warning("%s", report.uncertain_text)


def _note_held_elsewhere(engine: Engine, report: DeliveryReport, *, token: str, now: datetime) -> None:
    """Claims of other runs this run had to leave alone: counted, logged in German with the
    moment their lease runs out (a killed run's claim is taken up only then)."""
    table = anspruch.outbox_table()
    with engine.connect() as connection:
        count, until = connection.execute(
            sa.select(sa.func.count(), sa.func.max(table.c.naechster_versuch)).where(
                table.c.status == OutboxStatus.SENDING.value,
                table.c.naechster_versuch > now,
                sa.or_(table.c.lauf.is_(None), table.c.lauf != token),
            )
        ).one()
    if count:
        report.held_elsewhere, report.lease_ends = int(count), as_utc(until)
        log.warning("Warte auf Freigabe: %s", report.waiting_text)
