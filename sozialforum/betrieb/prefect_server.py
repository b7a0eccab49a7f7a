"""A Prefect server as a child process (``prefect server start``) on loopback.

Ephemeral Prefect (no ``PREFECT_API_URL``) has no scheduler, so ``sozialforum serve`` needs a
real server: it starts this one unless a server URL is configured. Its database is SQLite in the
data folder by default, or PostgreSQL (``postgresql+asyncpg://…``, with the ``pg_trgm``
extension created first). The tests start it the same way.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx


class ServerFehler(RuntimeError):
    """The server did not come up; the message is German and names the log file."""


def freier_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def gesund(api_url: str, timeout: float = 3) -> bool:
    """Whether the Prefect API answers its health check (``…/api/health``)."""
    try:
        response = httpx.get(api_url.rstrip("/") + "/health", timeout=timeout)
    except httpx.HTTPError:
        return False
    return response.status_code == 200


@dataclass
class PrefectServer:
    api_url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def ui_url(self) -> str:
        return self.api_url.removesuffix("/api")

    def stop(self, timeout: float = 20) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def starte_server(
    *,
    verzeichnis: Path,
    port: int | None = None,
    datenbank_url: str | None = None,
    ui: bool = True,
    timeout: float = 180,
    umgebung: dict[str, str] | None = None,
) -> PrefectServer:
    """Start ``prefect server start`` on 127.0.0.1 and wait until it is healthy.

    ``verzeichnis`` holds the server's log and, without ``datenbank_url``, its SQLite database.
    """
    verzeichnis.mkdir(parents=True, exist_ok=True)
    port = port or freier_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_API_")}
    env.update(
        {
            "PREFECT_SERVER_DATABASE_CONNECTION_URL": datenbank_url
            or f"sqlite+aiosqlite:///{(verzeichnis / 'prefect.db').resolve()}",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            # Events are kept a week; without a limit the event tables grow without end.
            "PREFECT_SERVER_EVENTS_RETENTION_PERIOD": env.get("PREFECT_SERVER_EVENTS_RETENTION_PERIOD", "7d"),
            "PREFECT_UI_ENABLED": "true" if ui else "false",
            # A run held back by its deployment's concurrency limit (the second invitation run of
            # a day) is looked at again after this many seconds; Prefect's 30 s default leaves it
            # waiting up to half a minute after the slot is free.
            "PREFECT_SERVER_DEPLOYMENTS_CONCURRENCY_SLOT_WAIT_SECONDS": env.get(
                "PREFECT_SERVER_DEPLOYMENTS_CONCURRENCY_SLOT_WAIT_SECONDS", "5"
            ),
        }
    )
    env.update(umgebung or {})
    log = verzeichnis / "prefect-server.log"
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("ab") as handle:
        process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    server = PrefectServer(f"http://127.0.0.1:{port}/api", process, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerFehler(
                f"Der Prefect-Server hat sich beendet (Code {process.returncode}); "
                f"Protokoll: {log}\n{server.log_tail()}"
            )
        if gesund(server.api_url, timeout=2):
            return server
        time.sleep(0.5)
    server.stop()
    raise ServerFehler(
        f"Der Prefect-Server war nach {timeout:.0f} s nicht bereit; Protokoll: {log}\n{server.log_tail()}"
    )
