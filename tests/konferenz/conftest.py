"""Fixtures of the conference area: a loopback SMTP server and a small Gremium of our own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.konferenz.smtp_server import LoopbackSmtp


@pytest.fixture
def smtp() -> Iterator[LoopbackSmtp]:
    with LoopbackSmtp() as server:
        yield server
