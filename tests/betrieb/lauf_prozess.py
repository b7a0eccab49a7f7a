"""One delivery run as its own process, so that a test can take its database away underneath:
the steps of the flow ``einladungen_versenden`` for one Sitzung — its task bodies ``einladen``
(render, queue and deliver the batch) and ``zustellen`` (deliver what is left, fail when work is
left unfinished) — without Prefect's retries.

    python -m tests.betrieb.lauf_prozess <config> <sitzung-id> <now-iso>

Exit code 0 only when both steps end without error (the run would be Completed). SIGTERM
becomes an exception in the main thread, as Prefect's flow engine turns it into
``TerminationSignal``: the run stops through its ``finally`` blocks.
"""

from __future__ import annotations

import signal
import sys
from datetime import datetime


class Angehalten(BaseException):
    """SIGTERM, raised where the main thread is (like Prefect's TerminationSignal)."""


def _stop(signum: int, frame: object) -> None:
    raise Angehalten(signum)


def main(config: str, sitzung_id: str, now_text: str) -> None:
    from flows.einladungen_versenden import einladen, zustellen

    signal.signal(signal.SIGTERM, _stop)
    now = datetime.fromisoformat(now_text)
    print(einladen.fn(config, int(sitzung_id), now)["zusammenfassung"], flush=True)
    print(zustellen.fn(config, now)["zusammenfassung"], flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
