"""Global concurrency limits that keep SMTP and the store within their capacity when several
workers run flows at once (docs/betrieb.md):

    prefect gcl create sozialforum-smtp --limit 1
    prefect gcl create sozialforum-datenbank --limit 4

``sozialforum serve`` creates both if they are missing. Without a Prefect server (the ephemeral
mode of the demo and the tests) there is nothing to coordinate and the helpers do nothing; a
limit that was not created only logs a warning (``strict=False``), it never stops a run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from prefect.concurrency.sync import concurrency
from prefect.settings import PREFECT_API_URL

SMTP = "sozialforum-smtp"
DATENBANK = "sozialforum-datenbank"
# Default limits: one SMTP connection at a time (the outbox sends a batch over one connection),
# a few writers on the store (SQLite has one writer anyway; PostgreSQL takes more).
STANDARD = {SMTP: 1, DATENBANK: 4}


def aktiv() -> bool:
    """Limits only mean something against a real Prefect server."""
    return bool(PREFECT_API_URL.value())


@contextmanager
def belegen(*namen: str) -> Iterator[None]:
    """Hold one slot of each named limit for the duration of the block."""
    if not namen or not aktiv():
        yield
        return
    with concurrency(list(namen), occupy=1, strict=False):
        yield
