"""Fixtures of the conference area: a loopback SMTP server and a small Gremium of our own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session

from tests.konferenz.fixtures import Konferenz, build
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
