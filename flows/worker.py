"""``sozialforum worker``: Prefect's process worker, stopped so that its flow runs can give back.

Why not ``prefect worker start`` (Prefect 3.8.8, measured with strace): that worker answers
SIGTERM by sending itself SIGINT; the KeyboardInterrupt cancels the task group that watches each
flow-run process, and anyio's process close then kills the flow-run process with SIGKILL, 30–50
ms after the SIGTERM. Prefect's own graceful stop (SIGTERM to the run's process group, 30 s, then
SIGKILL) comes only afterwards and finds nothing. A delivery that caught its SIGTERM
(``outbox.anhalten``) is thereby killed before it gives its claims back; they stay "sending"
until their lease ends. The same happens when only the worker is signalled.

This is the same ``ProcessWorker`` with its own answer to SIGTERM and SIGINT:

1. it takes no new flow runs;
2. a flow-run process still running after ``SELBST`` seconds gets SIGTERM to its process group,
   as Prefect's graceful stop sends it (``systemctl stop`` with the default KillMode=control-group
   has signalled it already, and it is usually gone by then; waiting first keeps a second
   SIGTERM out of Prefect's crash handling, which a signal could interrupt);
3. it waits until every flow-run process has ended, at most ``frist`` seconds;
4. then it stops as Prefect's worker does (whatever still runs is killed then).

A second signal ends the waiting at once. The flow-run processes are found as the worker's
child processes in ``/proc`` (Linux, where the product runs).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import anyio
from prefect.settings import PREFECT_WORKER_HEARTBEAT_SECONDS, PREFECT_WORKER_PREFETCH_SECONDS
from prefect.workers.process import ProcessWorker

SELBST = 3.0  # seconds a signalled flow run gets to end by itself before the worker signals it


def _zeile(text: str) -> None:
    print(text, flush=True)  # at once, also into a pipe (the journal of a systemd unit)


def laufprozesse() -> list[int]:
    """The process ids of this worker's flow runs: its child processes that have not ended."""
    own = os.getpid()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[1]) == own and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def _sigterm(pid: int) -> None:
    """SIGTERM to the run's process group (Prefect starts each run as a group leader), else to it."""
    try:
        if os.getpgid(pid) == pid:
            os.killpg(pid, signal.SIGTERM)
        else:
            os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass


async def _laeufe_enden_lassen(signale: Any, frist: float, ausgabe: Callable[[str], None]) -> None:
    """Steps 2 and 3 above; returns when every flow run has ended, the time is up, or a second
    signal arrived."""
    beginn = time.monotonic()
    gesendet = False
    while laeufe := laufprozesse():
        vergangen = time.monotonic() - beginn
        if vergangen >= frist:
            ausgabe(f"Frist von {frist:.0f} s abgelaufen: {len(laeufe)} Lauf/Läufe werden hart beendet.")
            return
        if not gesendet and vergangen >= SELBST:
            ausgabe(
                f"SIGTERM an {len(laeufe)} noch laufende(n) Flow-Lauf/Läufe (Prozess {', '.join(map(str, laeufe))})."
            )
            for pid in laeufe:
                _sigterm(pid)
            gesendet = True
        with anyio.move_on_after(0.1):
            await signale.__anext__()
            ausgabe("Zweites Signal: der Worker wartet nicht länger.")
            return
    ausgabe(f"Alle Flow-Läufe beendet nach {time.monotonic() - beginn:.1f} s.")


async def arbeiten(
    *,
    pool: str,
    warteschlangen: list[str] | None = None,
    name: str | None = None,
    limit: int | None = None,
    frist: float = 30.0,
    ausgabe: Callable[[str], None] = _zeile,
) -> None:
    """Run a process worker for ``pool`` until SIGTERM or SIGINT, then stop as described above."""
    worker = ProcessWorker(
        name=name,
        work_pool_name=pool,
        work_queues=warteschlangen or None,
        limit=limit,
        prefetch_seconds=PREFECT_WORKER_PREFETCH_SECONDS.value(),
        heartbeat_interval_seconds=int(PREFECT_WORKER_HEARTBEAT_SECONDS.value()),
    )
    angehalten = anyio.Event()
    abholen = worker.get_and_submit_flow_runs

    async def nur_bis_zum_anhalten() -> list[Any]:
        return [] if angehalten.is_set() else await abholen()

    # The polling loop binds this method when the worker starts: replaced before that.
    worker.get_and_submit_flow_runs = nur_bis_zum_anhalten  # type: ignore[method-assign]  # no new runs once stopping
    with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signale:
        async with anyio.create_task_group() as gruppe:
            gruppe.start_soon(partial(worker.start, printer=ausgabe))
            async for signum in signale:
                ausgabe(
                    f"{signal.Signals(signum).name} erhalten: keine neuen Läufe; laufende dürfen bis zu "
                    f"{frist:.0f} s zurückgeben, was sie halten."
                )
                angehalten.set()
                break
            await _laeufe_enden_lassen(signale, frist, ausgabe)
            gruppe.cancel_scope.cancel()
    ausgabe(f"Worker {worker.name!r} beendet.")


def starten(**optionen: Any) -> None:
    anyio.run(partial(arbeiten, **optionen))
