"""SIGTERM during a delivery: finish the message on the wire, then stop and give the claims back.

A process worker that is stopped (``systemctl stop``: SIGTERM to every process of the unit)
used to leave its claims "sending" until their lease ran out: the flow engine turns SIGTERM
into an exception wherever the main thread is, often between the hand-over record and the
booking. Here the signal only sets a flag; the delivery loop checks it before each message,
stops, gives back what it holds, and then the signal is delivered again to the handler that was
installed before (the flow engine's, which ends the run as crashed; or the default: the process
ends). Outside the main thread signals cannot be caught; then nothing changes.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from types import FrameType, TracebackType
from typing import Any

log = logging.getLogger(__name__)


class StopOnTerm:
    """``with StopOnTerm() as stop:`` … ``if stop.requested: break`` …"""

    def __init__(self) -> None:
        self.requested = False
        self._previous: Any = None
        self._installed = False

    def __enter__(self) -> StopOnTerm:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGTERM, self._handle)
            self._installed = True
        return self

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if not self.requested:
            log.warning("Signal zum Beenden erhalten: der Versand hört nach der laufenden Nachricht auf.")
        self.requested = True

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if not self._installed:
            return
        # ``signal.signal`` returns None for a handler that was not installed from Python (an
        # embedding program's C handler): it cannot be put back, and ``signal.signal(…, None)``
        # raises. The default action is the nearest: the signal sent again below ends the process.
        signal.signal(signal.SIGTERM, signal.SIG_DFL if self._previous is None else self._previous)
        if self.requested:  # the claims are given back: now the process may end as it was asked to
            os.kill(os.getpid(), signal.SIGTERM)
