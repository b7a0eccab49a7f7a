"""The minutes in the demo Landkreis: which Sitzung, and the draft its Protokollführung writes.

The demo picks the latest held Sitzung of a Gremium that has a Protokollführung; when the store
has none (the demo ran before any meeting took place), it holds one of the Sozialraumkonferenz
Lindenau four weeks before ``now``, with an agenda, RSVPs and check-ins.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from sozialforum.daten.ergebnis import lade_monitor
from sozialforum.daten.geheimhaltung import Empfaenger
from sozialforum.daten.katalog import load_for
from sozialforum.daten.sicht import Sicht
from sozialforum.demo.kalender import sitzungstag
from sozialforum.konferenz.termine import plan_sitzung
from sozialforum.protokoll.anfordern import tagesordnung
from sozialforum.protokoll.eingabe import EintragEingabe, EntwurfEingabe, PunktEingabe
from sozialforum.protokoll.lage import is_held
from sozialforum.protokoll.teilnehmende import protokollfuehrung, teilnehmende
from sozialforum.settings import Settings
from sozialforum.store.models import Gebiet, Gremium, Rueckmeldung, Sitzung, Tagesordnungspunkt
from sozialforum.store.models.base import pk
from sozialforum.timeutil import MONATE, berlin, format_datum_kurz
from sozialforum.vocab import Antwort, AntwortQuelle, SitzungStatus, TopQuelle

DEMO_GREMIUM = "SRK-01"
DEMO_TOPS = (
    ("1", "Begrüßung und Feststellung der Tagesordnung"),
    ("2", "Sozialraumprofil Lindenau: Kinderarmut und SGB-II-Quote"),
    ("3", "Wohnungsnotfallhilfe: Beratungsangebote im Sozialraum"),
    ("4", "Verschiedenes"),
)


def held_sitzung(session: Session, *, now: datetime) -> Sitzung | None:
    """The latest held Sitzung of a Gremium with a Protokollführung."""
    rows = session.scalars(sa.select(Sitzung).where(col(Sitzung.beginn) <= now).order_by(col(Sitzung.beginn).desc()))
    for sitzung in rows:
        if is_held(sitzung, now) and protokollfuehrung(session, sitzung) is not None:
            return sitzung
    return None


def hold_demo_sitzung(session: Session, *, now: datetime, settings: Settings) -> Sitzung:
    """A Sozialraumkonferenz four weeks ago, held, with agenda, RSVPs and check-ins."""
    gremium = session.scalars(sa.select(Gremium).where(col(Gremium.kennung) == DEMO_GREMIUM)).one()
    day = sitzungstag(berlin(now).date() - timedelta(days=28), rueckwaerts=True)
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
        tops = list(DEMO_TOPS)
        if not erste_sitzung(session, sitzung):
            tops.insert(1, ("", "Genehmigung des Protokolls der letzten Sitzung"))
        for order, (_, titel) in enumerate(tops, start=1):
            nummer = str(order)
            session.add(
                Tagesordnungspunkt(
                    sitzung_id=pk(sitzung), reihenfolge=order, nummer=nummer, titel=titel, quelle=TopQuelle.STANDARD
                )
            )
    known = set(
        session.scalars(sa.select(col(Rueckmeldung.person_id)).where(col(Rueckmeldung.sitzung_id) == sitzung.id))
    )
    for index, person in enumerate(teilnehmende(session, sitzung)):
        if person.id in known:
            continue
        present = index % 4 != 3  # every fourth member sent apologies
        session.add(
            Rueckmeldung(
                sitzung_id=pk(sitzung),
                person_id=pk(person),
                antwort=Antwort.ZUSAGE if present else Antwort.ABSAGE,
                quelle=AntwortQuelle.LINK,
                beantwortet_am=now - timedelta(days=35),
                anwesend=True if present else None,
            )
        )
    session.flush()
    return sitzung


def erste_sitzung(session: Session, sitzung: Sitzung) -> bool:
    """No earlier Sitzung of the same Gremium: there are no minutes to approve."""
    earlier = session.scalar(
        sa.select(col(Sitzung.id))
        .where(col(Sitzung.gremium_id) == sitzung.gremium_id, col(Sitzung.beginn) < sitzung.beginn)
        .limit(1)
    )
    return earlier is None


def profilzahlen(session: Session, settings: Settings, schluessel: str) -> str | None:
    """The SGB-II-Quote of the area and the Kreis as the public profile shows them (the figures the
    conference saw), or None when no atlas is computed yet."""
    monitor = lade_monitor(session)
    if monitor is None:
        return None
    katalog = load_for(settings)
    if "sgb2_quote" not in katalog.indikatoren:
        return None
    day = monitor.letzter_stichtag
    bereich = monitor.stand.nach_schluessel(schluessel, day)
    if bereich is None:
        return None
    sicht = Sicht(monitor, katalog, settings.daten, Empfaenger.oeffentlich())
    stand = sicht.stand("sgb2_quote")
    own = sicht.wert("sgb2_quote", stand, bereich.id).text
    kreis = monitor.stand.kreis(stand)
    text = f"SGB-II-Quote {bereich.name} {own}\u00a0%"
    if kreis is not None:
        text += f", {kreis.name} {sicht.wert('sgb2_quote', stand, kreis.id).text}\u00a0%"
    return f"{text} (Stichtag {format_datum_kurz(stand)})."


def _gebiet(session: Session, sitzung: Sitzung) -> tuple[str, str | None]:
    """Short name for the prose ("Lindenau", not "Sozialraum Lindenau") and the area's key."""
    gremium = session.get(Gremium, sitzung.gremium_id)
    gebiet = session.get(Gebiet, gremium.gebiet_id) if gremium and gremium.gebiet_id else None
    if gebiet is None:
        return "Lindenau", None
    return gebiet.name.removeprefix("Sozialraum ").strip(), gebiet.schluessel


def _text_for(title: str, *, first: bool, gebiet: str, zahlen: str | None, revision: bool) -> tuple[str, str] | None:
    """Discussion and result for a TOP, chosen by what the TOP is about (not by its position:
    the standing items of the agenda come first, generated ones between them)."""
    lowered = title.lower()
    if "begrüßung" in lowered or "feststellung der tagesordnung" in lowered:
        return (
            "Die Vorsitzende begrüßt die Anwesenden und stellt die Beschlussfähigkeit fest.",
            "Die Tagesordnung wird ohne Änderungen festgestellt.",
        )
    if "protokoll" in lowered:
        if first:
            return ("Erste Sitzung des Gremiums: ein Protokoll einer früheren Sitzung liegt nicht vor.", "Entfällt.")
        return (
            "Zum Protokoll der letzten Sitzung gibt es keine Anmerkungen.",
            "Protokoll der letzten Sitzung genehmigt.",
        )
    if "profil" in lowered:
        figures = f" {zahlen}" if revision and zahlen else ""
        return (
            f"Die Geschäftsstelle stellt das Sozialraumprofil {gebiet} vor.{figures}",
            f"Die Konferenz empfiehlt, ein Familienzentrum in {gebiet} zu prüfen.",
        )
    if "wohnung" in lowered:
        return (
            "Die Beratungsstelle berichtet von steigenden Fallzahlen bei drohender Wohnungslosigkeit.",
            "Die Träger stimmen ihre Sprechzeiten ab.",
        )
    if "verschiedenes" in lowered:
        return ("Keine weiteren Wortmeldungen.", "")
    return None


def demo_draft(
    session: Session, sitzung: Sitzung, *, submitted: datetime, revision: bool, settings: Settings | None = None
) -> EntwurfEingabe:
    """The Protokollführung's draft; the revision adds the figures the Geschäftsstelle asked for
    (the profile's own figures, read from the atlas the conference saw)."""
    tops = tagesordnung(session, sitzung)
    people = teilnehmende(session, sitzung)
    writer = protokollfuehrung(session, sitzung)
    # The form offers only people who may be contacted (verantwortliche_auswahl).
    reachable = [p for p in people if p.contactable] or people
    owner = next((p for p in reachable if writer is None or p.id != writer.id), reachable[0])
    gebiet, schluessel = _gebiet(session, sitzung)
    zahlen = profilzahlen(session, settings, schluessel) if settings and schluessel and revision else None
    first = erste_sitzung(session, sitzung)
    entries = []
    for top in tops:
        text = _text_for(top.titel, first=first, gebiet=gebiet, zahlen=zahlen, revision=revision)
        if text is not None:
            entries.append(EintragEingabe(top.id, diskussion=text[0], ergebnis=text[1]))
    profil_top = next((t.id for t in tops if "profil" in t.titel.lower()), None)
    wohnung_top = next((t.id for t in tops if "wohnung" in t.titel.lower()), None)
    due = berlin(submitted).date()
    items = (
        PunktEingabe(
            "auftrag",
            f"Bedarfsanalyse Familienzentrum {gebiet} vorlegen",
            f"person:{owner.id}",
            format_datum_kurz(due + timedelta(days=120)),
            profil_top,
        ),
        PunktEingabe(
            "auftrag",
            "Sprechzeiten der Wohnungsnotfallberatung abstimmen und veröffentlichen",
            f"organisation:{owner.organisation_id}" if owner.organisation_id else f"person:{owner.id}",
            format_datum_kurz(due + timedelta(days=60)),
            wohnung_top,
        ),
        PunktEingabe(
            "empfehlung",
            "Streetwork im Sozialraum ausbauen (an den Jugendhilfeausschuss)",
            f"person:{owner.id}",
            format_datum_kurz(due + timedelta(days=180)),
        ),
    )
    # Began five minutes late and ended ten minutes early, as the Protokollführung noted.
    beginn, ende = berlin(sitzung.beginn) + timedelta(minutes=5), berlin(sitzung.ende) - timedelta(minutes=10)
    return EntwurfEingabe(eintraege=tuple(entries), punkte=items, beginn=f"{beginn:%H:%M}", ende=f"{ende:%H:%M}")
