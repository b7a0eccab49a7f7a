"""Group commit of the RSVP's answers on SQLite (``Speicherweg.antwort``).

When 200 Träger answer at once, many answers reach the event loop in one turn. Each of them ran
in a transaction of its own, and its COMMIT (five WAL frames: the answer's page, the audit table
and its indexes) was a tenth of the answer's CPU. Here the answers of one turn share one
transaction: each runs in a SAVEPOINT of its own (a failed answer is rolled back alone and gets
its error page), and one COMMIT at the start of the next turn ends them all. No response is
sent before the COMMIT that holds its answer has returned (``Sammelcommit.warten``), so
durability is what it was; a failed COMMIT fails every answer of its batch (each gets the error
page, none is reported saved).

The batch holds the kept connection and SQLite's write lock (``BEGIN IMMEDIATE``) for at most
one turn of the loop. Any other store access on the loop's thread in that time would wait for
that lock and block the loop that would release it: a pool checkout on that thread therefore
commits the open batch first (``_vor_anderem_zugriff``), as does every other use of the kept
connection (``abschliessen``). Threads (the threadpool's handlers, background tasks) wait for
the lock as they wait for any other writer.

pysqlite begins no transaction before a SAVEPOINT (its RELEASE would commit at once), so the
batch issues its own ``BEGIN IMMEDIATE`` on the driver connection; SAVEPOINT, RELEASE and
ROLLBACK TO go to the driver too (SQLAlchemy's ``begin_nested`` costs its execution machinery).
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

if TYPE_CHECKING:
    from sozialforum.portal.speicherweg import _Kept

# A batch is committed at the latest when it holds this many answers (a turn with more starts
# the next batch at once): a failed COMMIT costs at most this many answers an error page.
HOECHSTENS = 64


class _Batch:
    def __init__(
        self, connection: sa.Connection, transaction: sa.RootTransaction, loop: asyncio.AbstractEventLoop
    ) -> None:
        self.connection = connection
        self.transaction = transaction
        self.loop = loop
        self.waiting: list[asyncio.Future[None]] = []


class Sammelcommit:
    """The open batch of one Portal's kept SQLite connection (see the module)."""

    def __init__(self, engine: Engine, kept: _Kept) -> None:
        self.engine = engine
        self.kept = kept
        self._batch: _Batch | None = None
        self._thread = 0
        self._joined: asyncio.Future[None] | None = None
        reference = weakref.ref(self)

        def vor_anderem_zugriff(*_: Any) -> None:
            sammel = reference()
            if sammel is not None:
                sammel._vor_anderem_zugriff()

        sa.event.listen(engine, "checkout", vor_anderem_zugriff)

    @contextmanager
    def antwort(self) -> Iterator[sa.Connection | None]:
        """One answer's SAVEPOINT in the open batch (opened if there is none); None where
        there is no batch to join (no running loop on this thread, or the kept connection is
        in another thread's use): the caller then takes a transaction of its own."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        batch = self._batch
        if batch is not None and batch.loop is not loop:  # its loop ended before its turn did
            self._end(batch, None)
            batch = None
        if batch is None:
            batch = self._open(loop) if loop is not None else None
            if batch is None:
                yield None
                return
        assert loop is not None  # a batch is only opened with one
        driver = batch.connection.connection.driver_connection
        assert driver is not None
        driver.execute("SAVEPOINT antwort")
        try:
            yield batch.connection
        except BaseException as exc:
            try:
                driver.execute("ROLLBACK TO antwort")
                driver.execute("RELEASE antwort")
            except BaseException:  # the transaction is gone (SQLite rolled it back): the batch failed
                self._end(batch, exc)
            raise
        driver.execute("RELEASE antwort")
        waiting = loop.create_future()
        batch.waiting.append(waiting)
        self._joined = waiting
        if len(batch.waiting) >= HOECHSTENS:
            self.abschliessen()

    def abgeholt(self) -> asyncio.Future[None] | None:
        """The COMMIT the answer just recorded on this thread waits for (None if it joined
        no batch); asked once, right after the answer's work."""
        joined, self._joined = self._joined, None
        return joined

    def abschliessen(self) -> None:
        """Commit the open batch now (before another use of the store on the loop's thread)."""
        batch = self._batch
        if batch is not None:
            self._end(batch, None)

    def _open(self, loop: asyncio.AbstractEventLoop) -> _Batch | None:
        kept = self.kept
        if not kept.lock.acquire(blocking=False):
            return None
        try:
            connection = kept.verbindung(self.engine)
            transaction = connection.begin()
            try:
                driver = connection.connection.driver_connection
                assert driver is not None
                driver.execute("BEGIN IMMEDIATE")
            except BaseException:
                transaction.rollback()
                raise
        except BaseException:
            kept.lock.release()
            raise
        batch = self._batch = _Batch(connection, transaction, loop)
        self._thread = threading.get_ident()
        loop.call_soon(self._commit_later, batch)
        return batch

    def _commit_later(self, batch: _Batch) -> None:
        if self._batch is batch:
            self._end(batch, None)

    def _end(self, batch: _Batch, failure: BaseException | None) -> None:
        """COMMIT the batch (ROLLBACK if it ``failure``), tell its answers, give the kept
        connection back."""
        self._batch = None
        try:
            if failure is None:
                try:
                    batch.transaction.commit()
                except Exception as exc:
                    failure = exc
            if failure is not None:
                _zuruecksetzen(batch)
        finally:
            self.kept.lock.release()
            for waiting in batch.waiting:
                if waiting.done():
                    continue
                if failure is None:
                    waiting.set_result(None)
                else:
                    waiting.set_exception(failure)

    def _vor_anderem_zugriff(self) -> None:
        if self._batch is not None and threading.get_ident() == self._thread:
            self.abschliessen()


def _zuruecksetzen(batch: _Batch) -> None:
    """Roll the failed batch back. After a failed COMMIT SQLAlchemy's transaction is inactive
    but still the connection's (its rollback releases it), while SQLite may keep its own open (a
    deferred constraint): the driver rolls back what is left. A connection that cannot even
    roll back is given up (the next batch connects anew)."""
    try:
        batch.transaction.rollback()
        driver = batch.connection.connection.driver_connection
        if driver is not None and driver.in_transaction:
            driver.rollback()
    except Exception:
        batch.connection.invalidate()
