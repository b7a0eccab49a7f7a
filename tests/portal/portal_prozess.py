"""The portal (with the staff workspace, as ``sozialforum portal`` serves it) as its own process on
loopback, for probes against the real server:
``python -m tests.portal.portal_prozess DATABASE_URL DATA_DIR PORT [PORTAL_SETTINGS_JSON] [--nur-portal]``
(``--nur-portal``: the Träger portal without the workspace). Trusted proxies in the settings are
honoured as the command does (X-Forwarded-For from them names the client)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import uvicorn

from sozialforum.store.db import make_engine
from tests.portal.conftest import make_settings


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
