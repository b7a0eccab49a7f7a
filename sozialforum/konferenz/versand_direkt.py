"""Queueing and delivering invitations at once, for large batches: each invitation is rendered
and queued while the mail server works on the previous one (``versand.send_invitations`` only
queues)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine

from sozialforum import outbox
from sozialforum.konferenz import versand
from sozialforum.konferenz.empfaenger import Empfaenger
from sozialforum.konferenz.nachrichten import Composer
from sozialforum.settings import Settings
from sozialforum.store.db import session_scope


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
        report: versand.VersandBericht,
        *,
        now: datetime,
        actor: str,
    ) -> None:
        self.engine, self.settings, self.composer, self.report = engine, settings, composer, report
        self.now, self.actor = now, actor
        sitzung = composer.pack.sitzung
        with session_scope(engine, actor=actor) as session:
            known = outbox.existing_keys(
                session, (versand.message_key(composer.art, sitzung, r.email) for r in composer.pack.empfaenger)
            )
        self.todo = [
            r for r in composer.pack.empfaenger if versand.message_key(composer.art, sitzung, r.email) not in known
        ]
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
                urls = versand.personal_links(
                    session, [self.todo[i] for i in batch], sitzung, now=self.now, settings=self.settings
                )
            for index in batch:
                self.links[index] = urls[self.todo[index].person_id]
        recipient, link = self.todo[self.position], self.links.pop(self.position)
        self.position += 1
        bezug = {"sitzung_id": sitzung.id, "sequenz": sitzung.ical_sequence, "art": self.composer.art}
        request = outbox.MailRequest(
            versand.message_key(self.composer.art, sitzung, recipient.email),
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
            versand.record_invited(session, self.composer.pack.sitzung, [e for e, _ in self.prepared], self.now)
        self.prepared = []


def invite_and_deliver(
    engine: Engine, settings: Settings, *, sitzung_id: int, now: datetime, actor: str
) -> tuple[versand.VersandBericht, outbox.DeliveryReport]:
    """Queue and deliver at once, for large batches: each invitation is rendered and queued
    while the server works on the previous one. Same guarantees as queueing, then delivering:
    every message is committed to the outbox before it can be sent."""
    with session_scope(engine, actor=actor) as session:
        composer, report = versand.plan_invitations(
            session, sitzung_id=sitzung_id, now=now, settings=settings, aenderung=None
        )
    producer = _InvitationProducer(engine, settings, composer, report, now=now, actor=actor)
    delivery = outbox.deliver_pending(engine, settings, now=now, producer=producer)
    while producer.step():  # the delivery stopped early (e.g. server gone): queue the rest anyway
        pass
    producer.flush()
    with session_scope(engine, actor=actor) as session:
        versand.conclude_invitations(session, composer, report, now=now, settings=settings)
    return report, delivery
