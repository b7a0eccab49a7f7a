"""The send as its own process, so that a test can kill it at any point (SIGKILL) and rerun it:
queue the invitations of one Sitzung, then deliver the outbox.

    python -m tests.konferenz.versand_prozess <db-url> <data-dir> <smtp-port> <now-iso> <sitzung-id>
"""

from __future__ import annotations

import sys
from datetime import datetime

from sozialforum.db import make_engine, session_scope
from sozialforum.services import outbox
from sozialforum.services.konferenz import versand
from sozialforum.settings import load_settings


def main(db_url: str, data_dir: str, port: str, now_text: str, sitzung_id: str) -> None:
    settings = load_settings(None, data_dir=data_dir, database_url=db_url)
    settings.mail.smtp_host, settings.mail.smtp_port = "127.0.0.1", int(port)
    settings.mail.sicherheit, settings.mail.nachrichten_pro_sekunde = "keine", 100_000
    settings.konferenz.tagesordnung_als_pdf = False
    now = datetime.fromisoformat(now_text)
    engine = make_engine(db_url)
    with session_scope(engine, actor="test:versand") as session:
        report = versand.send_invitations(session, sitzung_id=int(sitzung_id), now=now, settings=settings)
    print(report.summary(), flush=True)
    delivery = outbox.deliver_pending(engine, settings, now=now)
    print(delivery.summary(), flush=True)
    delivery.raise_if_all_failed()


if __name__ == "__main__":
    main(*sys.argv[1:6])
