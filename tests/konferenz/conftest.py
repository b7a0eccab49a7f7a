"""Fixtures of the conference area: a loopback SMTP server and a small Gremium of our own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session

from sozialforum.konferenz import versand
from sozialforum.store.models import Sitzung
from tests.konferenz.fixtures import NOW, REPLY_UID, Konferenz, build
from tests.konferenz.smtp_server import LoopbackSmtp


@pytest.fixture
def smtp() -> Iterator[LoopbackSmtp]:
    with LoopbackSmtp() as server:
        yield server


@pytest.fixture
def smtp_settings(settings, smtp):
    """The test's settings, delivering to the loopback server without TLS and rate limit."""
    settings.mail.smtp_host, settings.mail.smtp_port = "127.0.0.1", smtp.port
    settings.mail.sicherheit, settings.mail.nachrichten_pro_sekunde = "keine", 10_000
    return settings


@pytest.fixture
def konferenz(engine, settings) -> Konferenz:
    with Session(engine, expire_on_commit=False) as session:
        built = build(session, settings)
        session.commit()
    return built


@pytest.fixture
def eingeladen(engine, settings, konferenz: Konferenz) -> Konferenz:
    """The Gremium invited to its Sitzung under the UID the reply fixtures (antworten/) answer."""
    with Session(engine) as session:
        sitzung = session.get(Sitzung, konferenz.sitzung_id)
        assert sitzung is not None
        sitzung.ical_uid = REPLY_UID
        session.add(sitzung)
        versand.send_invitations(session, sitzung_id=konferenz.sitzung_id, now=NOW, settings=settings)
        session.commit()
    return konferenz
