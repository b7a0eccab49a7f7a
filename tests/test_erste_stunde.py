"""The first hour of a new user, as a transcript: README command (a) verbatim in a fresh copy of
the repository, then the commands a planner tries next, each in a subprocess. Every one ends
with exit 0, and no line of the output is a traceback or English from a framework."""

from __future__ import annotations

import base64
import re
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support import readme_demo

# README command (a) itself runs in the background from the start of the run (its 2-7 minutes
# overlap other tests); this test reads its transcript, then runs the next commands in its copy.
pytestmark = [pytest.mark.readme_demo, pytest.mark.timeout(1500)]

# Lines that give away English or a crash: a traceback, Python's exception names, the CLI
# framework's and Prefect's own wording, log-level prefixes.
FREMD = re.compile(
    r"Traceback|Error:|Exception|Usage:|Try '|No such|Missing|Invalid value|Aborted|"
    r"\bINFO\b|\bWARNING\b|Finished in state|Starting temporary server|database is locked"
)

PIP = re.compile(r"WARNING: Location '|\[notice\]")


def _outlook_vorbehalt(var: Path) -> Path:
    """A tentative answer from Outlook of someone the demo invited who has not answered yet,
    shaped as Exchange sends it: ATTENDEE in upper case without ORGANIZER, base64 calendar part."""
    with sqlite3.connect(var / "sozialforum.db") as db:
        address, sequence, uid, beginn = db.execute(
            "SELECT r.eingeladen_an, r.sequenz, s.ical_uid, s.beginn FROM rueckmeldung r "
            "JOIN sitzung s ON s.id = r.sitzung_id WHERE r.antwort = 'offen' AND r.eingeladen_an IS NOT NULL "
            "ORDER BY s.beginn DESC, r.id LIMIT 1"
        ).fetchone()
    ics = (
        "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nPRODID:Microsoft Exchange Server 2010\r\nVERSION:2.0\r\n"
        "BEGIN:VEVENT\r\n"
        f'ATTENDEE;PARTSTAT=TENTATIVE;CN="Teilnehmerin":MAILTO:{address.upper()}\r\n'
        f"UID:{uid}\r\nSEQUENCE:{sequence or 0}\r\n"
        f"DTSTART:{datetime.fromisoformat(beginn).strftime('%Y%m%dT%H%M%SZ')}\r\n"
        f"DTSTAMP:{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}\r\nSUMMARY;LANGUAGE=de-DE:Mit Vorbehalt\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    reply = var / "antwort.eml"
    reply.write_text(
        f"From: <{address}>\r\nTo: <sozialplanung@landkreis-musterland.example>\r\nSubject: Mit Vorbehalt\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/calendar; charset=utf-8; method=REPLY\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(ics.encode()).decode(),
        encoding="utf-8",
    )
    return reply


def test_readme_command_a_then_the_first_commands_in_german_without_tracebacks(
    pytestconfig: pytest.Config,
) -> None:
    lauf = readme_demo.wait(pytestconfig)
    clone, env = lauf.clone, readme_demo.environment(lauf.home)
    transcript: list[str] = []

    def check(command: str, returncode: int, stdout: str, stderr: str) -> str:
        output = stdout + stderr
        transcript.append(f"$ {command}\n{output}")
        assert returncode == 0, "\n".join(transcript)
        # pip's own notes (a new release, an index location of this machine) are not ours.
        fremd = [line for line in output.splitlines() if FREMD.search(line) and not PIP.match(line)]
        assert not fremd, f"{command}: {fremd}"
        return stdout

    def shell(command: str, stdin: str | None = None) -> str:
        result = subprocess.run(
            ["bash", "-c", command], cwd=clone, env=env, input=stdin, capture_output=True, text=True, timeout=900
        )
        return check(command, result.returncode, result.stdout, result.stderr)

    demo = check(readme_demo.readme_commands()[0], lauf.returncode, lauf.stdout, lauf.stderr)
    assert "Alle Ergebnisse liegen unter" in demo and demo.count("✔") == 8
    gebiete = shell(".venv/bin/sozialforum liste gebiete")
    assert "Gebiete (50 von 62)" in gebiete and "Lindenau" in gebiete
    sitzungen = shell(".venv/bin/sozialforum zeige sitzungen")
    # Local time, as the demo planned it (16:30 in Berlin), in German.
    assert "16:30 Uhr" in sitzungen and "durchgeführt" in sitzungen
    konto = shell(".venv/bin/sozialforum portal benutzer-anlegen erika --passwort-stdin", stdin="lang-und-geheim-42\n")
    assert "erika" in konto
    reply = _outlook_vorbehalt(clone / "var")
    antworten = shell(f".venv/bin/sozialforum konferenz antworten {reply}")
    # The demo takes replies whose sender no mail server proved ("melden") and says so.
    assert antworten.startswith("1 Rückmeldung erfasst (davon 1 ohne belegten Absender), 0 unverändert"), antworten
    zusammenfassung, *einzeln = antworten.strip().splitlines()
    assert zusammenfassung.endswith("0 Probleme"), antworten
    assert any("Absender aber nicht belegt: die Nachricht trägt keine DKIM-Signatur" in z for z in einzeln), antworten
