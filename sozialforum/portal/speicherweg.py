"""How a portal request reaches the store: the connection of a link transaction, the one
writer at a time on SQLite, the group commit of the RSVP's answers there
(``portal.sammelcommit``), and where a submission's database work runs (``Portal.run``)."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool

from sozialforum.portal.sammelcommit import Sammelcommit

T = TypeVar("T")


class Speicherweg:
    """The store access of one Portal (one per app)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def transaction(self, *, antwort: bool = False) -> Iterator[sa.Connection]:
        """One transaction for ``Portal.link_transaction``. On SQLite on the one connection kept
        checked out (checking a connection out of the pool and back in, with its reset, cost
        more CPU than SQLite's work for a read); while that one is in use (another thread), and
        on other databases, on a connection from the pool.

        An ``antwort`` (a submission) on SQLite is a SAVEPOINT in the batch of its event-loop
        turn (``portal.sammelcommit``; ``run`` sends its response after the batch's COMMIT).
        Anything else commits an open batch first."""
        sammel = self._sammel
        if sammel is not None and antwort:
            with sammel.antwort() as joined:
                if joined is not None:
                    yield joined
                    return
        elif sammel is not None:
            sammel.abschliessen()
        kept = self._kept
        if kept is None or not kept.lock.acquire(blocking=False):
            with self.engine.begin() as connection:
                yield connection
            return
        try:
            connection = kept.verbindung(self.engine)
            with connection.begin():
                yield connection
        finally:
            kept.lock.release()

    @cached_property
    def _sammel(self) -> Sammelcommit | None:
        kept = self._kept
        return Sammelcommit(self.engine, kept) if kept is not None else None

    @cached_property
    def _kept(self) -> _Kept | None:
        url = self.engine.url
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        kept = _Kept()
        weakref.finalize(self, kept.close)  # given back to the pool when the Portal goes
        return kept

    async def run(self, work: Callable[[], T]) -> T:
        """Run a submission's database work: inline for SQLite, in the threadpool otherwise.

        SQLite work is about a millisecond of CPU with no network wait; running it on the event
        loop avoids the GIL convoy of many threads queueing for SQLite's single writer (which
        halved throughput under 200 concurrent clients). PostgreSQL waits on the network, so
        its work goes to the threadpool. An answer recorded in a batch (``antwort``) returns
        once the batch is committed.
        """
        if self.engine.dialect.name != "sqlite":
            return await run_in_threadpool(work)
        sammel = self._sammel
        if sammel is None:
            return work()
        sammel.abgeholt()  # nothing left from work run outside ``run``
        try:
            result = work()
        finally:
            joined = sammel.abgeholt()
        if joined is not None:  # the answer's response waits for the COMMIT that holds it
            await joined
        return result

    @cached_property
    def _sqlite_lock(self) -> threading.Lock | None:
        return threading.Lock() if self.engine.dialect.name == "sqlite" else None

    @contextmanager
    def writer(self, writes: bool) -> Iterator[None]:
        """SQLite has one writer at a time, and a blocked writer waits in sleeps of growing
        length (busy timeout): under a burst of submissions that wastes most of the time. In
        one process, submissions therefore queue on a lock instead; PostgreSQL needs none."""
        if not writes or self._sqlite_lock is None:
            yield
            return
        with self._sqlite_lock:
            yield


@dataclass
class _Kept:
    """The connection kept for link transactions on SQLite (``Speicherweg.transaction``)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    connection: sa.Connection | None = None

    def verbindung(self, engine: Engine) -> sa.Connection:
        """The kept connection (connected anew if it was closed or invalidated); hold ``lock``."""
        if self.connection is None or self.connection.closed or self.connection.invalidated:
            self.connection = engine.connect()
        return self.connection

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
