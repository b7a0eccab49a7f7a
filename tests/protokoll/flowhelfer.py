"""Helpers for running the minutes flow under the Prefect harness: a config file for the test's
store, and waiting for paused runs. (The helper that answers a paused run like a person in the
Prefect UI is ``sozialforum.flows.demo.protokoll.Antwortgeber``, shared with the demo.)"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy.engine import Engine


def write_config(tmp_path: Path, engine: Engine, **protokoll: Any) -> str:
    """A TOML file pointing flows at the test's store and data dir."""
    url = engine.url.render_as_string(hide_password=False)
    lines = [f'data_dir = "{tmp_path / "var"}"', f'database_url = "{url}"', "", "[protokoll]"]
    lines += [f"{key} = {value!r}" for key, value in protokoll.items()]
    path = tmp_path / "sozialforum.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def wait_for_paused_runs(count: int, *, konfiguration: str, timeout: float = 90) -> list[UUID]:
    """Ids of ``count`` paused runs of protokoll_einsammeln with this test's configuration.

    The harness is shared by the whole session, and earlier tests may leave paused runs behind:
    only runs with this test's ``konfiguration`` parameter are its own."""
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
                flow_run_filter=FlowRunFilter(
                    state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED]))
                ),
            )
            own = [run.id for run in runs if run.parameters.get("konfiguration") == konfiguration]
            if len(own) >= count:
                return own
            time.sleep(0.3)
    raise TimeoutError(f"nicht {count} wartende Läufe")
