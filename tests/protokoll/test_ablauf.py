"""The minutes workflow in the domain, without Prefect: request, remind, submit, comment,
return, revise, approve, finalize — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sozialforum.problems import ProblemReport
from sozialforum.protokoll.anfordern import remind_late, request_draft
from sozialforum.protokoll.eingabe import EintragEingabe, EntwurfEingabe, PunktEingabe
from sozialforum.protokoll.endfassung import auftragstext, finalize
from sozialforum.protokoll.entwurf import add_comment, submit_draft
from sozialforum.protokoll.freigabe import decide
from sozialforum.protokoll.lage import ProtokollFehler, lage, protokoll_for_sitzung
from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import Auftrag, OutboxMessage, PersonalLink, Protokoll, ProtokollDatei
from sozialforum.timeutil import as_utc
from sozialforum.vocab import AuftragQuelle, ProtokollEntscheidung, ProtokollPunktArt, ProtokollStatus
from tests.protokoll.conftest import NACH_SITZUNG, Welt, build_world


def outbox(engine: Engine) -> list[OutboxMessage]:
    with session_scope(engine, actor="test") as session:
        return list(session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def keys(engine: Engine) -> list[str]:
    return [m.schluessel for m in outbox(engine)]


def entwurf(welt: Welt, *, frist: str = "30.06.2026", verantwortlich: str | None = None) -> EntwurfEingabe:
    owner = verantwortlich if verantwortlich is not None else f"person:{welt.mitglieder[0]}"
    return EntwurfEingabe(
        eintraege=(
            EintragEingabe(welt.tops[0], diskussion="Das Protokoll der letzten Sitzung wurde genehmigt."),
            EintragEingabe(
                welt.tops[1],
                diskussion="Die Kinderarmut ist gestiegen.\n\nDie HzE-Quote sank.",
                ergebnis="Kenntnisnahme.",
            ),
        ),
        punkte=(
            PunktEingabe("auftrag", "Konzept Familienzentrum vorlegen", owner, frist, welt.tops[1]),
            PunktEingabe("", "", "", ""),  # a blank row of the form
            PunktEingabe("empfehlung", "Streetwork ausbauen", f"organisation:{welt.organisation_id}", "2026-09-30"),
        ),
    )


def test_request_is_sent_once_to_the_protokollfuehrung(engine: Engine, settings: Settings, welt: Welt) -> None:
    for _ in range(2):
        with session_scope(engine, actor="test") as session:
            protokoll = request_draft(session, sitzung_id=welt.sitzung_id, now=NACH_SITZUNG, settings=settings)
    assert keys(engine) == [f"protokoll:{protokoll.id}:anforderung:person={welt.protokollfuehrung_id}"]
    message = outbox(engine)[0]
    assert message.person_id == welt.protokollfuehrung_id
    assert b"/protokoll-entwurf/" in (message.inhalt or b"")
    with session_scope(engine, actor="test") as session:
        links = session.scalars(sa.select(PersonalLink)).all()
        assert [(link.person_id, link.zweck) for link in links] == [(welt.protokollfuehrung_id, "protokoll_entwurf")]
        stored = protokoll_for_sitzung(session, welt.sitzung_id)
        assert stored is not None and stored.entwurf_frist.isoformat() == "2026-03-18"


def test_a_sitzung_not_yet_held_is_refused(engine: Engine, settings: Settings) -> None:
    from sozialforum.vocab import SitzungStatus

    welt = build_world(engine, status=SitzungStatus.EINGELADEN)
    with pytest.raises(ProtokollFehler, match="noch nicht stattgefunden"):
        with session_scope(engine, actor="test") as session:
            request_draft(session, sitzung_id=welt.sitzung_id, now=NACH_SITZUNG - timedelta(days=1), settings=settings)


def test_reminder_before_the_due_date_and_escalation_after_it(engine: Engine, settings: Settings, welt: Welt) -> None:
    with session_scope(engine, actor="test") as session:
        pid = request_draft(session, sitzung_id=welt.sitzung_id, now=NACH_SITZUNG, settings=settings).id
    done = []
    for days in (5, 12, 13, 14, 15, 20):  # due 18 March: remind from the 16th, escalate after the 18th
        with session_scope(engine, actor="test") as session:
            done.append(
                remind_late(session, protokoll_id=pid, now=NACH_SITZUNG + timedelta(days=days), settings=settings)
            )
    assert done == [[], ["Erinnerung an die Protokollführung"], [], [], ["Eskalation an die Geschäftsstelle"], []]
    assert keys(engine)[1:] == [f"protokoll:{pid}:runde=0:erinnerung", f"protokoll:{pid}:runde=0:eskalation"]
    assert outbox(engine)[2].empfaenger == settings.geschaeftsstelle.email


def test_whole_path_in_the_domain(engine: Engine, settings: Settings, welt: Welt) -> None:
    now = NACH_SITZUNG
    with session_scope(engine, actor="test") as session:
        pid = request_draft(session, sitzung_id=welt.sitzung_id, now=now, settings=settings).id
        submit_draft(
            session,
            protokoll_id=pid,
            person_id=welt.protokollfuehrung_id,
            eingabe=entwurf(welt),
            now=now + timedelta(days=3),
            settings=settings,
        )
    invited = [k for k in keys(engine) if ":kommentar:" in k]
    # members and guest, not the writer, not the person without consent
    assert sorted(invited) == sorted(
        f"protokoll:{pid}:v1:kommentar:person={p}" for p in (*welt.mitglieder, welt.gast_id, welt.geschaeftsstelle_id)
    )
    with session_scope(engine, actor="test") as session:
        add_comment(
            session,
            protokoll_id=pid,
            person_id=welt.mitglieder[1],
            text="TOP 2: bitte Zahlen nennen.",
            tagesordnungspunkt_id=welt.tops[1],
            now=now + timedelta(days=4),
        )
        snapshot = lage(session, session.get(Protokoll, pid), now=now + timedelta(days=4))
        assert snapshot.kommentierung_laeuft and not snapshot.bereit_zur_freigabe
    with pytest.raises(ProtokollFehler, match="Kommentierungsfrist"):
        with session_scope(engine, actor="test") as session:
            add_comment(
                session,
                protokoll_id=pid,
                person_id=welt.mitglieder[0],
                text="zu spät",
                tagesordnungspunkt_id=None,
                now=now + timedelta(days=11),
            )
    with session_scope(engine, actor="test") as session:
        with pytest.raises(ProtokollFehler, match="Anmerkungen"):
            decide(
                session,
                protokoll_id=pid,
                version_nummer=1,
                entscheidung=ProtokollEntscheidung.ZURUECKGEBEN,
                anmerkungen=" ",
                entschieden_von="GS",
                quelle="test",
                now=now,
                settings=settings,
            )
        result = decide(
            session,
            protokoll_id=pid,
            version_nummer=1,
            entscheidung=ProtokollEntscheidung.ZURUECKGEBEN,
            anmerkungen="Zahlen zu TOP 2 ergänzen.",
            entschieden_von="GS",
            quelle="test",
            now=now + timedelta(days=11),
            settings=settings,
        )
        assert result.neu and session.get(Protokoll, pid).status == ProtokollStatus.ZURUECKGEGEBEN
    returned = next(m for m in outbox(engine) if m.schluessel.endswith(":v1:rueckgabe"))
    assert returned.person_id == welt.protokollfuehrung_id
    with session_scope(engine, actor="test") as session:
        submit_draft(
            session,
            protokoll_id=pid,
            person_id=welt.protokollfuehrung_id,
            eingabe=entwurf(welt),
            now=now + timedelta(days=12),
            settings=settings,
        )
        decide(
            session,
            protokoll_id=pid,
            version_nummer=2,
            entscheidung=ProtokollEntscheidung.FREIGEBEN,
            anmerkungen="",
            entschieden_von="GS",
            quelle="test",
            now=now + timedelta(days=20),
            settings=settings,
        )
        first = finalize(session, protokoll_id=pid, now=now + timedelta(days=20), settings=settings)
    assert not first.bereits_verteilt and first.auftraege == 2
    assert first.empfaenger == 5 and first.nicht_erreichbar == 1
    count = len(outbox(engine))
    with session_scope(engine, actor="test") as session:
        again = decide(
            session,
            protokoll_id=pid,
            version_nummer=2,
            entscheidung=ProtokollEntscheidung.FREIGEBEN,
            anmerkungen="",
            entschieden_von="GS",
            quelle="cli",
            now=now + timedelta(days=21),
            settings=settings,
        )
        assert not again.neu and "bereits" in again.meldung
        assert finalize(session, protokoll_id=pid, now=now + timedelta(days=21), settings=settings).bereits_verteilt
    assert len(outbox(engine)) == count
    with session_scope(engine, actor="test") as session:
        auftraege = session.scalars(sa.select(Auftrag).order_by(Auftrag.kennung)).all()
        assert [(a.quelle, a.sitzung_id, a.frist.isoformat()) for a in auftraege] == [
            (AuftragQuelle.PROTOKOLL, welt.sitzung_id, "2026-06-30"),
            (AuftragQuelle.PROTOKOLL, welt.sitzung_id, "2026-09-30"),
        ]
        assert auftraege[0].verantwortlich_person_id == welt.mitglieder[0]
        assert auftraege[1].beschreibung.startswith("Empfehlung: ")
        files = session.scalars(sa.select(ProtokollDatei.art)).all()
        assert sorted(files) == ["endfassung_html", "endfassung_pdf"]


def test_bad_owner_and_past_date_are_reported_and_change_nothing(
    engine: Engine, settings: Settings, welt: Welt
) -> None:
    with session_scope(engine, actor="test") as session:
        pid = request_draft(session, sitzung_id=welt.sitzung_id, now=NACH_SITZUNG, settings=settings).id
    before = keys(engine)
    with pytest.raises(ProblemReport) as caught:
        with session_scope(engine, actor="test") as session:
            submit_draft(
                session,
                protokoll_id=pid,
                person_id=welt.protokollfuehrung_id,
                eingabe=entwurf(welt, frist="01.01.2020", verantwortlich=""),
                now=NACH_SITZUNG,
                settings=settings,
            )
    text = str(caught.value)
    assert "Zeile 1, Spalte „Verantwortlich“: fehlt" in text
    assert "Zeile 1, Spalte „Frist“: liegt in der Vergangenheit (01.01.2020)" in text
    assert keys(engine) == before
    with session_scope(engine, actor="test") as session:
        protokoll = session.get(Protokoll, pid)
        assert protokoll.status == ProtokollStatus.ANGEFORDERT and protokoll.aktuelle_version == 0


def test_erasure_clears_a_commenters_text_and_keeps_the_minutes(engine: Engine, settings: Settings, welt: Welt) -> None:
    from sozialforum.stammdaten.dsgvo import erase_person, export_person
    from sozialforum.store.models import ProtokollKommentar

    with session_scope(engine, actor="test") as session:
        pid = request_draft(session, sitzung_id=welt.sitzung_id, now=NACH_SITZUNG, settings=settings).id
        submit_draft(
            session,
            protokoll_id=pid,
            person_id=welt.protokollfuehrung_id,
            eingabe=entwurf(welt),
            now=NACH_SITZUNG,
            settings=settings,
        )
        add_comment(
            session,
            protokoll_id=pid,
            person_id=welt.mitglieder[1],
            text="Meine Meinung zu TOP 2.",
            tagesordnungspunkt_id=None,
            now=NACH_SITZUNG,
        )
        exported = export_person(session, welt.mitglieder[1], now=NACH_SITZUNG)
        assert "protokoll_kommentar" in exported["daten"]
        erase_person(session, welt.mitglieder[1], now=NACH_SITZUNG, actor="test")
    with session_scope(engine, actor="test") as session:
        comment = session.scalars(sa.select(ProtokollKommentar)).one()
        assert comment.text == "[gelöscht]" and session.get(Protokoll, pid).aktuelle_version == 1


def test_a_decision_that_fails_halfway_leaves_nothing(
    engine: Engine, settings: Settings, welt: Welt, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All or nothing: if sending the draft back fails, the decision is not recorded either, and
    the next attempt can still decide (on SQLite a SAVEPOINT must not commit the decision early)."""
    from sozialforum.protokoll import freigabe
    from sozialforum.store.models import ProtokollFreigabe

    now = NACH_SITZUNG
    with session_scope(engine, actor="test") as session:
        pid = request_draft(session, sitzung_id=welt.sitzung_id, now=now, settings=settings).id
        submit_draft(
            session,
            protokoll_id=pid,
            person_id=welt.protokollfuehrung_id,
            eingabe=entwurf(welt),
            now=now + timedelta(days=3),
            settings=settings,
        )

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("Mailvorlage kaputt")

    arguments = dict(
        protokoll_id=pid,
        version_nummer=1,
        entscheidung=ProtokollEntscheidung.ZURUECKGEBEN,
        anmerkungen="Zahlen ergänzen.",
        entschieden_von="GS",
        quelle="test",
        now=now + timedelta(days=11),
        settings=settings,
    )
    with monkeypatch.context() as patch:
        patch.setattr(freigabe, "_send_back", broken)
        with pytest.raises(RuntimeError), session_scope(engine, actor="test") as session:
            decide(session, **arguments)
    with session_scope(engine, actor="test") as session:
        assert session.scalars(sa.select(ProtokollFreigabe)).all() == []
        result = decide(session, **arguments)
        assert result.neu and session.get(Protokoll, pid).status == ProtokollStatus.ZURUECKGEGEBEN


def test_a_resubmitted_draft_does_not_mail_everyone_again(engine: Engine, settings: Settings, welt: Welt) -> None:
    now = NACH_SITZUNG
    with session_scope(engine, actor="test") as session:
        pid = request_draft(session, sitzung_id=welt.sitzung_id, now=now, settings=settings).id
        for day in (3, 4, 5):  # three versions within the comment period
            submit_draft(
                session,
                protokoll_id=pid,
                person_id=welt.protokollfuehrung_id,
                eingabe=entwurf(welt),
                now=now + timedelta(days=day),
                settings=settings,
            )
    invited = [k for k in keys(engine) if ":kommentar:" in k]
    assert invited and all(":v1:" in k for k in invited)  # once per person, with the first version
    with session_scope(engine, actor="test") as session:
        protokoll = session.get(Protokoll, pid)
        links = session.scalars(sa.select(PersonalLink).where(PersonalLink.bezug_id == pid)).all()
        # the links reach to the end of the latest comment period
        assert links and all(as_utc(link.gueltig_bis) >= as_utc(protokoll.kommentar_bis) for link in links)


def test_a_decision_that_loses_the_race_reports_the_winner(engine: Engine, settings: Settings, welt: Welt) -> None:
    """Two decisions on the same version at the same moment: the one whose insert hits the unique
    version first stands; the other reports it instead of failing (on SQLite, without a savepoint,
    the failed flush ends the transaction and the loser reads the winner in a new one)."""
    from sozialforum.store.models import ProtokollFreigabe, ProtokollVersion
    from sozialforum.store.models.base import table_of

    now = NACH_SITZUNG
    with session_scope(engine, actor="test") as session:
        pid = request_draft(session, sitzung_id=welt.sitzung_id, now=now, settings=settings).id
        submit_draft(
            session,
            protokoll_id=pid,
            person_id=welt.protokollfuehrung_id,
            eingabe=entwurf(welt),
            now=now + timedelta(days=3),
            settings=settings,
        )
        version_id = session.scalar(sa.select(ProtokollVersion.id).where(ProtokollVersion.protokoll_id == pid))

    fired: list[bool] = []

    def the_other_run_decides_first(session: object, *_: object) -> None:
        if fired:
            return
        fired.append(True)
        with engine.begin() as other:  # another run's transaction, committed before our insert
            other.execute(
                table_of(ProtokollFreigabe)
                .insert()
                .values(
                    protokoll_id=pid,
                    version_id=version_id,
                    entscheidung=ProtokollEntscheidung.FREIGEBEN.value,
                    anmerkungen="",
                    entschieden_von="Prefect-UI",
                    quelle="prefect",
                    entschieden_am=now + timedelta(days=11),
                )
            )

    with session_scope(engine, actor="test") as session:
        sa.event.listen(session, "before_flush", the_other_run_decides_first)
        result = decide(
            session,
            protokoll_id=pid,
            version_nummer=1,
            entscheidung=ProtokollEntscheidung.FREIGEBEN,
            anmerkungen="",
            entschieden_von="CLI",
            quelle="cli",
            now=now + timedelta(days=11),
            settings=settings,
        )
    assert fired and not result.neu
    with session_scope(engine, actor="test") as session:
        rows = session.scalars(sa.select(ProtokollFreigabe)).all()
        assert [(r.entschieden_von, r.quelle) for r in rows] == [("Prefect-UI", "prefect")]


def test_a_recommendation_is_named_once() -> None:
    empfehlung, auftrag = ProtokollPunktArt.EMPFEHLUNG, ProtokollPunktArt.AUFTRAG
    assert auftragstext(empfehlung, "Streetwork ausbauen") == "Empfehlung: Streetwork ausbauen"
    said = "Streetwork ausbauen (Empfehlung an den Jugendhilfeausschuss)"
    assert auftragstext(empfehlung, said) == said  # was "Empfehlung: … (Empfehlung an …)"
    assert auftragstext(auftrag, "Konzept vorlegen") == "Konzept vorlegen"
