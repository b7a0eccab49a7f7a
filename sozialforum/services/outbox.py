"""The outbox: every message is recorded (rendered, with its Message-ID) before it is sent.

Life of a message: ``queued`` → claimed as ``sending`` (with a lease) → ``sent`` | ``failed``
(permanent) | back to ``queued`` with a later ``naechster_versuch`` (temporary, backoff) →
``bounced`` when a delivery status notification comes back later. ``skipped`` is set by the
services when a queued message became stale (a moved or cancelled Sitzung).

Exactly once: the idempotency key (``schluessel``) makes enqueueing a no-op the second time, and
each message is marked ``sent`` in its own commit right after the server's 250, so a crash or a
rerun resends nothing that was recorded as sent. A claim whose lease ran out belongs to a run
that died and is taken up again. The one window no protocol closes is a kill between the
server's 250 and that commit: the message is then sent again as the very same bytes with the
same Message-ID, which receiving servers and calendar clients treat as one message.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from sozialforum.adapters.mail import OutgoingMail, message_id_for, render_message
from sozialforum.models import OutboxMessage, Person
from sozialforum.settings import Settings
from sozialforum.timeutil import as_utc
from sozialforum.vocab import OutboxStatus

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)  # a live run renews its claim long before this runs out
CLAIM_CHUNK = 100
BACKOFF_BASE = timedelta(minutes=2)
BACKOFF_MAX = timedelta(hours=6)


class DeliveryError(RuntimeError):
    """The mail server refused every message or could not be reached: fail loudly."""


@dataclass
class DeliveryProblem:
    outbox_id: int
    person_id: int | None
    empfaenger: str
    grund: str
    endgueltig: bool


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0  # permanent
    retry_later: int = 0  # temporary, queued again with backoff
    resumed: int = 0  # claims of a run that died, taken up again
    transport: str = "datei"
    outbox_dir: Path | None = None
    problems: list[DeliveryProblem] = field(default_factory=list)
    connection_error: str | None = None

    @property
    def attempted(self) -> int:
        return self.sent + self.failed + self.retry_later

    def raise_if_all_failed(self) -> None:
        """A server that refuses everything (or cannot be reached) is an outage, not a detail."""
        if self.connection_error is not None:
            raise DeliveryError(f"Mailserver nicht erreichbar: {self.connection_error}")
        if self.attempted > 0 and self.sent == 0:
            reasons = "; ".join(sorted({p.grund for p in self.problems})[:3])
            raise DeliveryError(
                f"Der Mailserver hat alle {self.attempted} Nachrichten abgelehnt ({reasons})."
            )

    def summary(self) -> str:
        where = f" nach {self.outbox_dir}" if self.outbox_dir else ""
        return (
            f"{self.sent} gesendet{where}, {self.failed} endgültig fehlgeschlagen, "
            f"{self.retry_later} später erneut, {self.resumed} nach Abbruch wieder aufgenommen"
        )


# --- enqueueing -------------------------------------------------------------------------------


def _record(
    *, schluessel: str, art: str, mail: OutgoingMail, person_id: int | None,
    bezug: dict[str, Any], now: datetime, settings: Settings,
) -> dict[str, Any]:
    message_id = message_id_for(schluessel, settings)
    content = render_message(mail, settings, message_id=message_id, date=now)
    return {
        "schluessel": schluessel, "art": art, "person_id": person_id, "empfaenger": mail.to,
        "betreff": mail.subject[:500], "status": OutboxStatus.QUEUED.value, "inhalt": content,
        "message_id": message_id, "bezug": bezug, "versuche": 0, "erstellt_am": as_utc(now),
    }


def enqueue(
    session: Session, *, schluessel: str, art: str, mail: OutgoingMail, person_id: int | None,
    bezug: dict[str, Any], now: datetime, settings: Settings,
) -> OutboxMessage:
    """Record one message for delivery. Idempotent on ``schluessel``: a second call returns the
    existing record and adds nothing. Raises ValueError (German) if the mail cannot be rendered."""
    existing = session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.schluessel == schluessel)  # type: ignore[arg-type]
    ).first()
    if existing is not None:
        return existing
    values = _record(schluessel=schluessel, art=art, mail=mail, person_id=person_id,
                     bezug=bezug, now=now, settings=settings)
    message = OutboxMessage(**values)
    session.add(message)
    session.flush()
    return message


@dataclass(frozen=True)
class MailRequest:
    """One message of a batch for :func:`enqueue_many`."""

    schluessel: str
    art: str
    mail: OutgoingMail
    person_id: int | None
    bezug: dict[str, Any]


def existing_keys(session: Session, keys: Iterable[str]) -> set[str]:
    found: set[str] = set()
    key_list = list(keys)
    for start in range(0, len(key_list), 500):
        chunk = key_list[start : start + 500]
        found.update(session.scalars(
            sa.select(OutboxMessage.schluessel).where(OutboxMessage.schluessel.in_(chunk))  # type: ignore[attr-defined]
        ))
    return found


def enqueue_many(
    session: Session, requests: Sequence[MailRequest], *, now: datetime, settings: Settings
) -> int:
    """Record a batch in bulk (one lookup, one insert per chunk); keys already present are left
    alone. Returns how many were new. Render errors raise before anything is written."""
    known = existing_keys(session, (request.schluessel for request in requests))
    rows: list[dict[str, Any]] = []
    for request in requests:
        if request.schluessel in known:
            continue
        known.add(request.schluessel)
        rows.append(_record(schluessel=request.schluessel, art=request.art, mail=request.mail,
                            person_id=request.person_id, bezug=request.bezug, now=now,
                            settings=settings))
    for start in range(0, len(rows), 1000):
        session.execute(sa.insert(OutboxMessage), rows[start : start + 1000])
    return len(rows)


def skip_queued(session: Session, message_ids: Iterable[int], *, reason: str) -> int:
    """Withdraw messages that are still waiting (e.g. a reminder of a moved Sitzung)."""
    ids = list(message_ids)
    if not ids:
        return 0
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    result = session.execute(
        sa.update(table)
        .where(table.c.id.in_(ids), table.c.status == OutboxStatus.QUEUED.value)
        .values(status=OutboxStatus.SKIPPED.value, antwort_server=reason)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --- delivery ---------------------------------------------------------------------------------


class _Stored:
    """What the emails package's SMTP backend sends: our stored bytes, unchanged."""

    def __init__(self, content: bytes) -> None:
        self._content = content

    def as_bytes(self) -> bytes:
        return self._content


@dataclass
class _Outcome:
    ok: bool
    reply: str
    permanent: bool = False


class _FileTransport:
    """No SMTP configured: one .eml file per message (the offline demo). The name derives from
    the record, so a resend after a crash rewrites the same file and never adds a second."""

    name = "datei"

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def send(self, row: Any, sender: str) -> _Outcome:
        target = self.directory / f"{row.id:07d}-{row.art}.eml"
        temporary = target.with_suffix(".tmp")
        temporary.write_bytes(row.inhalt)
        temporary.replace(target)
        return _Outcome(True, f"geschrieben: {target.name}")

    def close(self) -> None:
        pass


class _SmtpTransport:
    """SMTP through the ``emails`` package: one connection for the whole batch."""

    name = "smtp"

    def __init__(self, settings: Settings) -> None:
        from emails.backend import SMTPBackend

        mail = settings.mail
        options: dict[str, Any] = {
            "host": mail.smtp_host, "port": mail.smtp_port, "timeout": mail.timeout_sekunden,
            "ssl": mail.sicherheit == "ssl", "tls": mail.sicherheit == "starttls",
            "fail_silently": True,
        }
        if mail.benutzer:
            options["user"] = mail.benutzer
            options["password"] = mail.passwort.get_secret_value() if mail.passwort else ""
        self.backend = SMTPBackend(**options)

    def connect(self) -> None:
        """Open the connection now, so that a wrong host or password fails the run at once."""
        self.backend.get_client()

    def send(self, row: Any, sender: str) -> _Outcome:
        response = self.backend.sendmail(from_addr=sender, to_addrs=[row.empfaenger],
                                         msg=_Stored(row.inhalt))
        if response is not None and response.success:
            text = (response.status_text or b"").decode("utf-8", "replace")
            return _Outcome(True, f"{response.status_code} {text}".strip())
        return _classify(response)

    def close(self) -> None:
        self.backend.close()


def _classify(response: Any) -> _Outcome:
    error = getattr(response, "error", None)
    code = getattr(response, "status_code", None)
    refused = getattr(response, "refused_recipients", None) or {}
    if refused:
        code, text = next(iter(refused.values()))
        reply = f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"
    else:
        text = getattr(response, "status_text", b"") or b""
        reply = f"{code or ''} {text.decode('utf-8', 'replace')}".strip() or repr(error)
    # SMTPException derives from OSError: only a socket error or a hang-up is a lost connection.
    lost = isinstance(error, smtplib.SMTPServerDisconnected) or (
        isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException))
    if lost or code is None:
        return _Outcome(False, f"Verbindungsfehler: {error!r}", permanent=False)
    # RFC 5321 §4.2.1: 5yz is a permanent, 4yz a transient negative completion reply.
    return _Outcome(False, reply, permanent=500 <= int(code) < 600)


def _table() -> sa.Table:
    return OutboxMessage.__table__  # type: ignore[attr-defined, no-any-return]


def _claim(engine: Engine, *, now: datetime, token: str, limit: int) -> tuple[list[Any], int]:
    """Claim up to ``limit`` due messages for this run; returns them and how many were resumed."""
    table = _table()
    due = sa.or_(
        sa.and_(table.c.status == OutboxStatus.QUEUED.value,
                sa.or_(table.c.naechster_versuch.is_(None), table.c.naechster_versuch <= now)),
        sa.and_(table.c.status == OutboxStatus.SENDING.value, table.c.naechster_versuch <= now),
    )
    with engine.begin() as connection:
        ids = list(connection.scalars(sa.select(table.c.id).where(due).order_by(table.c.id)
                                      .limit(limit)))
        if not ids:
            return [], 0
        resumed = connection.scalar(sa.select(sa.func.count()).select_from(table).where(
            table.c.id.in_(ids), table.c.status == OutboxStatus.SENDING.value)) or 0
        # The WHERE repeats ``due``: on PostgreSQL a row claimed meanwhile by another run fails it.
        connection.execute(sa.update(table).where(table.c.id.in_(ids), due).values(
            status=OutboxStatus.SENDING.value, lauf=token, naechster_versuch=now + LEASE))
        rows = list(connection.execute(
            sa.select(table.c.id, table.c.art, table.c.empfaenger, table.c.inhalt,
                      table.c.person_id, table.c.versuche)
            .where(table.c.lauf == token, table.c.status == OutboxStatus.SENDING.value)
            .order_by(table.c.id)))
    return rows, int(resumed)


def _backoff(attempt: int) -> timedelta:
    return min(BACKOFF_BASE * (2 ** max(attempt - 1, 0)), BACKOFF_MAX)


def _finish(engine: Engine, row: Any, outcome: _Outcome, *, now: datetime, settings: Settings,
            token: str) -> str:
    """Record the outcome of one message in its own commit; returns the new status."""
    table = _table()
    attempts = row.versuche + 1
    if outcome.ok:
        status, values = OutboxStatus.SENT, {"gesendet_am": now, "naechster_versuch": None}
    elif outcome.permanent or attempts >= settings.mail.max_versuche:
        status, values = OutboxStatus.FAILED, {"naechster_versuch": None}
    else:
        status, values = OutboxStatus.QUEUED, {"naechster_versuch": now + _backoff(attempts)}
    with engine.begin() as connection:
        connection.execute(
            sa.update(table).where(table.c.id == row.id, table.c.lauf == token).values(
                status=status.value, versuche=attempts, antwort_server=outcome.reply[:2000],
                lauf=None, **values))
        if status is OutboxStatus.FAILED and row.person_id is not None:
            mark_contact_disturbed(connection, person_id=row.person_id, now=now)
    return status.value


def mark_contact_disturbed(connection: Any, *, person_id: int, now: datetime) -> None:
    """Record a permanent failure or bounce against the contact, for the Geschäftsstelle."""
    person = Person.__table__  # type: ignore[attr-defined]
    connection.execute(sa.update(person).where(person.c.id == person_id,
                                               person.c.zustellung_gestoert_am.is_(None))
                       .values(zustellung_gestoert_am=now))


class _Pacer:
    """At most ``rate`` messages per second (the provider's limit), on a monotonic clock."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self.next_at = time.monotonic()

    def wait(self) -> None:
        delay = self.next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self.next_at = max(self.next_at + self.interval, time.monotonic() - self.interval)


def deliver_pending(
    engine: Engine, settings: Settings, *, now: datetime, limit: int | None = None
) -> DeliveryReport:
    """Send every due message exactly once: over SMTP (``settings.mail.smtp_host``) or as .eml
    files into ``settings.outbox_dir``. Per-message outcomes are committed one by one."""
    start, started = as_utc(now), time.monotonic()
    token = secrets.token_hex(16)
    report = DeliveryReport()
    transport: _FileTransport | _SmtpTransport
    if settings.mail.smtp_host:
        transport = _SmtpTransport(settings)
        report.transport = "smtp"
    else:
        transport = _FileTransport(settings.outbox_dir)
        report.outbox_dir = settings.outbox_dir
    pacer = _Pacer(settings.mail.nachrichten_pro_sekunde)
    sender = str(settings.mail.absender)
    remaining = limit
    try:
        if isinstance(transport, _SmtpTransport):
            try:
                transport.connect()
            except smtplib.SMTPAuthenticationError as exc:
                raise DeliveryError(f"Anmeldung am Mailserver abgelehnt: {exc}") from exc
            except (OSError, smtplib.SMTPException) as exc:
                where = f"{settings.mail.smtp_host}:{settings.mail.smtp_port}"
                report.connection_error = f"{where}: {exc}"
                return report
        while remaining is None or remaining > 0:
            moment = start + timedelta(seconds=time.monotonic() - started)
            chunk = CLAIM_CHUNK if remaining is None else min(CLAIM_CHUNK, remaining)
            rows, resumed = _claim(engine, now=moment, token=token, limit=chunk)
            report.resumed += resumed
            if not rows:
                break
            if remaining is not None:
                remaining -= len(rows)
            _send_chunk(engine, transport, rows, report, sender=sender, pacer=pacer,
                        settings=settings, token=token, start=start, started=started)
            if report.connection_error:
                break
    finally:
        transport.close()
    return report


def _send_chunk(
    engine: Engine, transport: _FileTransport | _SmtpTransport, rows: list[Any],
    report: DeliveryReport, *, sender: str, pacer: _Pacer, settings: Settings, token: str,
    start: datetime, started: float,
) -> None:
    for index, row in enumerate(rows):
        pacer.wait()
        moment = start + timedelta(seconds=time.monotonic() - started)
        try:
            outcome = transport.send(row, sender)
        except (OSError, smtplib.SMTPException) as exc:
            outcome = _Outcome(False, f"Verbindungsfehler: {exc!r}")
        status = _finish(engine, row, outcome, now=moment, settings=settings, token=token)
        if status == OutboxStatus.SENT.value:
            report.sent += 1
            continue
        permanent = status == OutboxStatus.FAILED.value
        report.failed += permanent
        report.retry_later += not permanent
        report.problems.append(DeliveryProblem(row.id, row.person_id, row.empfaenger,
                                               outcome.reply, permanent))
        if outcome.reply.startswith("Verbindungsfehler") and not outcome.ok:
            # The server went away: give the rest of the claim back instead of failing it.
            _release(engine, [r.id for r in rows[index + 1 :]], token=token)
            report.connection_error = outcome.reply
            return


def _release(engine: Engine, ids: list[int], *, token: str) -> None:
    if not ids:
        return
    table = _table()
    with engine.begin() as connection:
        connection.execute(sa.update(table).where(table.c.id.in_(ids), table.c.lauf == token)
                           .values(status=OutboxStatus.QUEUED.value, lauf=None,
                                   naechster_versuch=None))


def record_bounce(session: Session, *, message_id: str, diagnose: str, now: datetime) -> bool:
    """A delivery status notification came back for ``message_id``: mark it bounced and the
    contact disturbed. Returns False if no sent message has that id."""
    message = session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.message_id == message_id)).first()  # type: ignore[arg-type]
    if message is None:
        return False
    message.status = OutboxStatus.BOUNCED
    message.antwort_server = diagnose[:2000]
    session.add(message)
    session.flush()
    if message.person_id is not None:
        mark_contact_disturbed(session.connection(), person_id=message.person_id, now=now)
    return True
