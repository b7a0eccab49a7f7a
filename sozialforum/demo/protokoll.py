"""The minutes in the demo Landkreis: which Sitzung, and the draft its Protokollführung writes.

The demo picks the latest held Sitzung of a Gremium that has a Protokollführung; when the store
has none (the demo ran before any meeting took place), it holds one of the Sozialraumkonferenz
Lindenau four weeks before ``now``, with an agenda, RSVPs and check-ins.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sozialforum.konferenz.termine import plan_sitzung
from sozialforum.protokoll.anfordern import tagesordnung
from sozialforum.protokoll.eingabe import EintragEingabe, EntwurfEingabe, PunktEingabe
from sozialforum.protokoll.lage import is_held
from sozialforum.protokoll.teilnehmende import protokollfuehrung, teilnehmende
from sozialforum.settings import Settings
from sozialforum.store.models import Gremium, Rueckmeldung, Sitzung, Tagesordnungspunkt
from sozialforum.timeutil import MONATE, berlin, format_datum_kurz
from sozialforum.vocab import Antwort, AntwortQuelle, SitzungStatus, TopQuelle

DEMO_GREMIUM = "SRK-01"
DEMO_TOPS = (
    ("1", "Begrüßung, Tagesordnung und Protokoll der letzten Sitzung"),
    ("2", "Sozialraumprofil Lindenau 2025: Kinderarmut und SGB-II-Quote"),
    ("3", "Wohnungsnotfallhilfe: Beratungsangebote im Sozialraum"),
    ("4", "Verschiedenes"),
)


def held_sitzung(session: Session, *, now: datetime) -> Sitzung | None:
    """The latest held Sitzung of a Gremium with a Protokollführung."""
    rows = session.scalars(sa.select(Sitzung).where(Sitzung.beginn <= now).order_by(Sitzung.beginn.desc()))
    for sitzung in rows:
        if is_held(sitzung, now) and protokollfuehrung(session, sitzung) is not None:
            return sitzung
    return None


def hold_demo_sitzung(session: Session, *, now: datetime, settings: Settings) -> Sitzung:
    """A Sozialraumkonferenz four weeks ago, held, with agenda, RSVPs and check-ins."""
    gremium = session.scalars(sa.select(Gremium).where(Gremium.kennung == DEMO_GREMIUM)).one()  # type: ignore[arg-type]
    day = berlin(now).date() - timedelta(days=28)
    sitzung = plan_sitzung(
        session,
        gremium_id=gremium.id or 0,
        tag=day,
        uhrzeit=time(17, 0),
        settings=settings,
        titel=f"{gremium.name}, Sitzung im {MONATE[day.month - 1]} {day.year}",
        ort="Familienzentrum Lindenau",
    )
    sitzung.status = SitzungStatus.DURCHGEFUEHRT
    session.add(sitzung)
    if not tagesordnung(session, sitzung):
        for order, (nummer, titel) in enumerate(DEMO_TOPS, start=1):
            session.add(
                Tagesordnungspunkt(
                    sitzung_id=sitzung.id, reihenfolge=order, nummer=nummer, titel=titel, quelle=TopQuelle.STANDARD
                )
            )
    known = set(session.scalars(sa.select(Rueckmeldung.person_id).where(Rueckmeldung.sitzung_id == sitzung.id)))
    for index, person in enumerate(teilnehmende(session, sitzung)):
        if person.id in known:
            continue
        present = index % 4 != 3  # every fourth member sent apologies
        session.add(
            Rueckmeldung(
                sitzung_id=sitzung.id,
                person_id=person.id,
                antwort=Antwort.ZUSAGE if present else Antwort.ABSAGE,
                quelle=AntwortQuelle.LINK,
                beantwortet_am=now - timedelta(days=35),
                anwesend=True if present else None,
            )
        )
    session.flush()
    return sitzung


def demo_draft(session: Session, sitzung: Sitzung, *, submitted: datetime, revision: bool) -> EntwurfEingabe:
    """The Protokollführung's draft; the revision adds the figures the Geschäftsstelle asked for."""
    tops = tagesordnung(session, sitzung)
    people = teilnehmende(session, sitzung)
    writer = protokollfuehrung(session, sitzung)
    owner = next((p for p in people if writer is None or p.id != writer.id), people[0])
    texts = [
        (
            "Die Vorsitzende begrüßt die Anwesenden; Tagesordnung und Protokoll werden ohne Änderungen angenommen.",
            "Protokoll der letzten Sitzung genehmigt.",
        ),
        (
            "Die Geschäftsstelle stellt das Sozialraumprofil vor. Die Kinderarmut liegt über dem "
            "Kreisdurchschnitt."
            + (" SGB-II-Quote Lindenau 12,4 %, Kreis 8,1 % (Stichtag 31.12.2024)." if revision else ""),
            "Die Konferenz empfiehlt, ein Familienzentrum im Sozialraum zu prüfen.",
        ),
        (
            "Die Beratungsstelle berichtet von steigenden Fallzahlen bei drohender Wohnungslosigkeit.",
            "Die Träger stimmen ihre Sprechzeiten ab.",
        ),
    ]
    entries = tuple(
        EintragEingabe(top.id, diskussion=text, ergebnis=result)
        for top, (text, result) in zip(tops, texts, strict=False)
    )
    due = berlin(submitted).date()
    items = (
        PunktEingabe(
            "auftrag",
            "Bedarfsanalyse Familienzentrum Lindenau vorlegen",
            f"person:{owner.id}",
            format_datum_kurz(due + timedelta(days=120)),
            tops[1].id if len(tops) > 1 else None,
        ),
        PunktEingabe(
            "auftrag",
            "Sprechzeiten der Wohnungsnotfallberatung abstimmen und veröffentlichen",
            f"organisation:{owner.organisation_id}" if owner.organisation_id else f"person:{owner.id}",
            format_datum_kurz(due + timedelta(days=60)),
            tops[2].id if len(tops) > 2 else None,
        ),
        PunktEingabe(
            "empfehlung",
            "Streetwork im Sozialraum ausbauen (Empfehlung an den Jugendhilfeausschuss)",
            f"person:{owner.id}",
            format_datum_kurz(due + timedelta(days=180)),
        ),
    )
    return EntwurfEingabe(eintraege=entries, punkte=items)
