"""Every kind of outbox message has a German name, singular and plural, in one vocabulary
(``NachrichtArt``); queueing a kind that has none is refused, so no raw key reaches a page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from sozialforum import outbox
from sozialforum.channels.mail import OutgoingMail
from sozialforum.settings import Settings
from sozialforum.store.models import OutboxMessage
from sozialforum.vocab import NachrichtArt

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("art", list(NachrichtArt), ids=str)
def test_every_kind_has_a_german_singular_and_plural(art: NachrichtArt) -> None:
    assert art.label != art.value and art.plural != art.label, art
    assert (art.benannt(1), art.benannt(0), art.benannt(12)) == (art.label, art.plural, art.plural)


def test_names_for_counts() -> None:
    assert NachrichtArt.benenne("projektbericht", 74) == "Anfragen zum Projektbericht"
    assert NachrichtArt.benenne("frist_eskalation", 1) == "Meldung überschrittener Fristen an die Leitung"
    assert NachrichtArt.benenne("einladung") == "Einladung"
    assert NachrichtArt.benenne("aus_alter_zeit", 3) == "aus_alter_zeit"  # stored long ago: shown, not a crash


def test_a_kind_without_a_label_is_not_queued(engine: Engine, settings: Settings) -> None:
    mail = OutgoingMail(to="a@traeger.example", to_name="A", subject="Hallo", text="Hallo\n")
    with Session(engine) as session:
        with pytest.raises(ValueError, match="neue_art"):
            outbox.enqueue(
                session,
                schluessel="k1",
                art="neue_art",  # type: ignore[arg-type]  # what a new kind without a label would do
                mail=mail,
                person_id=None,
                bezug={},
                now=NOW,
                settings=settings,
            )
        request = outbox.MailRequest("k2", "neue_art", mail, None, {})  # type: ignore[arg-type]  # likewise
        with pytest.raises(ValueError, match="neue_art"):
            outbox.enqueue_many(session, [request], now=NOW, settings=settings)
        assert session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
