"""``sozialforum konferenz``: a conference round from the command line, German output, exit codes,
calendar replies whose sender is not proven."""

from __future__ import annotations

import re
from email.message import EmailMessage

import pytest
from typer.testing import CliRunner

from sozialforum.channels import ical
from sozialforum.channels.ical_reply import unfold
from sozialforum.cli import app
from sozialforum.timeutil import utcnow
from tests.conftest import REPO
from tests.konferenz.support import calendar_part, parse

REPLY = REPO / "tests" / "konferenz" / "antworten" / "outlook_zusage.eml"


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("SOZIALFORUM_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()

    def run(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, list(args), catch_exceptions=False)

    assert run("db", "migrieren").exit_code == 0
    assert run("import", "ordner", str(REPO / "sozialforum" / "demo" / "data")).exit_code == 0
    return run


def test_round_from_the_command_line(cli, tmp_path, monkeypatch) -> None:
    planned = cli(
        "konferenz",
        "planen",
        "--gremium",
        "SRK-01",
        "--datum",
        "15.12.2099",
        "--uhrzeit",
        "16:30",
        "--ort",
        "Bürgerhaus",
        "--alle-monate",
        "6",
        "--anzahl",
        "2",
    )
    assert planned.exit_code == 0 and "Dienstag, 15. Dezember 2099, 16:30 Uhr" in planned.output
    assert "Sitzung 2:" in planned.output
    monkeypatch.setenv("COLUMNS", "100")  # a terminal as wide as many: nothing cut off
    upcoming = cli("konferenz", "termine").output
    monkeypatch.setenv("COLUMNS", "200")
    assert "Di., 15.12.2099, 16:30 Uhr" in upcoming and "…" not in upcoming, upcoming
    assert "Einladung am" in upcoming and "24.11.2099" in upcoming, upcoming
    prepared = cli("konferenz", "vorbereiten", "1")
    assert "1. Begrüßung und Feststellung der Tagesordnung" in prepared.output
    assert "nicht eingeladen:" in prepared.output and "Einwilligung" in prepared.output
    invited = cli("konferenz", "einladen", "1")
    assert invited.exit_code == 0 and "gesendet nach" in invited.output
    outbox = tmp_path / "var" / "outbox"
    sent = len(list(outbox.glob("*.eml")))
    assert sent > 0
    assert cli("konferenz", "einladen", "1").output.count(" 0 neu im Postausgang") == 1
    moved = cli("konferenz", "verschieben", "1", "--uhrzeit", "17:00")
    assert moved.exit_code == 0 and f"geänderte Einladungen: {sent} neu" in moved.output
    cancelled = cli("konferenz", "absagen", "1", "--grund", "Saal belegt")
    assert cancelled.exit_code == 0 and f"Sitzungsabsagen: {sent} neu" in cancelled.output
    assert len(list(outbox.glob("*.eml"))) == 3 * sent
    overview = cli("konferenz", "postausgang")
    assert "gesendet" in overview.output and "Aktualisierung" not in overview.output
    # Kinds in German, never their keys.
    assert all(kind in overview.output for kind in ("Einladung", "geänderte Einladung", "Sitzungsabsage"))
    assert not re.search(r"\b(einladung|aktualisierung|absage)\b", overview.output), overview.output
    feed = cli("konferenz", "kalender", "--gremium", "SRK-01")
    assert feed.exit_code == 0
    # A new address withdraws the old one (the portal answers 404 there, test_portal_kalender).
    renewed = cli("konferenz", "kalender", "--gremium", "SRK-01", "--neue-adresse")
    assert renewed.exit_code == 0 and "Die bisherige Kalenderadresse gilt nicht mehr." in renewed.output
    address = re.compile(r"/kalender/gremium/SRK-01/\w+\.ics")
    assert address.search(renewed.output).group() != address.search(feed.output).group()
    again = cli("konferenz", "kalender", "--gremium", "SRK-01")
    assert address.search(again.output).group() == address.search(renewed.output).group()
    # Told to the members: queued, sent by the next delivery, once.
    assert cli("konferenz", "kalender", "--gremium", "SRK-01", "--mitteilen").exit_code == 1
    told = cli("konferenz", "kalender", "--gremium", "SRK-01", "--neue-adresse", "--mitteilen")
    notices = int(re.search(r"Neue Adresse mitteilen: (\d+) E-Mails? vorbereitet", told.output).group(1))
    assert told.exit_code == 0 and notices > 0 and "sozialforum konferenz zustellen" in told.output
    before = len(list(outbox.glob("*.eml")))
    assert cli("konferenz", "zustellen").exit_code == 0 and cli("konferenz", "zustellen").exit_code == 0
    assert len(list(outbox.glob("*.eml"))) == before + notices
    ics = (tmp_path / "var" / "berichte" / "kalender" / "gremium-SRK-01.ics").read_text()
    assert "STATUS:CANCELLED" in ics and "X-WR-CALNAME:Sozialraumkonferenz Lindenau" in ics
    listing = cli("konferenz", "teilnehmerliste", "1")
    assert listing.exit_code == 0 and ".xlsx" in listing.output


def test_errors_are_german_with_exit_codes(cli) -> None:
    assert cli("konferenz", "planen", "--gremium", "GIBTS-NICHT", "--datum", "01.01.2099").exit_code == 4
    bad = cli("konferenz", "planen", "--gremium", "SRK-01", "--datum", "31.02.2099")
    assert bad.exit_code == 1 and "kein gültiges Datum" in bad.output
    assert cli("konferenz", "einladen", "999").exit_code == 4
    assert cli("konferenz", "antworten").exit_code == 1  # no mailbox configured
    unknown = cli("konferenz", "antworten", str(REPLY))
    # A reply that was refused is reported, and the exit code says so (1: input refused).
    assert unknown.exit_code == 1 and "keine Einladung mit UID" in unknown.output


def test_replies_without_proven_sender_are_named_or_held(cli, tmp_path, monkeypatch) -> None:
    assert cli("konferenz", "planen", "--gremium", "SRK-01", "--datum", "15.12.2099").exit_code == 0
    assert cli("konferenz", "einladen", "1").exit_code == 0
    invitation = parse(next((tmp_path / "var" / "outbox").glob("*.eml")).read_bytes())
    uid = next(line[4:] for line in unfold(calendar_part(invitation)[1]) if line.startswith("UID:"))
    attendee = str(invitation["To"]).split("<")[-1].strip(">").lower()
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = attendee, "sozialplanung@landkreis-musterland.example", "Zugesagt"
    mail.set_content("Angenommen.")
    reply = ical.build_reply(uid=uid, sequence=0, dtstamp=utcnow(), attendee=attendee, partstat="ACCEPTED")
    mail.add_attachment(reply, maintype="text", subtype="calendar", params={"method": "REPLY"})
    saved = tmp_path / "antwort.eml"
    saved.write_bytes(mail.as_bytes())
    monkeypatch.setenv("SOZIALFORUM_MAIL__AUTHSERV_ID", "mx.landkreis-musterland.example")
    monkeypatch.setenv("SOZIALFORUM_MAIL__ANTWORTEN_PRUEFEN", "streng")
    held = cli("konferenz", "antworten", str(saved))
    assert held.exit_code == 1 and "0 Rückmeldungen erfasst" in held.output and "1 zurückgehalten" in held.output
    assert f"antwort.eml: Zusage von {attendee}" in held.output
    assert "Absender nicht belegt: kein Prüfergebnis" in held.output
    assert "bei der Sitzung" in held.output
    monkeypatch.setenv("SOZIALFORUM_MAIL__ANTWORTEN_PRUEFEN", "melden")
    taken = cli("konferenz", "antworten", str(saved))
    assert taken.exit_code == 0 and "1 Rückmeldung erfasst" in taken.output
    assert "erfasst (davon 1 ohne belegten Absender)" in taken.output and "Absender aber nicht belegt" in taken.output
