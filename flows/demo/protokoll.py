"""Demo step of the minutes: one Sitzung's Protokoll from the request to the distribution, through
the real flow ``protokoll_einsammeln``. The Geschäftsstelle's answers (return with remarks, then
approve) are given as a person would in the Prefect UI: by resuming the paused run with the
typed input. The Protokollführung's draft and a participant's comment go through the same
services the portal pages use. Time is simulated from the Sitzung's end.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.flow_runs import resume_flow_run
from sozialforum.flows.protokoll_einsammeln import protokoll_einsammeln
from sqlalchemy.engine import Engine

from sozialforum.demo import DemoRun
from sozialforum.demo.protokoll import demo_draft, held_sitzung, hold_demo_sitzung
from sozialforum.protokoll.entwurf import add_comment, submit_draft
from sozialforum.protokoll.lage import gremium_of, protokoll_for_sitzung
from sozialforum.protokoll.teilnehmende import protokollfuehrung, teilnehmende
from sozialforum.store.db import session_scope
from sozialforum.timeutil import format_datum
from sozialforum.vocab import ProtokollStatus


@dataclass
class Antwortgeber:
    """Answers the run that waits for the decision on a Sitzung's minutes, once it waits."""

    engine: Engine
    sitzung_id: int
    run_input: dict[str, Any]
    timeout: float = 120
    error: BaseException | None = None
    resumed: list[str] = field(default_factory=list)

    def _waiting_run(self) -> str | None:
        with session_scope(self.engine, actor="demo:protokoll") as session:
            protokoll = protokoll_for_sitzung(session, self.sitzung_id)
            return protokoll.freigabe_lauf_id if protokoll else None

    def _run(self) -> None:
        deadline = time.monotonic() + self.timeout
        try:
            while time.monotonic() < deadline:
                run_id = self._waiting_run()
                if run_id:
                    with get_client(sync_client=True) as client:
                        state = client.read_flow_run(UUID(run_id)).state
                    if state is not None and state.is_paused():
                        resume_flow_run(UUID(run_id), run_input=self.run_input, _sync=True)  # type: ignore[call-arg]  # Prefect's sync switch, not in its signature
                        self.resumed.append(run_id)
                        return
                time.sleep(0.3)
            raise TimeoutError("Der Lauf hat nicht auf die Freigabe gewartet.")
        except BaseException as exc:  # reported by join()
            self.error = exc

    def start(self) -> Antwortgeber:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def join(self) -> None:
        self._thread.join(self.timeout + 5)
        if self.error is not None:
            raise self.error


def _decide_in_run(run: DemoRun, sitzung_id: int, jetzt: datetime, run_input: dict[str, Any]) -> str:
    answer = Antwortgeber(run.engine, sitzung_id, run_input).start()
    result = protokoll_einsammeln(sitzung_id, konfiguration=run.config, jetzt=jetzt, poll_sekunden=1)
    answer.join()
    return result


def demo_step(run: DemoRun) -> list[str]:
    # A cold ephemeral Prefect server can need longer than the default 20 s to start.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    settings, engine = run.settings, run.engine
    with session_scope(engine, actor="demo:protokoll") as session:
        sitzung = held_sitzung(session, now=run.now) or hold_demo_sitzung(session, now=run.now, settings=settings)
        sitzung_id = sitzung.id or 0
        writer = protokollfuehrung(session, sitzung)
        reader = next(p for p in teilnehmende(session, sitzung) if writer is None or p.id != writer.id)
        head = (
            f"Sitzung „{sitzung.titel}“ ({gremium_of(session, sitzung).name}) am "
            f"{format_datum(sitzung.beginn)}; Protokollführung: {writer.anzeigename if writer else '–'}"
        )
        existing = protokoll_for_sitzung(session, sitzung_id)
        ende = sitzung.ende
    if existing is not None and existing.status == ProtokollStatus.VERTEILT:
        again = protokoll_einsammeln(sitzung_id, konfiguration=run.config, jetzt=run.now)
        return [head, again]
    assert writer is not None and writer.id is not None and reader.id is not None
    t0 = ende + timedelta(hours=16)
    lines = [head, protokoll_einsammeln(sitzung_id, konfiguration=run.config, jetzt=t0)]
    kommentar = timedelta(days=settings.protokoll.kommentar_tage, hours=1)
    submitted = t0 + timedelta(days=3)
    with session_scope(engine, actor="demo:protokoll") as session:
        protokoll = protokoll_for_sitzung(session, sitzung_id)
        assert protokoll is not None and protokoll.id is not None
        if protokoll.status == ProtokollStatus.ANGEFORDERT:
            submit_draft(
                session,
                protokoll_id=protokoll.id,
                person_id=writer.id,
                settings=settings,
                eingabe=demo_draft(session, sitzung, submitted=submitted, revision=False, settings=settings),
                now=submitted,
            )
            add_comment(
                session,
                protokoll_id=protokoll.id,
                person_id=reader.id,
                now=submitted + timedelta(days=1),
                text="Zu TOP 2: Bitte die Zahlen mit Stichtag ins Protokoll aufnehmen.",
                tagesordnungspunkt_id=None,
            )
    lines.append(f"Entwurf Version 1 eingereicht (Formular je TOP), kommentiert von {reader.anzeigename}.")
    decision = submitted + kommentar
    lines.append(
        "Geschäftsstelle im pausierten Lauf: "
        + _decide_in_run(
            run,
            sitzung_id,
            decision,
            {
                "entscheidung": "zurueckgeben",
                "anmerkungen": "Bitte die SGB-II-Quote mit Stichtag ergänzen.",
                "entschieden_von": settings.geschaeftsstelle.name,
            },
        )
    )
    revised = decision + timedelta(days=2)
    with session_scope(engine, actor="demo:protokoll") as session:
        protokoll = protokoll_for_sitzung(session, sitzung_id)
        assert protokoll is not None and protokoll.id is not None
        if protokoll.status == ProtokollStatus.ZURUECKGEGEBEN:
            submit_draft(
                session,
                protokoll_id=protokoll.id,
                person_id=writer.id,
                settings=settings,
                eingabe=demo_draft(session, sitzung, submitted=revised, revision=True, settings=settings),
                now=revised,
            )
    lines.append("Überarbeitete Version 2 eingereicht.")
    lines.append(
        "Freigabe im pausierten Lauf: "
        + _decide_in_run(
            run,
            sitzung_id,
            revised + kommentar,
            {"entscheidung": "freigeben", "entschieden_von": settings.geschaeftsstelle.name},
        )
    )
    lines.append(
        "Erneuter Lauf: " + protokoll_einsammeln(sitzung_id, konfiguration=run.config, jetzt=revised + kommentar)
    )
    return lines
