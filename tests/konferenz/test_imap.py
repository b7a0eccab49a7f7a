"""Calendar replies read from a real IMAP server on loopback (pymap): each mail once, marked as
processed on the server, replies of a human reader's "read" mails not lost."""

from __future__ import annotations

import imaplib
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from sozialforum.channels.mailbox import PostfachFehler
from sozialforum.konferenz import antworten
from tests.conftest import require_service
from tests.konferenz.fixtures import NOW, answers
from tests.konferenz.smtp_server import free_port

LATER = NOW + timedelta(days=5)  # the replies are read after they were sent

REPLIES = Path(__file__).parent / "antworten"


@pytest.fixture
def imap_server():
    pymap = Path(sys.executable).parent / "pymap"
    if not pymap.exists():
        require_service("pymap (IMAP server for tests) not installed")
    port = free_port()
    process = subprocess.Popen(
        [
            str(pymap),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-tls",
            "dict",
            "--demo-user",
            "sozialplanung",
            "--demo-password",
            "geheim",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            imaplib.IMAP4("127.0.0.1", port).logout()
            break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.1)
    yield port
    process.terminate()
    process.wait(10)


def test_replies_from_imap(engine, settings, eingeladen, imap_server) -> None:
    client = imaplib.IMAP4("127.0.0.1", imap_server)
    client.login("sozialplanung", "geheim")
    for name in ("outlook_zusage.eml", "google_absage_doppelt.eml", "kaputt_ohne_uid.eml"):
        client.append("INBOX", None, None, (REPLIES / name).read_bytes())
    settings.mail.imap_host, settings.mail.imap_port, settings.mail.imap_sicherheit = "127.0.0.1", imap_server, "keine"
    settings.mail.imap_benutzer, settings.mail.imap_passwort = "sozialplanung", SecretStr("geheim")
    report = antworten.process_mailbox(engine, settings, now=LATER)
    assert (report.erfasst, len(report.probleme)) == (2, 1)
    assert antworten.process_mailbox(engine, settings, now=LATER).erfasst == 0  # marked on the server
    client.select("INBOX")
    _, flagged = client.uid("SEARCH", None, "SEEN")
    assert len(flagged[0].split()) == 3
    client.logout()
    given = answers(engine, eingeladen)
    assert given["P01"][0] == "zusage" and given["P04"][0] == "absage"


def test_wrong_password_is_an_error_not_silence(engine, settings, imap_server) -> None:
    settings.mail.imap_host, settings.mail.imap_port, settings.mail.imap_sicherheit = "127.0.0.1", imap_server, "keine"
    settings.mail.imap_benutzer, settings.mail.imap_passwort = "sozialplanung", SecretStr("falsch")
    with pytest.raises(PostfachFehler, match=r"Anmeldung am Postfach .* abgelehnt"):
        antworten.process_mailbox(engine, settings, now=LATER)
