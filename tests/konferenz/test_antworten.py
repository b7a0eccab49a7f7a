"""Calendar replies as Outlook/Exchange, Google, Apple and Thunderbird send them, a reply without
an email wrapper, and unknown, forged, uninvited and malformed ones; bounces; the Maildir."""

from __future__ import annotations

import mailbox
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, select

from sozialforum import outbox
from sozialforum.channels.ical_reply import CalendarReply, parse_reply_message
from sozialforum.konferenz import aenderung, antworten
from sozialforum.store.models import OutboxMessage, Person, Rueckmeldung, Sitzung
from sozialforum.vocab import Antwort, AntwortQuelle, OutboxStatus
from tests.konferenz.fixtures import NOW, REPLY_UID
from tests.konferenz.fixtures import answers as _answers

REPLIES = Path(__file__).parent / "antworten"
UID = REPLY_UID
LATER = NOW + timedelta(days=5)  # after every reply of the fixtures was sent


def _process(engine, *names: str) -> antworten.AntwortBericht:
    return antworten.process_files(engine, [REPLIES / name for name in names], now=LATER, actor="test")


def test_outlook_reply_without_organizer_base64_upper_case_mailto(engine, eingeladen) -> None:
    replies = parse_reply_message((REPLIES / "outlook_zusage.eml").read_bytes())
    assert [(r.attendee, r.partstat) for r in replies] == [("erika.mustermann@awo-sued.example", "ACCEPTED")]
    report = _process(engine, "outlook_zusage.eml", "outlook_absage.eml")
    assert report.erfasst == 2 and not report.probleme
    answers = _answers(engine, eingeladen)
    assert answers["P01"] == (Antwort.ZUSAGE, AntwortQuelle.KALENDER)
    # Subject said "Antwort Termineinladung"; only PARTSTAT counts.
    assert answers["P02"][0] == Antwort.ABSAGE
    with Session(engine) as session:
        erika = session.exec(select(Rueckmeldung).where(Rueckmeldung.person_id == eingeladen.person_ids["P01"])).one()
        assert erika.kommentar.startswith("Ich komme gern, ggf. etwas später.")


def test_google_sends_twice_counts_once_and_later_answer_wins(engine, eingeladen) -> None:
    report = _process(engine, "google_absage_doppelt.eml")
    assert report.erfasst == 1 and report.unveraendert == 0
    assert _answers(engine, eingeladen)["P04"][0] == Antwort.ABSAGE
    report = _process(engine, "thunderbird_zusage.eml", "google_absage_doppelt.eml")
    assert report.erfasst == 1 and report.unveraendert == 1 and not report.probleme
    assert _answers(engine, eingeladen)["P04"][0] == Antwort.ZUSAGE  # Thunderbird's is newer


def test_apple_quoted_printable_then_bare_ics(engine, eingeladen) -> None:
    assert _process(engine, "apple_vielleicht.eml").erfasst == 1
    assert _answers(engine, eingeladen)["P03"][0] == Antwort.VIELLEICHT
    assert _process(engine, "ohne_huelle_zusage.ics").erfasst == 1
    assert _answers(engine, eingeladen)["P03"][0] == Antwort.ZUSAGE


def test_unknown_forged_uninvited_and_broken_are_reported_not_recorded(engine, eingeladen) -> None:
    report = _process(
        engine,
        "unbekannte_uid.eml",
        "gefaelscht_absender.eml",
        "nicht_eingeladen.ics",
        "kaputt_ohne_uid.eml",
        "outlook_nur_winmail.eml",
    )
    assert report.erfasst == 0
    reasons = {problem.herkunft: problem.grund for problem in report.probleme}
    assert "keine Einladung mit UID" in reasons["unbekannte_uid.eml"]
    assert "gefälscht" in reasons["gefaelscht_absender.eml"]
    assert "nicht eingeladen" in reasons["nicht_eingeladen.ics"]
    assert "ohne UID" in reasons["kaputt_ohne_uid.eml"]
    assert "keinen Kalenderteil" in reasons["outlook_nur_winmail.eml"]
    assert all(answer == Antwort.OFFEN for answer, _ in _answers(engine, eingeladen).values())


def test_answer_to_an_older_time_is_stale(engine, settings, eingeladen) -> None:
    with Session(engine) as session:
        sitzung = session.get(Sitzung, eingeladen.sitzung_id)
        aenderung.reschedule(
            session,
            sitzung_id=sitzung.id,
            now=NOW + timedelta(days=1),
            settings=settings,
            beginn=sitzung.beginn + timedelta(hours=1),
        )
        session.commit()
    report = _process(engine, "outlook_zusage.eml")
    assert report.erfasst == 0 and "veraltete Antwort" in report.probleme[0].grund


def test_cancelled_meeting_takes_no_answers(engine, settings, eingeladen) -> None:
    with Session(engine) as session:
        aenderung.cancel(session, sitzung_id=eingeladen.sitzung_id, now=NOW, settings=settings)
        session.commit()
    report = _process(engine, "thunderbird_zusage.eml")
    assert report.erfasst == 0 and "abgesagt" in report.probleme[0].grund


def _bounce_for(message_id: str) -> bytes:
    return (
        "From: MAILER-DAEMON@mx.awo-sued.example\r\nTo: sozialplanung@landkreis-musterland.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain\r\n\r\nDie Nachricht konnte nicht zugestellt werden.\r\n"
        "--b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.awo-sued.example\r\n\r\n"
        "Final-Recipient: rfc822; kim.lange@familienzentrum.example\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <kim.lange@familienzentrum.example>: Recipient address rejected\r\n"
        f"--b1\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {message_id}\r\nSubject: Einladung\r\n"
        "--b1--\r\n"
    ).encode()


def test_maildir_with_replies_and_a_bounce(engine, settings, eingeladen, tmp_path) -> None:
    outbox.deliver_pending(engine, settings, now=NOW)
    with Session(engine) as session:
        kim = session.exec(
            select(OutboxMessage).where(OutboxMessage.empfaenger == "kim.lange@familienzentrum.example")
        ).one()
    box = mailbox.Maildir(str(tmp_path / "postfach"), create=True)
    for name in ("outlook_zusage.eml", "google_absage_doppelt.eml", "kaputt_ohne_uid.eml"):
        box.add((REPLIES / name).read_bytes())
    box.add(_bounce_for(kim.message_id))
    settings.mail.maildir = tmp_path / "postfach"
    report = antworten.process_mailbox(engine, settings, now=LATER)
    assert (report.erfasst, report.unzustellbar, len(report.probleme)) == (2, 1, 1)
    again = antworten.process_mailbox(engine, settings, now=LATER)
    assert (again.erfasst, again.unzustellbar, len(again.probleme)) == (0, 0, 0)
    with Session(engine) as session:
        assert session.get(OutboxMessage, kim.id).status == OutboxStatus.BOUNCED
        assert session.get(Person, eingeladen.person_ids["P03"]).zustellung_gestoert_am is not None


def _reply(**kw: object) -> CalendarReply:
    values: dict[str, object] = {
        "uid": UID,
        "attendee": "kim.lange@familienzentrum.example",
        "partstat": "ACCEPTED",
        "sequence": 0,
        "dtstamp": NOW + timedelta(days=1),
        "comment": None,
    }
    values.update(kw)
    return CalendarReply(**values)  # type: ignore[arg-type]


def _apply(engine, reply: CalendarReply, now=LATER) -> tuple[bool, str | None]:
    with Session(engine) as session:
        result = antworten.apply_reply(session, reply, now=now)
        session.commit()
    return result


def test_a_reply_to_a_version_never_sent_does_not_poison_later_answers(engine, eingeladen) -> None:
    changed, problem = _apply(engine, _reply(sequence=7, partstat="DECLINED"))
    assert not changed and "Fassung 7" in problem
    future = _apply(engine, _reply(dtstamp=LATER + timedelta(days=30), partstat="DECLINED"))
    assert not future[0] and "Zukunft" in future[1]
    assert _apply(engine, _reply(partstat="ACCEPTED")) == (True, None)  # the genuine answer still counts
    assert _answers(engine, eingeladen)["P03"] == (Antwort.ZUSAGE, AntwortQuelle.KALENDER)


def test_an_empty_exchange_comment_keeps_the_portal_comment(engine, eingeladen) -> None:
    with Session(engine) as session:
        row = session.exec(
            select(Rueckmeldung).where(Rueckmeldung.eingeladen_an == "kim.lange@familienzentrum.example")
        ).one()
        row.kommentar = "Ich bringe zwei Kolleginnen mit."
        session.add(row)
        session.commit()
    assert _apply(engine, _reply(comment="  "))[0]
    with Session(engine) as session:
        row = session.exec(
            select(Rueckmeldung).where(Rueckmeldung.eingeladen_an == "kim.lange@familienzentrum.example")
        ).one()
        assert row.kommentar == "Ich bringe zwei Kolleginnen mit."


def test_answers_after_the_sitzung_are_refused(engine, eingeladen) -> None:
    changed, problem = _apply(engine, _reply(), now=NOW + timedelta(days=60))
    assert not changed and "schon stattgefunden" in problem


def _ics(attendee_line: str, method: str = "REPLY", extra: str = "") -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//DE\r\nMETHOD:" + method + "\r\nBEGIN:VEVENT\r\n"
        f"UID:{UID}\r\nSEQUENCE:0\r\nDTSTAMP:{NOW + timedelta(days=1):%Y%m%dT%H%M%SZ}\r\n{extra}{attendee_line}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def test_two_delegates_parsed_and_the_delegate_answers_for_the_invitee(engine, eingeladen) -> None:
    line = (
        'ATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO="mailto:a.vertretung@familienzentrum.example",'
        '"mailto:b.vertretung@familienzentrum.example";CN="Lange, Kim":mailto:kim.lange@familienzentrum.example'
    )
    (reply,) = parse_reply_message(_ics(line))
    assert reply.delegated_to == ("a.vertretung@familienzentrum.example", "b.vertretung@familienzentrum.example")
    assert _apply(engine, reply) == (True, None)
    assert _answers(engine, eingeladen)["P03"][0] == Antwort.DELEGIERT
    delegate = (
        'ATTENDEE;PARTSTAT=ACCEPTED;DELEGATED-FROM="mailto:kim.lange@familienzentrum.example":'
        "mailto:a.vertretung@familienzentrum.example"
    )
    (accepts,) = parse_reply_message(_ics(delegate))
    assert _apply(engine, accepts) == (True, None)
    assert _answers(engine, eingeladen)["P03"] == (Antwort.ZUSAGE, AntwortQuelle.KALENDER)
    with Session(engine) as session:
        row = session.exec(
            select(Rueckmeldung).where(Rueckmeldung.eingeladen_an == "kim.lange@familienzentrum.example")
        ).one()
        assert "Vertreten durch a.vertretung@familienzentrum.example" in row.kommentar


def test_sent_by_assistant_is_the_attendees_answer_a_stranger_is_not(engine, eingeladen) -> None:
    assistant = "sekretariat@familienzentrum.example"
    assert _apply(engine, _reply(sender=assistant, sent_by=assistant)) == (True, None)
    changed, problem = _apply(engine, _reply(sender="fremd@boese.example", sent_by=assistant, partstat="DECLINED"))
    assert not changed and "gefälscht" in problem
    assert _answers(engine, eingeladen)["P03"] == (Antwort.ZUSAGE, AntwortQuelle.KALENDER)


def test_a_counter_proposal_is_shown_not_recorded(engine, eingeladen) -> None:
    line = "ATTENDEE;PARTSTAT=TENTATIVE:mailto:kim.lange@familienzentrum.example"
    (counter,) = parse_reply_message(_ics(line, method="COUNTER", extra="DTSTART:20260325T160000Z\r\n"))
    changed, problem = _apply(engine, counter)
    assert not changed and "anderen Termin vor" in problem and "25. März 2026, 17:00 Uhr" in problem
