"""Invitations and updates of a Sitzung, recorded in the outbox, and the pieces every message
about a Sitzung shares (keys, personal links, the attendee records, withdrawing stale ones).

Each message has an idempotency key naming Sitzung, SEQUENCE, kind and address
(``einladung:s12:q0:erika@traeger.de``), so a rerun adds only what is missing: new members get
their invitation, nobody gets one twice. Changes and cancellations live in ``aenderung``,
reminders in ``erinnerung``, queueing while delivering in ``versand_direkt``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from sozialforum import outbox
from sozialforum.konferenz.empfaenger import Empfaenger, Uebersprungen, contact_problem, recipient_of
from sozialforum.konferenz.nachrichten import Composer
from sozialforum.konferenz.termine import sitzungen_to_invite
from sozialforum.konferenz.vorbereitung import prepare
from sozialforum.settings import Settings
from sozialforum.store import audit
from sozialforum.store.models import OutboxMessage, Person, Rueckmeldung, Sitzung
from sozialforum.store.models.base import pk, table_of
from sozialforum.timeutil import as_utc, berlin, format_termin
from sozialforum.vocab import Antwort, AuditAktion, LinkZweck, NachrichtArt, OutboxStatus, SitzungStatus


class VersandFehler(ValueError):
    """A request that cannot be carried out (e.g. inviting to a cancelled Sitzung); German."""


@dataclass
class VersandBericht:
    sitzung_id: int
    art: NachrichtArt
    neu: int = 0
    schon_vorhanden: int = 0
    zurueckgezogen: int = 0
    uebersprungen: list[Uebersprungen] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"Sitzung {self.sitzung_id}, {self.art.plural}: {self.neu} neu im Postausgang, "
            f"{self.schon_vorhanden} bereits vorhanden, {len(self.uebersprungen)} übersprungen"
            + (f", {self.zurueckgezogen} veraltete zurückgezogen" if self.zurueckgezogen else "")
        )


def message_key(art: str, sitzung: Sitzung, address: str, *, tage: int | None = None) -> str:
    suffix = f":t{tage}" if tage is not None else ""
    return f"{art}:s{sitzung.id}:q{sitzung.ical_sequence}{suffix}:{address.strip().lower()}"


def personal_links(
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


def enqueue_messages(
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
    links = (
        {} if composer.art == NachrichtArt.ABSAGE else personal_links(session, new, sitzung, now=now, settings=settings)
    )
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


def record_invited(session: Session, sitzung: Sitzung, recipients: list[Empfaenger], now: datetime) -> None:
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


def reachable(session: Session, people: Iterable[Person], report: VersandBericht) -> dict[str, Empfaenger]:
    """The recipients of these invited people, one per address (key → recipient, in order);
    those who may no longer be mailed are reported as skipped."""
    recipients: dict[str, Empfaenger] = {}
    for person in people:
        problem = contact_problem(person)
        if problem:
            report.uebersprungen.append(Uebersprungen(person.id, person.anzeigename, problem))
            continue
        recipient = recipient_of(session, person)
        recipients.setdefault(recipient.key, recipient)
    return recipients


def _former_recipients(
    session: Session, sitzung: Sitzung, current: list[Empfaenger], report: VersandBericht
) -> list[Empfaenger]:
    """Invited earlier, contactable still; those who may no longer be mailed are reported."""
    current_people = {r.person_id for r in current}
    current_keys = {r.key for r in current}
    former = (person for _row, person in invited(session, sitzung) if person.id not in current_people)
    return [r for key, r in reachable(session, former, report).items() if key not in current_keys]


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


def plan_invitations(
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
    art = NachrichtArt.AKTUALISIERUNG if sitzung.ical_sequence > 0 else NachrichtArt.EINLADUNG
    report = VersandBericht(sitzung_id=sitzung_id, art=art, uebersprungen=list(pack.uebersprungen))
    kept = _kept_answers(session, sitzung_id) if antworten_behalten else None
    return Composer(pack, settings, now, art, aenderung=aenderung or "geänderte Angaben", antworten=kept), report


def conclude_invitations(
    session: Session, composer: Composer, report: VersandBericht, *, now: datetime, settings: Settings
) -> None:
    """After an update: members who left get a cancellation. Then the Sitzung counts as invited."""
    pack = composer.pack
    sitzung = session.get(Sitzung, pack.sitzung.id)
    assert sitzung is not None
    if composer.art == NachrichtArt.AKTUALISIERUNG:
        gone = _former_recipients(session, sitzung, pack.empfaenger, report)
        if gone:
            enqueue_messages(
                session,
                Composer(
                    pack,
                    settings,
                    now,
                    NachrichtArt.ABSAGE,
                    grund="Sie gehören dem Gremium zu diesem Termin nicht mehr an.",
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
    composer, report = plan_invitations(
        session,
        sitzung_id=sitzung_id,
        now=now,
        settings=settings,
        aenderung=aenderung,
        antworten_behalten=antworten_behalten,
    )
    recipients = composer.pack.empfaenger
    enqueue_messages(session, composer, recipients, report, now=now, settings=settings)
    record_invited(session, composer.pack.sitzung, recipients, now)
    conclude_invitations(session, composer, report, now=now, settings=settings)
    return report


def due_invitations(session: Session, *, now: datetime) -> list[int]:
    """Ids of the Sitzungen whose invitations are due today (for the scheduled flow)."""
    return [pk(s) for s in sitzungen_to_invite(session, today=berlin(now).date())]
