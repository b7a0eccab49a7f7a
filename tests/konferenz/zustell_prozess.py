"""One delivery as its own process that SIGKILLs itself at a chosen moment of the first message's
hand-over, so that a test hits each side of the hand-over record deterministically:

    python -m tests.konferenz.zustell_prozess <db-url> <data-dir> <smtp-port> <now-iso> <moment>

``vor-vermerk``: the body is on the wire, the hand-over record not yet sent to the store.
``nach-vermerk``: the record is committed (one statement in autocommit), the final ``.`` not yet sent.
``vor-buchung``: the server answered 250, "sent" not yet sent to the store.

The moments are found by watching the store's statements (SQLAlchemy events): no code of the
product is replaced.
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import datetime
from typing import Any

from sqlalchemy import event

from sozialforum import outbox
from sozialforum.settings import load_settings
from sozialforum.store.db import make_engine


def _kill() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main(db_url: str, data_dir: str, port: str, now_text: str, moment: str) -> None:
    settings = load_settings(None, data_dir=data_dir, database_url=db_url)
    settings.mail.smtp_host, settings.mail.smtp_port = "127.0.0.1", int(port)
    settings.mail.sicherheit, settings.mail.nachrichten_pro_sekunde = "keine", 100_000
    engine = make_engine(db_url)

    def before_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        text = statement.lower()
        if moment == "vor-vermerk" and text.startswith("update") and "uebergabe_am" in text:
            _kill()
        if moment == "vor-buchung" and text.startswith("update") and "gesendet_am" in text and "versuche" in text:
            _kill()

    def after_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        text = statement.lower()  # the records are single statements in autocommit: done when executed
        if moment == "nach-vermerk" and text.startswith("update") and "uebergabe_am" in text:
            _kill()

    event.listen(engine, "before_cursor_execute", before_execute)
    event.listen(engine, "after_cursor_execute", after_execute)
    outbox.deliver_pending(engine, settings, now=datetime.fromisoformat(now_text))
    print("nicht beendet", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:6])
