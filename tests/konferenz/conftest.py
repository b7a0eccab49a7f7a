"""Fixtures of the conference area: a loopback SMTP server and a small Gremium of our own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.konferenz.smtp_server import LoopbackSmtp


@pytest.fixture
def smtp() -> Iterator[LoopbackSmtp]:
    with LoopbackSmtp() as server:
        yield server


@pytest.fixture
def konferenz(engine, settings):
    from sqlmodel import Session

    from tests.konferenz.fixtures import build

    with Session(engine, expire_on_commit=False) as session:
        built = build(session, settings)
        session.commit()
    return built
