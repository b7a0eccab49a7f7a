"""Invitations, updates, cancellations and reminders of a Sitzung, recorded in the outbox.

Each message has an idempotency key naming Sitzung, SEQUENCE, kind and address
(``einladung:s12:q0:erika@traeger.de``), so a rerun adds only what is missing: new members get
their invitation, nobody gets one twice. A change of time or place raises SEQUENCE (RFC 5545
§3.8.7.4) and sends an update with the same UID; a cancellation sends METHOD:CANCEL. Before
either, every still-queued message of the Sitzung is withdrawn in the same transaction, so a
moved or cancelled meeting never gets a stale reminder or invitation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from sozialforum import outbox
from sozialforum.konferenz.empfaenger import Empfaenger, Uebersprungen, contact_problem, recipient_of
from sozialforum.konferenz.nachrichten import Composer
from sozialforum.konferenz.termine import meeting_day, reminder_due, sitzungen_to_invite
from sozialforum.konferenz.vorbereitung import Einladungspaket, load_pack, prepare
from sozialforum.settings import Settings
from sozialforum.store import audit
from sozialforum.store.db import session_scope
from sozialforum.store.models import OutboxMessage, Person, Rueckmeldung, Sitzung
from sozialforum.store.models.base import pk, table_of
from sozialforum.timeutil import as_utc, berlin, format_termin
from sozialforum.vocab import Antwort, AuditAktion, LinkZweck, OutboxStatus, SitzungStatus


class VersandFehler(ValueError):
    """A request that cannot be carried out (e.g. inviting to a cancelled Sitzung); German."""


@dataclass
class VersandBericht:
    sitzung_id: int
    art: str
    neu: int = 0
    schon_vorhanden: int = 0
    zurueckgezogen: int = 0
    uebersprungen: list[Uebersprungen] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"Sitzung {self.sitzung_id}, {self.art}: {self.neu} neu im Postausgang, "
            f"{self.schon_vorhanden} bereits vorhanden, {len(self.uebersprungen)} übersprungen"
            + (f", {self.zurueckgezogen} veraltete zurückgezogen" if self.zurueckgezogen else "")
        )


def message_key(art: str, sitzung: Sitzung, address: str, *, tage: int | None = None) -> str:
    suffix = f":t{tage}" if tage is not None else ""
    return f"{art}:s{sitzung.id}:q{sitzung.ical_sequence}{suffix}:{address.strip().lower()}"


def _personal_links(
    session: Session, recipients: list[Empfaenger], sitzung: Sitzung, *, now: datetime, settings: Settings
) -> dict[int, str]:
    """The portal's answer links for a batch, person id → URL; they end with the Sitzung."""
    from sozialforum.links import issue_links

    assert sitzung.id is not None  # a stored Sitzung
    return issue_links(
        session,
        person_ids=[r.person_id for r in recipients],
        zweck=LinkZweck.RSVP,
        bezug_id=sitzung.id,
        now=now,
        settings=settings,
        gueltig_bis=max(sitzung.ende + timedelta(days=1), now + timedelta(days=1)),
    )


def _enqueue(
    session: Session,
    composer: Composer,
    recipients: list[Empfaenger],
    report: VersandBericht,
    *,
    now: datetime,
    settings: Settings,
    tage: int | None = None,
    pause: Callable[[], None] | None = None,
) -> None:
    """Queue one message per recipient that lacks one; ``pause`` runs after each rendered
    message (the pipelined send uses it to let the delivery thread run)."""
    sitzung = composer.pack.sitzung
    keys = {r.key: message_key(composer.art, sitzung, r.email, tage=tage) for r in recipients}
    known = outbox.existing_keys(session, keys.values())
    requests: list[outbox.MailRequest] = []
    new = [r for r in recipients if keys[r.key] not in known]
    report.schon_vorhanden += len(recipients) - len(new)
    links = {} if composer.art == "absage" else _personal_links(session, new, sitzung, now=now, settings=settings)
    for recipient in new:
        key = keys[recipient.key]
        link = links.get(recipient.person_id)
        bezug = {"sitzung_id": sitzung.id, "sequenz": sitzung.ical_sequence, "art": composer.art}
        requests.append(
            outbox.MailRequest(key, composer.art, composer.mail(recipient, link), recipient.person_id, bezug)
        )
        if pause is not None:
            pause()
    report.neu += outbox.enqueue_many(session, requests, now=now, settings=settings)


def _record_invited(session: Session, sitzung: Sitzung, recipients: list[Empfaenger], now: datetime) -> None:
    """The attendee records: who was invited at which address (calendar replies must match).
    New rows go in as one bulk insert (with their audit entries); changed addresses are updated."""
    existing = {
        r.person_id: r
        for r in session.exec(
            select(Rueckmeldung).where(
                Rueckmeldung.sitzung_id == sitzung.id,
                col(Rueckmeldung.person_id).in_([r.person_id for r in recipients]),
            )
        )
    }
    new_rows: list[dict[str, object]] = []
    for recipient in recipients:
        row = existing.get(recipient.person_id)
        if row is None:
            new_rows.append(
                {
                    "sitzung_id": sitzung.id,
                    "person_id": recipient.person_id,
                    "antwort": Antwort.OFFEN.value,
                    "personen": 1,
                    "beduerfnisse": [],
                    "eingeladen_an": recipient.email,
                    "eingeladen_am": now,
                    "sequenz": sitzung.ical_sequence,
                }
            )
        elif row.eingeladen_an != recipient.email or row.eingeladen_am is None:
            row.eingeladen_an = recipient.email
            row.eingeladen_am = row.eingeladen_am or now
            session.add(row)
    if new_rows:
        table = table_of(Rueckmeldung)
        session.execute(sa.insert(table), new_rows)
        ids = session.scalars(
            sa.select(table.c.id).where(
                table.c.sitzung_id == sitzung.id, table.c.person_id.in_([r["person_id"] for r in new_rows])
            )
        )
        audit.record_bulk(session, table="rueckmeldung", entries=[(i, AuditAktion.CREATE, {}) for i in ids])
    session.flush()


def withdraw_queued(session: Session, sitzung_id: int) -> int:
    """Withdraw every message of the Sitzung that has not gone out yet (it became stale)."""
    table = table_of(OutboxMessage)
    ids = list(
        session.scalars(
            sa.select(table.c.id).where(
                table.c.status == OutboxStatus.QUEUED.value, table.c.bezug["sitzung_id"].as_integer() == sitzung_id
            )
        )
    )
    return outbox.skip_queued(session, ids, reason="veraltet: Sitzung geändert oder abgesagt")


def invited(session: Session, sitzung: Sitzung) -> list[tuple[Rueckmeldung, Person]]:
    return list(
        session.exec(
            select(Rueckmeldung, Person)
            .join(Person)
            .where(Rueckmeldung.sitzung_id == sitzung.id, col(Rueckmeldung.eingeladen_an).is_not(None))
        ).all()
    )


def _former_recipients(
    session: Session, sitzung: Sitzung, current: list[Empfaenger], report: VersandBericht
) -> list[Empfaenger]:
    """Invited earlier, contactable still; those who may no longer be mailed are reported."""
    current_people = {r.person_id for r in current}
    current_keys = {r.key for r in current}
    result: list[Empfaenger] = []
    for _row, person in invited(session, sitzung):
        if person.id in current_people:
            continue
        problem = contact_problem(person)
        if problem:
            report.uebersprungen.append(Uebersprungen(person.id, person.anzeigename, problem))
            continue
        recipient = recipient_of(session, person)
        if recipient.key not in current_keys:
            result.append(recipient)
            current_keys.add(recipient.key)
    return result


# Our answers → PARTSTAT (RFC 5545 §3.2.12), for updates that keep the answers.
_PARTSTAT = {
    Antwort.ZUSAGE: "ACCEPTED",
    Antwort.ABSAGE: "DECLINED",
    Antwort.VIELLEICHT: "TENTATIVE",
    Antwort.DELEGIERT: "DELEGATED",
}


def _kept_answers(session: Session, sitzung_id: int) -> dict[str, str]:
    """The answers an update keeps, by invited address (lower case) → PARTSTAT."""
    rows = session.exec(select(Rueckmeldung).where(Rueckmeldung.sitzung_id == sitzung_id)).all()
    return {
        row.eingeladen_an.lower(): _PARTSTAT[row.antwort]
        for row in rows
        if row.eingeladen_an and row.antwort in _PARTSTAT
    }


def _plan(
    session: Session,
    *,
    sitzung_id: int,
    now: datetime,
    settings: Settings,
    aenderung: str | None,
    antworten_behalten: bool = False,
) -> tuple[Composer, VersandBericht]:
    pack = prepare(session, sitzung_id, settings)
    sitzung = pack.sitzung
    if sitzung.status == SitzungStatus.ABGESAGT:
        raise VersandFehler(f"Die Sitzung „{sitzung.titel}“ ist abgesagt; es wird nicht eingeladen.")
    if sitzung.beginn <= as_utc(now):
        raise VersandFehler(f"Die Sitzung „{sitzung.titel}“ hat schon begonnen ({format_termin(sitzung.beginn)}).")
    art = "aktualisierung" if sitzung.ical_sequence > 0 else "einladung"
    report = VersandBericht(sitzung_id=sitzung_id, art=art, uebersprungen=list(pack.uebersprungen))
    kept = _kept_answers(session, sitzung_id) if antworten_behalten else None
    return Composer(pack, settings, now, art, aenderung=aenderung or "geänderte Angaben", antworten=kept), report


def _conclude(
    session: Session, composer: Composer, report: VersandBericht, *, now: datetime, settings: Settings
) -> None:
    """After an update: members who left get a cancellation. Then the Sitzung counts as invited."""
    pack = composer.pack
    sitzung = session.get(Sitzung, pack.sitzung.id)
    assert sitzung is not None
    if composer.art == "aktualisierung":
        gone = _former_recipients(session, sitzung, pack.empfaenger, report)
        if gone:
            _enqueue(
                session,
                Composer(
                    pack, settings, now, "absage", grund="Sie gehören dem Gremium zu diesem Termin nicht mehr an."
                ),
                gone,
                report,
                now=now,
                settings=settings,
            )
    if sitzung.status == SitzungStatus.GEPLANT:
        sitzung.status = SitzungStatus.EINGELADEN
        session.add(sitzung)
    session.flush()


def send_invitations(
    session: Session,
    *,
    sitzung_id: int,
    now: datetime,
    settings: Settings,
    aenderung: str | None = None,
    antworten_behalten: bool = False,
) -> VersandBericht:
    """Queue the invitation (or, after a change, the update) for every recipient still lacking
    one of the current SEQUENCE. Members who left since an earlier version get a cancellation.
    ``antworten_behalten``: the update carries each attendee's recorded answer and asks for none."""
    composer, report = _plan(
        session,
        sitzung_id=sitzung_id,
        now=now,
        settings=settings,
        aenderung=aenderung,
        antworten_behalten=antworten_behalten,
    )
    recipients = composer.pack.empfaenger
    _enqueue(session, composer, recipients, report, now=now, settings=settings)
    _record_invited(session, composer.pack.sitzung, recipients, now)
    _conclude(session, composer, report, now=now, settings=settings)
    return report


class _InvitationProducer:
    """Prepares the invitations of one batch for ``outbox.deliver_pending(producer=...)``: the
    personal links of ``BATCH`` recipients in one transaction, then one message per step, fully
    rendered (the step runs while the server works on the previous message), and every ``BATCH``
    messages into the outbox in one bulk insert, claimed by the delivery run. No transaction
    stays open between steps (SQLite has one writer, and the delivery books in between)."""

    BATCH = 100

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        composer: Composer,
        report: VersandBericht,
        *,
        now: datetime,
        actor: str,
    ) -> None:
        self.engine, self.settings, self.composer, self.report = engine, settings, composer, report
        self.now, self.actor = now, actor
        sitzung = composer.pack.sitzung
        with session_scope(engine, actor=actor) as session:
            known = outbox.existing_keys(
                session, (message_key(composer.art, sitzung, r.email) for r in composer.pack.empfaenger)
            )
        self.todo = [r for r in composer.pack.empfaenger if message_key(composer.art, sitzung, r.email) not in known]
        report.schon_vorhanden += len(composer.pack.empfaenger) - len(self.todo)
        self.position = 0
        self.links: dict[int, str | None] = {}
        self.prepared: list[tuple[Empfaenger, dict[str, object]]] = []

    def step(self, lease: outbox.Lease | None = None) -> bool:
        if self.position >= len(self.todo):
            return False
        sitzung = self.composer.pack.sitzung
        if self.position not in self.links:  # the links of the next batch, in one transaction
            batch = range(self.position, min(self.position + self.BATCH, len(self.todo)))
            with session_scope(self.engine, actor=self.actor) as session:
                urls = _personal_links(
                    session, [self.todo[i] for i in batch], sitzung, now=self.now, settings=self.settings
                )
            for index in batch:
                self.links[index] = urls[self.todo[index].person_id]
        recipient, link = self.todo[self.position], self.links.pop(self.position)
        self.position += 1
        bezug = {"sitzung_id": sitzung.id, "sequenz": sitzung.ical_sequence, "art": self.composer.art}
        request = outbox.MailRequest(
            message_key(self.composer.art, sitzung, recipient.email),
            self.composer.art,
            self.composer.mail(recipient, link),
            recipient.person_id,
            bezug,
        )
        self.prepared.append((recipient, outbox.render_request(request, now=self.now, settings=self.settings)))
        if len(self.prepared) >= self.BATCH:
            self.flush(lease)
        return True

    def flush(self, lease: outbox.Lease | None = None) -> None:
        if not self.prepared:
            return
        with session_scope(self.engine, actor=self.actor) as session:
            self.report.neu += outbox.enqueue_rendered(session, [r for _, r in self.prepared], lease=lease)
            _record_invited(session, self.composer.pack.sitzung, [e for e, _ in self.prepared], self.now)
        self.prepared = []


def invite_and_deliver(
    engine: Engine, settings: Settings, *, sitzung_id: int, now: datetime, actor: str
) -> tuple[VersandBericht, outbox.DeliveryReport]:
    """Queue and deliver at once, for large batches: each invitation is rendered and queued
    while the server works on the previous one. Same guarantees as queueing, then delivering:
    every message is committed to the outbox before it can be sent."""
    with session_scope(engine, actor=actor) as session:
        composer, report = _plan(session, sitzung_id=sitzung_id, now=now, settings=settings, aenderung=None)
    producer = _InvitationProducer(engine, settings, composer, report, now=now, actor=actor)
    delivery = outbox.deliver_pending(engine, settings, now=now, producer=producer)
    while producer.step():  # the delivery stopped early (e.g. server gone): queue the rest anyway
        pass
    producer.flush()
    with session_scope(engine, actor=actor) as session:
        _conclude(session, composer, report, now=now, settings=settings)
    return report, delivery


_UNSET = object()


def reschedule(
    session: Session,
    *,
    sitzung_id: int,
    now: datetime,
    settings: Settings,
    beginn: datetime | None = None,
    ende: datetime | None = None,
    ort: str | object | None = _UNSET,
    adresse: str | object | None = _UNSET,
) -> VersandBericht | None:
    """Change time and/or place. Invited attendees get an update (same UID, SEQUENCE + 1); a
    change of time asks everyone again (RFC 5546 §2.1.5: PARTSTAT back to NEEDS-ACTION)."""
    sitzung = session.get(Sitzung, sitzung_id)
    if sitzung is None:
        raise VersandFehler(f"Sitzung {sitzung_id} gibt es nicht.")
    if sitzung.status == SitzungStatus.ABGESAGT:
        raise VersandFehler("Eine abgesagte Sitzung kann nicht verschoben werden; bitte neu planen.")
    changes: list[str] = []
    new_start = as_utc(beginn) if beginn else sitzung.beginn
    new_end = as_utc(ende) if ende else new_start + (sitzung.ende - sitzung.beginn)
    if new_end <= new_start:
        raise VersandFehler("Das Ende der Sitzung muss nach ihrem Beginn liegen.")
    time_changed = (new_start, new_end) != (sitzung.beginn, sitzung.ende)
    if time_changed:
        changes.append(f"neuer Termin: {format_termin(new_start)}")
    if (ort is not _UNSET and ort != sitzung.ort) or (adresse is not _UNSET and adresse != sitzung.adresse):
        sitzung.ort = sitzung.ort if ort is _UNSET else ort  # type: ignore[assignment]  # past the sentinel, ort is str | None
        sitzung.adresse = sitzung.adresse if adresse is _UNSET else adresse  # type: ignore[assignment]  # past the sentinel, adresse is str | None
        changes.append(f"neuer Ort: {', '.join(p for p in (sitzung.ort, sitzung.adresse) if p)}")
    if not changes:
        return None
    sitzung.beginn, sitzung.ende = new_start, new_end
    sitzung.ical_sequence += 1
    session.add(sitzung)
    withdrawn = withdraw_queued(session, sitzung_id)
    if time_changed:
        for row, _person in invited(session, sitzung):
            row.antwort, row.quelle, row.beantwortet_am = Antwort.OFFEN, None, None
            row.sequenz = sitzung.ical_sequence
            session.add(row)
    session.flush()
    if sitzung.status != SitzungStatus.EINGELADEN:
        return VersandBericht(sitzung_id=sitzung_id, art="aenderung", zurueckgezogen=withdrawn)
    # A change of place only keeps the answers: the update says so to the calendars (the
    # attendee's PARTSTAT, no RSVP) instead of asking everyone to answer again.
    report = send_invitations(
        session,
        sitzung_id=sitzung_id,
        now=now,
        settings=settings,
        aenderung="; ".join(changes),
        antworten_behalten=not time_changed,
    )
    report.zurueckgezogen = withdrawn
    return report


def cancel(
    session: Session, *, sitzung_id: int, now: datetime, settings: Settings, grund: str | None = None
) -> VersandBericht:
    """Cancel the Sitzung: METHOD:CANCEL (same UID, SEQUENCE + 1) to everyone invited."""
    sitzung = session.get(Sitzung, sitzung_id)
    if sitzung is None:
        raise VersandFehler(f"Sitzung {sitzung_id} gibt es nicht.")
    report = VersandBericht(sitzung_id=sitzung_id, art="absage")
    if sitzung.status == SitzungStatus.ABGESAGT:
        return report
    was_invited = sitzung.status == SitzungStatus.EINGELADEN
    sitzung.status = SitzungStatus.ABGESAGT
    sitzung.ical_sequence += 1
    session.add(sitzung)
    report.zurueckgezogen = withdraw_queued(session, sitzung_id)
    session.flush()
    if not was_invited:
        return report
    pack = load_pack(session, sitzung_id, settings, with_recipients=False)
    recipients: dict[str, Empfaenger] = {}
    for _row, person in invited(session, sitzung):
        problem = contact_problem(person)
        if problem:
            report.uebersprungen.append(Uebersprungen(person.id, person.anzeigename, problem))
            continue
        recipient = recipient_of(session, person)
        recipients.setdefault(recipient.key, recipient)
    composer = Composer(pack, settings, now, "absage", grund=grund)
    _enqueue(session, composer, list(recipients.values()), report, now=now, settings=settings)
    return report


def send_reminders(session: Session, *, now: datetime, settings: Settings) -> list[VersandBericht]:
    """Reminders to those invited who have not answered, at the Gremium's offsets; only for
    Sitzungen that are invited, not cancelled and still ahead, in their current version."""
    today = berlin(now).date()
    reports: list[VersandBericht] = []
    upcoming = session.exec(
        select(Sitzung)
        .where(
            Sitzung.status == SitzungStatus.EINGELADEN,
            col(Sitzung.beginn) > as_utc(now),
        )
        .order_by(col(Sitzung.beginn))
    ).all()
    for sitzung in upcoming:
        pack = load_pack(session, pk(sitzung), settings, with_recipients=False)
        tage = reminder_due(sitzung, pack.gremium, today=today)
        if tage is not None:
            reports.append(_remind(session, pack, tage, now=now, settings=settings))
    return reports


def remind_now(session: Session, *, sitzung_id: int, now: datetime, settings: Settings) -> VersandBericht:
    """A reminder the Geschäftsstelle sends by hand to those who have not answered. Keyed by the
    days left like the scheduled ones, so a scheduled reminder on the same day is not doubled."""
    sitzung = session.get(Sitzung, sitzung_id)
    if sitzung is None:
        raise VersandFehler(f"Sitzung {sitzung_id} gibt es nicht.")
    if sitzung.status != SitzungStatus.EINGELADEN or sitzung.beginn <= as_utc(now):
        raise VersandFehler("Erinnert wird nur zu einer Sitzung, zu der eingeladen ist und die noch bevorsteht.")
    pack = load_pack(session, sitzung_id, settings, with_recipients=False)
    tage = (meeting_day(sitzung) - berlin(now).date()).days
    return _remind(session, pack, tage, now=now, settings=settings)


def _remind(session: Session, pack: Einladungspaket, tage: int, *, now: datetime, settings: Settings) -> VersandBericht:
    sitzung = pack.sitzung
    report = VersandBericht(sitzung_id=pk(sitzung), art="erinnerung")
    pending: dict[str, Empfaenger] = {}
    for row, person in invited(session, sitzung):
        if row.antwort != Antwort.OFFEN:
            continue
        problem = contact_problem(person)
        if problem:
            report.uebersprungen.append(Uebersprungen(person.id, person.anzeigename, problem))
            continue
        recipient = recipient_of(session, person)
        pending.setdefault(recipient.key, recipient)
    composer = Composer(pack, settings, now, "erinnerung")
    _enqueue(session, composer, list(pending.values()), report, now=now, settings=settings, tage=tage)
    return report


def due_invitations(session: Session, *, now: datetime) -> list[int]:
    """Ids of the Sitzungen whose invitations are due today (for the scheduled flow)."""
    return [pk(s) for s in sitzungen_to_invite(session, today=berlin(now).date())]
