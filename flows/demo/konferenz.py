"""Demo step of the Sozialraumkonferenzen: a conference round of the demo Landkreis through the
real flows, into the local outbox (.eml files): a series of two Sozialraumkonferenzen a year,
the invitation pack and invitations with calendar entries, a calendar reply read back, one held
for an unproven sender (to decide in the workspace), a change of place (update, SEQUENCE + 1),
the attendance list and the calendar feed.
"""

from __future__ import annotations

from datetime import time, timedelta

from sqlmodel import col, select

from sozialforum import outbox
from sozialforum.channels import ical
from sozialforum.demo import DemoRun
from sozialforum.demo.antwort import zurueckhalten
from sozialforum.konferenz import aenderung, antworten, feeds, kalendertage, teilnehmerliste, termine
from sozialforum.store.db import session_scope
from sozialforum.store.models import Gremium, Rueckmeldung
from sozialforum.store.models.base import pk
from sozialforum.timeutil import berlin, format_datum
from sozialforum.vocab import GremiumArt


def demo_step(run: DemoRun) -> list[str]:
    from sozialforum.flows.konferenz_vorbereiten import konferenz_vorbereiten

    settings = run.settings
    with session_scope(run.engine, actor="demo:konferenz") as session:
        gremium = session.exec(
            select(Gremium).where(Gremium.art == GremiumArt.SOZIALRAUMKONFERENZ).order_by(Gremium.kennung)
        ).first()
        if gremium is None:
            return ["Keine Sozialraumkonferenz in den Stammdaten: Schritt ausgelassen."]
        # The first Tuesday to Thursday after the invitation lead that is neither a holiday nor in
        # the school holidays, as a Geschäftsstelle would choose it.
        first_day = berlin(run.now).date() + timedelta(days=gremium.einladung_vorlauf_tage)
        ferien = kalendertage.schulferien(settings.konferenz)
        for _ in range(90):  # the longest school holidays are shorter
            if (
                first_day.isoweekday() in (2, 3, 4)
                and kalendertage.feiertag(first_day, settings.konferenz.bundesland) is None
                and not any(f.von <= first_day <= f.bis for f in ferien)
            ):
                break
            first_day += timedelta(days=1)
        series = termine.plan_serie(
            session,
            gremium_id=pk(gremium),
            erster_tag=first_day,
            uhrzeit=time(16, 30),
            settings=settings,
            intervall_monate=6,
            anzahl=2,
            ort="Bürgerhaus, großer Saal",
        )
        sitzung_id, gremium_id, uid = series[0].id, gremium.id, series[0].ical_uid
        assert sitzung_id is not None and gremium_id is not None
    lines = [f"Serie geplant: {gremium.name}, 2 Termine (ab {format_datum(series[0].beginn)}, halbjährlich)"]
    packs = konferenz_vorbereiten(konfiguration=run.config, jetzt=run.now, sitzung_ids=[sitzung_id])
    pack = packs[0]
    lines.append(
        f"Einladungspaket: {len(pack['tagesordnung'])} Tagesordnungspunkte, {pack['empfaenger']} Empfänger, "
        f"{len(pack['uebersprungen'])} nicht eingeladen (ohne Einwilligung, abgemeldet, …)"
    )
    with session_scope(run.engine, actor="demo:konferenz") as session:
        invited = session.exec(
            select(Rueckmeldung).where(
                col(Rueckmeldung.sitzung_id) == sitzung_id, col(Rueckmeldung.eingeladen_an).is_not(None)
            )
        ).all()
    if invited:
        answer = antworten.AntwortBericht()
        with session_scope(run.engine, actor="demo:konferenz") as session:
            reply = ical.build_reply(
                uid=uid,
                sequence=0,
                dtstamp=run.now,
                attendee=invited[0].eingeladen_an or "",
                partstat="ACCEPTED",
                organizer=str(settings.mail.absender),
            )
            antworten.process_message(session, reply, herkunft="demo-antwort.ics", now=run.now, report=answer)
        lines.append(f"Kalenderantwort gelesen: {answer.summary()}")
    if len(invited) > 1:
        with session_scope(run.engine, actor="demo:konferenz") as session:
            held = zurueckhalten(
                session, uid=uid, attendee=invited[1].eingeladen_an or "", now=run.now, settings=settings
            )
        lines += [f"Zurückgehalten: {problem.grund}" for problem in held.zurueckgehalten]
        if held.zurueckgehalten:
            lines.append(
                f"Übernehmen oder verwerfen im Arbeitsplatz: /arbeitsplatz/sitzungen/{sitzung_id}#zurueckgehalten"
            )
    with session_scope(run.engine, actor="demo:konferenz") as session:
        moved = aenderung.reschedule(
            session,
            sitzung_id=sitzung_id,
            now=run.now,
            settings=settings,
            ort="Rathaus, Sitzungssaal 2",
            adresse="Marktplatz 1",
        )
    delivery = outbox.deliver_pending(run.engine, settings, now=run.now)
    if moved is not None:
        lines.append(f"Ortswechsel: {moved.neu} Aktualisierungen (gleiche UID, SEQUENCE 1); {delivery.summary()}")
    with session_scope(run.engine, actor="demo:konferenz") as session:
        liste = teilnehmerliste.build(session, sitzung_id=sitzung_id)
        html, xlsx = teilnehmerliste.write(liste, settings.reports_dir / "teilnehmerlisten", now=run.now)
        feed = settings.reports_dir / "kalender" / f"gremium-{gremium_id}.ics"
        feed.parent.mkdir(parents=True, exist_ok=True)
        feed.write_bytes(feeds.gremium_feed(session, gremium_id=gremium_id, now=run.now, settings=settings))
    messages = sorted(settings.outbox_dir.glob("*.eml"))
    lines += [
        f"Teilnehmerliste: {html} und {xlsx}",
        f"Kalender-Feed des Gremiums: {feed}",
        f"Postausgang: {len(messages)} Nachrichten als .eml in {settings.outbox_dir}"
        + (f" (z. B. {messages[0].name})" if messages else ""),
    ]
    return lines
