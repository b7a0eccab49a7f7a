"""What the Übersicht shows: the week's work and what is late, read from the same bookkeeping
the daily ``planungszyklus`` uses (deadlines from ``fristen.quellen``, cycle actions from
``zyklus_aktion``, deliveries from the outbox)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.beschluesse.stand import ampel_frist
from sozialforum.fristen.datum import today_in_berlin
from sozialforum.fristen.konfiguration import MeilensteinKonfiguration
from sozialforum.fristen.quellen import Auswahl, Frist, collect_fristen
from sozialforum.store.models import (
    Arbeitslauf,
    Auftrag,
    Berechnung,
    Datenlieferung,
    Fachplan,
    Gebiet,
    GehalteneAntwort,
    Gremium,
    Mitgliedschaft,
    Organisation,
    OutboxMessage,
    Person,
    Protokoll,
    Rueckmeldung,
    Sitzung,
    Themenvorschlag,
    ZyklusAktion,
)
from sozialforum.vocab import (
    Ampel,
    Antwort,
    AuftragStatus,
    OutboxStatus,
    ProtokollStatus,
    VorschlagStatus,
    ZyklusStatus,
)

WOCHEN = 6
CLOSED = [s.value for s in AuftragStatus if s.is_closed]
MAX_ZEILEN = 50


@dataclass(frozen=True)
class SitzungZeile:
    id: int
    titel: str
    gremium: str
    beginn: datetime
    antworten: Counter[str]
    # Topic proposals of Träger still waiting for the Geschäftsstelle's decision.
    vorschlaege: int = 0
    # Calendar replies held because their sender is not proven, waiting for the same.
    zurueckgehalten: int = 0


@dataclass(frozen=True)
class FristZeile:
    frist: Frist
    ampel: Ampel


@dataclass
class Uebersicht:
    heute: date
    sitzungen: list[SitzungZeile] = field(default_factory=list)
    protokolle: list[tuple[Protokoll, str]] = field(default_factory=list)
    fristen: list[FristZeile] = field(default_factory=list)
    fristen_gesamt: Counter[Ampel] = field(default_factory=Counter)
    datenlieferung: Datenlieferung | None = None
    berechnung: Berechnung | None = None
    zustellprobleme: list[OutboxMessage] = field(default_factory=list)
    zustellprobleme_anzahl: int = 0
    laeufe: list[ZyklusAktion] = field(default_factory=list)
    arbeiten: list[Arbeitslauf] = field(default_factory=list)


def sitzungen_demnaechst(session: Session, *, now: datetime, wochen: int = WOCHEN) -> list[SitzungZeile]:
    """Sitzungen from today for ``wochen`` weeks with answer counts (one grouped query)."""
    rows = session.execute(
        sa.select(col(Sitzung.id), col(Sitzung.titel), col(Gremium.name), col(Sitzung.beginn))
        .join(Gremium, col(Gremium.id) == col(Sitzung.gremium_id))
        .where(col(Sitzung.beginn) >= now - timedelta(hours=12), col(Sitzung.beginn) < now + timedelta(weeks=wochen))
        .order_by(col(Sitzung.beginn))
        .limit(MAX_ZEILEN)
    ).all()
    ids = [row[0] for row in rows]
    counts: dict[int, Counter[str]] = {i: Counter() for i in ids}
    if ids:
        for sitzung_id, antwort, anzahl in session.execute(
            sa.select(col(Rueckmeldung.sitzung_id), col(Rueckmeldung.antwort), sa.func.count())
            .where(col(Rueckmeldung.sitzung_id).in_(ids))
            .group_by(col(Rueckmeldung.sitzung_id), col(Rueckmeldung.antwort))
        ).all():
            counts[sitzung_id][str(antwort)] = anzahl
    vorschlaege: dict[int, int] = {}
    if ids:
        rows_vorschlaege = session.execute(
            sa.select(col(Themenvorschlag.sitzung_id), sa.func.count())
            .where(col(Themenvorschlag.sitzung_id).in_(ids), col(Themenvorschlag.status) == VorschlagStatus.EINGEREICHT)
            .group_by(col(Themenvorschlag.sitzung_id))
        ).all()
        vorschlaege = {sitzung_id: anzahl for sitzung_id, anzahl in rows_vorschlaege}
    gehalten: dict[int, int] = {}
    if ids:
        rows_gehalten = session.execute(
            sa.select(col(GehalteneAntwort.sitzung_id), sa.func.count())
            .where(col(GehalteneAntwort.sitzung_id).in_(ids), col(GehalteneAntwort.erledigt_am).is_(None))
            .group_by(col(GehalteneAntwort.sitzung_id))
        ).all()
        gehalten = {sitzung_id: anzahl for sitzung_id, anzahl in rows_gehalten}
    return [
        SitzungZeile(i, titel, gremium, beginn, counts[i], vorschlaege.get(i, 0), gehalten.get(i, 0))
        for i, titel, gremium, beginn in rows
    ]


def protokolle_offen(session: Session) -> list[tuple[Protokoll, str]]:
    """Minutes waiting for a decision of the Geschäftsstelle (a draft is in), with the Sitzung."""
    rows = session.execute(
        sa.select(Protokoll, col(Sitzung.titel))
        .join(Sitzung, col(Sitzung.id) == col(Protokoll.sitzung_id))
        .where(col(Protokoll.status) == ProtokollStatus.EINGEREICHT)
        .order_by(col(Sitzung.beginn))
        .limit(MAX_ZEILEN)
    ).all()
    return [(row[0], row[1]) for row in rows]


@dataclass(frozen=True)
class Schritt:
    titel: str
    hilfe: str
    link: str
    erledigt: bool
    # A second way for the lists a planner may also type in one by one (no file at hand yet).
    einzeln: str | None = None


def erste_schritte(session: Session) -> list[Schritt]:
    """What a new Geschäftsstelle sets up before the cycle can run, in the order the lists refer
    to each other; the Übersicht shows it until every step has something in the store."""

    # One round trip for all eight tables: the Übersicht is the page every login opens.
    tabellen = (Gebiet, Organisation, Person, Gremium, Mitgliedschaft, Fachplan, Sitzung, Datenlieferung)
    gefuellt: dict[type, bool] = dict(
        zip(
            tabellen,
            session.execute(sa.select(*(sa.exists(sa.select(sa.literal(1)).select_from(t)) for t in tabellen))).one(),
            strict=True,
        )
    )

    def da(*models: type) -> bool:
        return all(gefuellt[m] for m in models)

    hochladen = "/arbeitsplatz/akteure?art={}#hochladen"
    return [
        Schritt(
            "Gebiete hochladen",
            "Kreis, Sozialräume und Gemeinden mit ihrer Zuordnung – die Grundlage für Daten, Gremien und Berichte.",
            hochladen.format("gebiete"),
            da(Gebiet),
        ),
        Schritt(
            "Träger und Ämter hochladen",
            "Die Organisationen, die eingeladen werden und berichten.",
            hochladen.format("organisationen"),
            da(Organisation),
            "/arbeitsplatz/akteure/organisationen/neu",
        ),
        Schritt(
            "Personen hochladen",
            "Ansprechpersonen mit E-Mail und der Rechtsgrundlage, sie anzuschreiben (DSGVO).",
            hochladen.format("personen"),
            da(Person),
            "/arbeitsplatz/akteure/personen/neu",
        ),
        Schritt(
            "Gremien und Mitgliedschaften hochladen",
            "Sozialraumkonferenzen, AG Sozialplanung, Ausschuss – und wer ihnen angehört.",
            hochladen.format("gremien"),
            da(Gremium, Mitgliedschaft),
            "/arbeitsplatz/akteure/gremien/neu",
        ),
        Schritt(
            "Fachpläne anlegen",
            "Jugendhilfe-, Pflege-, Teilhabeplan … mit dem Termin ihrer Fortschreibung.",
            "/arbeitsplatz/fachplaene/neu",
            da(Fachplan),
        ),
        Schritt(
            "Erste Sitzung planen",
            "Termin, Ort und Einladungstag eines Gremiums.",
            "/arbeitsplatz/sitzungen/neu",
            da(Sitzung),
        ),
        Schritt(
            "Erste Datenlieferung laden",
            "Eine Statistikdatei (GENESIS, BA oder eigene Tabelle) für Sozialstrukturatlas und Monitoring.",
            "/arbeitsplatz/daten",
            da(Datenlieferung),
        ),
    ]


def build(session: Session, *, now: datetime, meilensteine: MeilensteinKonfiguration, bald_tage: int) -> Uebersicht:
    heute = today_in_berlin(now)
    result = Uebersicht(heute=heute)
    result.sitzungen = sitzungen_demnaechst(session, now=now)
    result.protokolle = protokolle_offen(session)
    horizont = heute + timedelta(days=bald_tage)
    # Aufträge are the many (tens of thousands in a city): counted in SQL, and only the first
    # rows read in full; plans and reviews (the few) come from the same source functions whole.
    offen = sa.and_(
        col(Auftrag.frist).is_not(None),
        col(Auftrag.frist) <= horizont,
        col(Auftrag.status).not_in(CLOSED),
    )
    # One pass over the (frist, status) index for both figures.
    spaet = sa.case((col(Auftrag.frist) < heute, 1), else_=0)
    alle, ueberfaellig = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(spaet), 0)).where(offen)
    ).one()
    erste = session.scalars(
        sa.select(col(Auftrag.id)).where(offen).order_by(col(Auftrag.frist), col(Auftrag.id)).limit(MAX_ZEILEN)
    ).all()
    fristen = collect_fristen(
        session,
        meilensteine=meilensteine,
        # Only the Aufträge here: plans and reviews come once, from the call below.
        auswahl=Auswahl(
            bis=horizont, auftrag_ids=[i for i in erste if i is not None], fachplan_ids=(), massnahme_ids=()
        ),
    )
    fristen += collect_fristen(session, meilensteine=meilensteine, auswahl=Auswahl(bis=horizont, auftrag_ids=()))
    fristen.sort(key=lambda f: (f.faellig_am, f.ref))
    zeilen = [FristZeile(f, ampel_frist(f, heute, bald_tage)) for f in fristen]
    andere = Counter(z.ampel for z in zeilen if not z.frist.ref.startswith("auftrag:"))
    result.fristen_gesamt = andere + Counter(
        {Ampel.UEBERFAELLIG: ueberfaellig, Ampel.BALD_FAELLIG: alle - ueberfaellig}
    )
    result.fristen = zeilen[:MAX_ZEILEN]
    result.datenlieferung = session.scalars(
        sa.select(Datenlieferung).order_by(col(Datenlieferung.geladen_am).desc()).limit(1)
    ).first()
    result.berechnung = session.scalars(
        sa.select(Berechnung).order_by(col(Berechnung.berechnet_am).desc()).limit(1)
    ).first()
    problem = col(OutboxMessage.status).in_((OutboxStatus.FAILED, OutboxStatus.BOUNCED, OutboxStatus.UNCERTAIN))
    result.zustellprobleme_anzahl = session.scalar(sa.select(sa.func.count()).where(problem)) or 0
    result.zustellprobleme = list(
        session.scalars(
            sa.select(OutboxMessage).where(problem).order_by(col(OutboxMessage.erstellt_am).desc()).limit(10)
        )
    )
    result.laeufe = list(
        session.scalars(
            sa.select(ZyklusAktion)
            .where(
                col(ZyklusAktion.status).in_((ZyklusStatus.LAEUFT, ZyklusStatus.FEHLGESCHLAGEN)),
                col(ZyklusAktion.begonnen_am) >= now - timedelta(days=14),
            )
            .order_by(col(ZyklusAktion.begonnen_am).desc())
            .limit(20)
        )
    )
    # Work started from the workspace that runs, waits or failed in the last two weeks.
    result.arbeiten = list(
        session.scalars(
            sa.select(Arbeitslauf)
            .where(
                col(Arbeitslauf.zustand).in_(("wartet", "laeuft", "fehler")),
                col(Arbeitslauf.gestartet_am) >= now - timedelta(days=14),
            )
            .order_by(col(Arbeitslauf.gestartet_am).desc())
            .limit(20)
        )
    )
    return result


ANTWORTEN = (Antwort.ZUSAGE, Antwort.VIELLEICHT, Antwort.ABSAGE, Antwort.OFFEN)
