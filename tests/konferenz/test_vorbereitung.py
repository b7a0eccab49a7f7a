"""Scheduling in Europe/Berlin, the invitation pack (agenda and recipients), the attendance list
and the calendar feeds."""

from __future__ import annotations

import io
from datetime import date, time, timedelta

import icalendar
from ical.calendar_stream import IcsCalendarStream
from openpyxl import load_workbook
from sqlmodel import Session, select

from sozialforum.konferenz import aenderung, antworten, feeds, teilnehmerliste, termine, versand, vorbereitung
from sozialforum.store.models import Gremium, Sitzung, Tagesordnungspunkt
from sozialforum.store.models.portal import Themenvorschlag
from sozialforum.timeutil import berlin
from sozialforum.vocab import Antwort, AntwortQuelle, TopQuelle, VorschlagStatus
from tests.konferenz.fixtures import NOW
from tests.support.pdf_text import fliesstext


def test_series_keeps_wall_clock_time_across_daylight_saving(engine, settings, konferenz) -> None:
    with Session(engine) as session:
        series = termine.plan_serie(
            session,
            gremium_id=konferenz.gremium_id,
            erster_tag=date(2026, 1, 31),
            uhrzeit=time(16, 30),
            settings=settings,
            intervall_monate=3,
            anzahl=4,
        )
        again = termine.plan_serie(
            session,
            gremium_id=konferenz.gremium_id,
            erster_tag=date(2026, 1, 31),
            uhrzeit=time(16, 30),
            settings=settings,
            intervall_monate=3,
            anzahl=4,
        )
        assert [s.id for s in series] == [s.id for s in again]  # idempotent
        # `zeige sitzungen` names the series in words, not by its key (g7-2026-01-31-3m).
        from sozialforum.arbeitsplatz.anzeige import wert

        assert wert("serie", series[0].serie) == "alle 3 Monate ab 31.01.2026"
        assert termine.serie_text("import-2026") == "import-2026"
        local = [berlin(s.beginn) for s in series]
        assert [d.date() for d in local] == [
            date(2026, 1, 31),
            date(2026, 4, 30),
            date(2026, 7, 31),
            date(2026, 10, 31),
        ]
        assert {(d.hour, d.minute) for d in local} == {(16, 30)}
        assert [s.beginn.hour for s in series] == [15, 14, 14, 15]  # UTC: winter, summer, summer, winter
        assert len({s.ical_uid for s in series}) == 4
        gremium = session.get(Gremium, konferenz.gremium_id)
        assert termine.invitation_due(series[1], gremium) == date(2026, 4, 9)
        assert termine.reminder_due(series[1], gremium, today=date(2026, 4, 23)) == 7
        assert termine.reminder_due(series[1], gremium, today=date(2026, 4, 29)) == 1
        assert termine.reminder_due(series[1], gremium, today=date(2026, 4, 30)) is None


def test_agenda_with_standing_items_proposals_auftraege_and_massnahmen(engine, settings, konferenz) -> None:
    with Session(engine) as session:
        session.add(
            Themenvorschlag(
                sitzung_id=konferenz.sitzung_id,
                person_id=konferenz.person_ids["P02"],
                titel="Wohnungslosigkeit im Quartier",
                begruendung="Zunahme seit Herbst",
                status=VorschlagStatus.UEBERNOMMEN,  # accepted by the Geschäftsstelle
                eingereicht_am=NOW,
            )
        )
        session.add(
            Themenvorschlag(
                sitzung_id=konferenz.sitzung_id,
                person_id=konferenz.person_ids["P02"],
                titel="Noch nicht entschieden",
                eingereicht_am=NOW,
            )
        )
        session.add(
            Themenvorschlag(
                sitzung_id=konferenz.sitzung_id,
                person_id=konferenz.person_ids["P03"],
                titel="Zurückgezogen",
                status=VorschlagStatus.ZURUECKGEZOGEN,
                eingereicht_am=NOW,
            )
        )
        session.add(
            Tagesordnungspunkt(
                sitzung_id=konferenz.sitzung_id,
                reihenfolge=1,
                nummer="1",
                titel="Bericht der Geschäftsstelle",
                quelle=TopQuelle.GESCHAEFTSSTELLE,
            )
        )
        session.commit()
        pack = vorbereitung.prepare(session, konferenz.sitzung_id, settings)
        session.commit()
        titles = [(top.nummer, top.titel, top.quelle) for top in pack.tops]
        assert titles == [
            ("1", "Begrüßung und Feststellung der Tagesordnung", TopQuelle.STANDARD),
            ("2", "Genehmigung des Protokolls der letzten Sitzung", TopQuelle.STANDARD),
            ("3", "Bericht der Geschäftsstelle", TopQuelle.GESCHAEFTSSTELLE),
            ("4", "Wohnungslosigkeit im Quartier", TopQuelle.VORSCHLAG),
            ("5", "Sachstand der offenen Aufträge", TopQuelle.AUFTRAG),
            ("6", "Maßnahmen im Sozialraum", TopQuelle.MASSNAHME),
            ("7", "Verschiedenes und nächste Termine", TopQuelle.STANDARD),
        ]
        proposal = session.exec(select(Themenvorschlag).where(Themenvorschlag.titel.startswith("Wohnung"))).one()
        assert proposal.status == VorschlagStatus.UEBERNOMMEN and proposal.tagesordnungspunkt_id == pack.tops[3].id
        # Rebuilding is idempotent: the same agenda, nothing doubled.
        again = vorbereitung.prepare(session, konferenz.sitzung_id, settings)
        assert [(t.nummer, t.titel) for t in again.tops] == [(n, t) for n, t, _ in titles]
        assert pack.profil is None and pack.protokoll is None


def test_attendance_list_html_and_xlsx(engine, settings, konferenz, tmp_path) -> None:
    with Session(engine) as session:
        versand.send_invitations(session, sitzung_id=konferenz.sitzung_id, now=NOW, settings=settings)
        antworten.record_answer(
            session,
            sitzung_id=konferenz.sitzung_id,
            person_id=konferenz.person_ids["P01"],
            antwort=Antwort.ZUSAGE,
            quelle=AntwortQuelle.LINK,
            now=NOW,
            personen=2,
            kommentar="Wir kommen zu zweit <b>gern</b>",
        )
        antworten.record_answer(
            session,
            sitzung_id=konferenz.sitzung_id,
            person_id=konferenz.person_ids["P02"],
            antwort=Antwort.ABSAGE,
            quelle=AntwortQuelle.KALENDER,
            now=NOW,
        )
        session.commit()
        liste = teilnehmerliste.build(session, sitzung_id=konferenz.sitzung_id)
    assert [z.antwort for z in liste.zeilen] == ["Zusage", "noch keine Antwort", "noch keine Antwort", "Absage"]
    assert liste.erwartete_personen == 2
    html_path, xlsx_path = teilnehmerliste.write(liste, tmp_path, now=NOW)
    html = html_path.read_text()
    assert "Zusagen: 1 (2 Personen)" in html and "&lt;b&gt;gern&lt;/b&gt;" in html and "Unterschrift" in html
    sheet = load_workbook(io.BytesIO(xlsx_path.read_bytes())).active
    assert [c.value for c in sheet[3]][:4] == ["Name", "Organisation", "E-Mail", "Antwort"]
    assert sheet["A4"].value == "Erika Mustermann" and sheet["G4"].value == 2
    text = fliesstext(html_path.with_suffix(".pdf"))
    assert "Anwesenheitsliste" in text and "Erika Mustermann" in text and "(noch keine Antwort)" in text
    assert "Leere Zeilen für Gäste und Vertretungen" in text
    absent = next(z.name for z in liste.zeilen if z.antwort == "Absage")
    assert absent not in text  # who declined is not on the sign-in sheet
    assert " 11 Leere Zeilen" in text  # 3 invited + 8 blank lines
    # A Sitzung titled like its Gremium (the default) is not named twice in the heading.
    with Session(engine) as session:
        sitzung = session.get(Sitzung, konferenz.sitzung_id)
        sitzung.titel = session.get(Gremium, sitzung.gremium_id).name
        session.add(sitzung)
        session.commit()
        liste = teilnehmerliste.build(session, sitzung_id=konferenz.sitzung_id)
    html_path, _ = teilnehmerliste.write(liste, tmp_path, now=NOW)
    titel = liste.sitzung.titel
    assert html_path.read_text().count(titel) == 2  # <title> and <h1>, not a third time below
    assert fliesstext(html_path.with_suffix(".pdf")).count(titel) == 2  # heading and footer


def test_feeds_keep_uids_and_cancelled_meetings(engine, settings, konferenz) -> None:
    with Session(engine) as session:
        extra = termine.plan_sitzung(
            session,
            gremium_id=konferenz.gremium_id,
            tag=date(2026, 9, 14),
            uhrzeit=time(17),
            settings=settings,
            titel="Herbstkonferenz",
        )
        versand.send_invitations(session, sitzung_id=konferenz.sitzung_id, now=NOW, settings=settings)
        aenderung.cancel(session, sitzung_id=extra.id, now=NOW, settings=settings)
        session.commit()
        gremium_ics = feeds.gremium_feed(session, gremium_id=konferenz.gremium_id, now=NOW, settings=settings)
        person_ics = feeds.person_feed(session, person_id=konferenz.person_ids["P01"], now=NOW, settings=settings)
        gone_ics = feeds.person_feed(session, person_id=konferenz.person_ids["P11"], now=NOW, settings=settings)
        uids = {s.ical_uid for s in session.exec(select(Sitzung))}
    for data in (gremium_ics, person_ics):
        calendar = IcsCalendarStream.calendar_from_ics(data.decode())
        assert {e.uid for e in calendar.events} == uids
        parsed = icalendar.Calendar.from_ical(data)
        assert str(parsed["METHOD"]) == "PUBLISH" and "X-WR-CALNAME" in parsed
        # subscribers are told to fetch again every four hours (RFC 7986; Outlook's own property)
        assert parsed["REFRESH-INTERVAL"].dt == timedelta(hours=4) and str(parsed["X-PUBLISHED-TTL"]) == "PT4H"
        statuses = {str(e["UID"]): str(e["STATUS"]) for e in parsed.walk("VEVENT")}
        assert sorted(statuses.values()) == ["CANCELLED", "CONFIRMED"]
        assert all("ATTENDEE" not in e for e in parsed.walk("VEVENT"))
    # Otto left the Gremium before both meetings: his feed is empty.
    assert IcsCalendarStream.calendar_from_ics(gone_ics.decode()).events == []


def test_previous_minutes_go_with_the_invitation(engine, settings, konferenz) -> None:
    from sozialforum.konferenz.nachrichten import Composer
    from sozialforum.store.models.protokoll import Protokoll, ProtokollDatei, ProtokollVersion

    with Session(engine) as session:
        previous = termine.plan_sitzung(
            session,
            gremium_id=konferenz.gremium_id,
            tag=date(2025, 10, 6),
            uhrzeit=time(17),
            settings=settings,
            titel="Herbstkonferenz 2025",
        )
        minutes = Protokoll(
            sitzung_id=previous.id, angefordert_am=NOW, entwurf_frist=date(2025, 10, 20), freigegeben_am=NOW
        )
        session.add(minutes)
        session.flush()
        version = ProtokollVersion(protokoll_id=minutes.id, nummer=1, eingereicht_am=NOW)
        session.add(version)
        session.flush()
        session.add(
            ProtokollDatei(
                protokoll_id=minutes.id,
                version_id=version.id,
                art="endfassung_pdf",
                dateiname="protokoll-2025-10-06.pdf",
                mimetype="application/pdf",
                groesse=9,
                sha256="0" * 64,
                inhalt=b"%PDF-1.4\n",
                erstellt_am=NOW,
            )
        )
        session.commit()
        pack = vorbereitung.prepare(session, konferenz.sitzung_id, settings)
        assert pack.vorige_sitzung.id == previous.id
        assert pack.protokoll.titel == "Protokoll der Sitzung vom 06.10.2025"
        composer = Composer(pack, settings, NOW, "einladung")
        names = [a.filename for a in composer.attachments]
        assert names == ["Tagesordnung-2026-03-16.pdf", "protokoll-2025-10-06.pdf"]
        text = composer.mail(pack.empfaenger[0], None).text
        assert "Protokoll der letzten Sitzung: Protokoll der Sitzung vom 06.10.2025" in text
