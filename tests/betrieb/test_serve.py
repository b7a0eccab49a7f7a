"""``sozialforum serve`` on one machine, as a Geschäftsstelle starts it: it brings up its own
Prefect server (SQLite in the data folder), serves the deployments of prefect.yaml with their
Europe/Berlin schedules, runs a triggered flow run to completion, and stops the server when it
is stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from sozialforum.betrieb.prefect_server import freier_port, gesund
from tests.conftest import REPO

pytestmark = [pytest.mark.slow]


def _poll(what: str, check: Any, log: Path, timeout: float = 150) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
        except httpx.TimeoutException:  # a busy server's slow answer: asked again, as a user's UI would
            result = None
        if result:
            return result
        time.sleep(1)
    pytest.fail(f"{what} not reached in {timeout} s:\n{log.read_text(errors='replace')[-4000:]}")


def test_serve_starts_a_server_serves_the_schedules_and_runs_a_flow(tmp_path: Path) -> None:
    port = freier_port()
    api = f"http://127.0.0.1:{port}/api"
    config = tmp_path / "sozialforum.toml"
    config.write_text(f'data_dir = "{tmp_path / "var"}"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "SOZIALFORUM_"))}
    # serve refuses a store that is not there; the operator creates it once.
    refused = subprocess.run(
        [sys.executable, "-m", "sozialforum", "-k", str(config), "serve", "--port", str(port)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 2 and "Kein Datenbestand" in refused.stderr
    subprocess.run(
        [sys.executable, "-m", "sozialforum", "-k", str(config), "db", "migrieren"],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
    )
    log = tmp_path / "serve.log"
    with log.open("wb") as handle:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sozialforum",
                "-k",
                str(config),
                "serve",
                "--port",
                str(port),
                "--nur",
                "planungszyklus",
                "--nur",
                "fristen-ueberwachen",
            ],
            cwd=REPO,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:

        def deployments() -> dict[str, Any]:
            if not gesund(api):
                return {}
            answer = httpx.post(f"{api}/deployments/filter", json={}, timeout=10)
            return {row["name"]: row for row in answer.json()} if answer.status_code == 200 else {}

        served = _poll("deployments registered", lambda: (d := deployments()) and len(d) == 2 and d, log)
        cycle = served["planungszyklus"]
        [schedule] = cycle["schedules"]
        assert schedule["schedule"]["cron"] == "30 5 * * *"
        assert schedule["schedule"]["timezone"] == "Europe/Berlin" and schedule["active"]
        # Dead runs are detected: the automation from betrieb.herzschlag_sekunden (90 → 270 s).
        [automation] = httpx.post(f"{api}/automations/filter", json={}, timeout=10).json()
        assert automation["name"] == "sozialforum: Lauf ohne Herzschlag ist abgestürzt"
        assert automation["trigger"]["within"] == 270 and automation["actions"][0]["state"] == "CRASHED"

        def created() -> dict[str, Any] | None:
            # On a loaded machine the server's SQLite can be busy for a moment (an error answer
            # without an id); a user's UI would retry too.
            answer = httpx.post(f"{api}/deployments/{cycle['id']}/create_flow_run", json={}, timeout=10)
            return answer.json() if answer.status_code == 201 else None

        run = _poll("flow run created", created, log)

        def finished() -> str | None:
            answer = httpx.get(f"{api}/flow_runs/{run['id']}", timeout=10)
            state = answer.json()["state"]["type"] if answer.status_code == 200 else None
            return state if state in ("COMPLETED", "FAILED", "CRASHED") else None

        assert _poll("flow run finished", finished, log) == "COMPLETED"
        assert (tmp_path / "var" / "prefect" / "prefect.db").is_file()
        assert (tmp_path / "var" / "berichte" / "fristen.ics").is_file()  # the monthly report ran
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
    assert not gesund(api, timeout=2), "the Prefect server must stop with serve"
