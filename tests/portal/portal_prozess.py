"""The portal as its own process on loopback, for probes against the real server:
``python -m tests.portal.portal_prozess DATABASE_URL DATA_DIR PORT``."""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn

from sozialforum.portal.app import create_app
from sozialforum.store.db import make_engine
from tests.portal.conftest import make_settings


def main() -> None:
    database_url, data_dir, port = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    engine = make_engine(database_url)
    settings = make_settings(data_dir, engine, base_url=f"http://127.0.0.1:{port}")
    app = create_app(settings, engine)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", server_header=False, lifespan="off")


if __name__ == "__main__":
    main()
