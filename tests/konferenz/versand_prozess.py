"""The send as its own process, so that a test can kill it at any point (SIGKILL) and rerun it:
queue and deliver the invitations of one Sitzung as the flow does, then deliver what is left.

    python -m tests.konferenz.versand_prozess <db-url> <data-dir> <smtp-port> <now-iso> <sitzung-id>
"""

from __future__ import annotations

import sys
from datetime import datetime

from sozialforum import outbox
from sozialforum.konferenz import versand_direkt
from sozialforum.settings import load_settings
from sozialforum.store.db import make_engine


def main(db_url: str, data_dir: str, port: str, now_text: str, sitzung_id: str) -> None:
    settings = load_settings(None, data_dir=data_dir, database_url=db_url)
    settings.mail.smtp_host, settings.mail.smtp_port = "127.0.0.1", int(port)
    settings.mail.sicherheit, settings.mail.nachrichten_pro_sekunde = "keine", 100_000
    settings.konferenz.tagesordnung_als_pdf = False
    now = datetime.fromisoformat(now_text)
    engine = make_engine(db_url)
    # What the flow's task runs: queue and deliver the batch at once, then whatever is left.
    report, delivery = versand_direkt.invite_and_deliver(
        engine, settings, sitzung_id=int(sitzung_id), now=now, actor="test:versand"
    )
    print(report.summary(), delivery.summary(), sep="\n", flush=True)
    rest = outbox.deliver_pending(engine, settings, now=now)
    print(rest.summary(), flush=True)
    delivery.raise_if_all_failed()


if __name__ == "__main__":
    main(*sys.argv[1:6])
