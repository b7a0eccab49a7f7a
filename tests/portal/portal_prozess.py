"""The portal (with the staff workspace, as ``sozialforum portal`` serves it) as its own process on
loopback, for probes against the real server:
``python -m tests.portal.portal_prozess DATABASE_URL DATA_DIR PORT [PORTAL_SETTINGS_JSON] [--nur-portal]``
(``--nur-portal``: the Träger portal without the workspace). Trusted proxies in the settings are
honoured as the command does (X-Forwarded-For from them names the client)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import uvicorn

from sozialforum.store.db import make_engine
from tests.portal.conftest import make_settings

# Starting the portal with the workspace costs the process 2.5-3.5 s of CPU (imports, templates).
# On a machine loaded with ten other processes that took 36 s of wall time, more than the 30 s the
# tests used to wait (test_every_spreadsheet_export_turns_a_traegers_formula_into_text failed
# so). The wait is therefore measured in the process's own CPU time, which load does not stretch;
# the wall-time bound only catches a process that never gets a core at all.
START_CPU_S = 60.0
START_WAND_S = 600.0


def cpu_seconds(pid: int) -> float:
    """CPU time of a process's main thread so far, where imports and start-up run (0 once the
    process is gone): the first field of /proc/<pid>/schedstat, in nanoseconds."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return 0.0


def wait_listening(process: subprocess.Popen[bytes], port: int) -> None:
    """Return once ``process`` accepts connections on ``port``; AssertionError if it exits, or
    spends START_CPU_S of CPU (or START_WAND_S of wall time) without listening."""
    began = time.monotonic()
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None:
                raise AssertionError(f"Portalprozess beendet (Status {process.returncode})") from None
            if cpu_seconds(process.pid) > START_CPU_S or time.monotonic() - began > START_WAND_S:
                raise AssertionError("Portalprozess startet nicht") from None
            time.sleep(0.05)


def main() -> None:
    args = [arg for arg in sys.argv[1:] if arg != "--nur-portal"]
    if "--nur-portal" in sys.argv:
        from sozialforum.portal.app import create_app
    else:
        from sozialforum.arbeitsplatz.app import create_app
    database_url, data_dir, port = args[0], Path(args[1]), int(args[2])
    portal = json.loads(args[3]) if len(args) > 3 else {}
    engine = make_engine(database_url)
    settings = make_settings(data_dir, engine, base_url=f"http://127.0.0.1:{port}", **portal)
    proxies = settings.portal.vertrauenswuerdige_proxies
    uvicorn.run(
        create_app(settings, engine),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        server_header=False,
        lifespan="off",
        proxy_headers=bool(proxies),
        forwarded_allow_ips=",".join(proxies) or None,
    )


if __name__ == "__main__":
    main()
