"""StopOnTerm restores the handler it found, including one Python cannot name."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from sozialforum.outbox.anhalten import StopOnTerm
from tests.conftest import REPO


def _installed_from_c(monkeypatch: pytest.MonkeyPatch) -> None:
    """``signal.signal`` answers None for the previous handler, as it does when that handler was
    installed by C code (an embedding program) rather than from Python."""
    real = signal.signal
    calls = []

    def fake(signum: int, handler: Any) -> Any:
        previous = real(signum, handler)
        calls.append(signum)
        return None if len(calls) == 1 else previous

    monkeypatch.setattr(signal, "signal", fake)


def test_a_previous_handler_not_from_python_is_replaced_by_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    before = signal.getsignal(signal.SIGTERM)
    try:
        _installed_from_c(monkeypatch)
        with StopOnTerm() as stop:
            assert signal.getsignal(signal.SIGTERM) == stop._handle
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # not a TypeError from signal(…, None)
    finally:
        monkeypatch.undo()
        signal.signal(signal.SIGTERM, before)


def test_a_previous_python_handler_is_restored() -> None:
    seen: list[int] = []

    def handler(signum: int, frame: object) -> None:
        seen.append(signum)

    before = signal.signal(signal.SIGTERM, handler)
    try:
        with StopOnTerm():
            pass
        assert signal.getsignal(signal.SIGTERM) is handler and seen == []
    finally:
        signal.signal(signal.SIGTERM, before)


def test_a_requested_stop_ends_the_process_by_the_default_action_when_the_previous_handler_is_unknown() -> None:
    """The signal is caught, the block finishes its work, then the process ends by SIGTERM."""
    program = textwrap.dedent(
        """
        import os, signal, sys
        real = signal.signal
        first = []
        def fake(signum, handler):
            previous = real(signum, handler)
            first.append(1)
            return None if len(first) == 1 else previous
        signal.signal = fake
        from sozialforum.outbox.anhalten import StopOnTerm
        with StopOnTerm() as stop:
            os.kill(os.getpid(), signal.SIGTERM)
            print("gefangen", stop.requested, flush=True)
        print("nicht beendet", flush=True)
        """
    )
    result = subprocess.run([sys.executable, "-c", program], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == -signal.SIGTERM, result.stdout + result.stderr
    assert result.stdout == "gefangen True\n", result.stdout + result.stderr
