"""Helpers for running the minutes flow under the Prefect harness: a config file for the test's
store, and a helper thread that answers the paused run like a person in the Prefect UI would."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy.engine import Engine

from sozialforum.db import session_scope
from sozialforum.models import Protokoll


def write_config(tmp_path: Path, engine: Engine, **protokoll: Any) -> str:
    """A TOML file pointing flows at the test's store and data dir."""
    url = engine.url.render_as_string(hide_password=False)
    lines = [f'data_dir = "{tmp_path / "var"}"', f'database_url = "{url}"', "", "[protokoll]"]
    lines += [f"{key} = {value!r}" for key, value in protokoll.items()]
    path = tmp_path / "sozialforum.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


@dataclass
class Antwort:
    """Resumes the paused run of ``protokoll_id`` with ``run_input`` once it waits."""

    engine: Engine
    protokoll_id: int | None
    run_input: dict[str, Any]
    sitzung_id: int | None = None
    timeout: float = 90
    resumed: list[str] = field(default_factory=list)
    error: BaseException | None = None

    def _run_id(self) -> str | None:
        with session_scope(self.engine, actor="test") as session:
            if self.protokoll_id is None:
                from sozialforum.protokoll.lage import protokoll_for_sitzung

                found = protokoll_for_sitzung(session, self.sitzung_id or 0)
                return found.freigabe_lauf_id if found else None
            protokoll = session.get(Protokoll, self.protokoll_id)
            return protokoll.freigabe_lauf_id if protokoll else None

    def _answer(self) -> None:
        from prefect.client.orchestration import get_client
        from prefect.flow_runs import resume_flow_run

        deadline = time.monotonic() + self.timeout
        try:
            while time.monotonic() < deadline:
                run_id = self._run_id()
                if run_id:
                    with get_client(sync_client=True) as client:
                        state = client.read_flow_run(UUID(run_id)).state
                    if state is not None and state.is_paused():
                        resume_flow_run(UUID(run_id), run_input=self.run_input)
                        self.resumed.append(run_id)
                        return
                time.sleep(0.3)
            raise TimeoutError("der Lauf hat nicht auf die Freigabe gewartet")
        except BaseException as exc:  # reported by join()
            self.error = exc

    def start(self) -> Antwort:
        self.thread = threading.Thread(target=self._answer, daemon=True)
        self.thread.start()
        return self

    def join(self) -> None:
        self.thread.join(self.timeout + 5)
        if self.error is not None:
            raise self.error


def wait_for_paused_runs(count: int, *, timeout: float = 90) -> list[UUID]:
    """Ids of ``count`` paused runs of protokoll_einsammeln, once that many wait."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowFilter,
        FlowFilterName,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            runs = client.read_flow_runs(
                flow_filter=FlowFilter(name=FlowFilterName(any_=["protokoll_einsammeln"])),
                flow_run_filter=FlowRunFilter(state=FlowRunFilterState(
                    type=FlowRunFilterStateType(any_=[StateType.PAUSED]))),
            )
            if len(runs) >= count:
                return [run.id for run in runs]
            time.sleep(0.3)
    raise TimeoutError(f"nicht {count} wartende Läufe")
