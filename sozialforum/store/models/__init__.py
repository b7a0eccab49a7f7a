"""All tables. Importing this module registers every table on ``SQLModel.metadata``.

One module per aggregate; later issues add modules here (and a migration for each).
"""

from sozialforum.store.models.akteure import Organisation, Person
from sozialforum.store.models.arbeitsplatz import Arbeitslauf, FristAenderung
from sozialforum.store.models.audit import AuditEntry
from sozialforum.store.models.berichte import Berichtsausgabe, Handlungsempfehlung
from sozialforum.store.models.beschluesse import (
    Auftrag,
    Beratung,
    Beschluss,
    Beschlusspunkt,
    Umsetzungsbericht,
    Vorlage,
)
from sozialforum.store.models.betrieb import Alarm, ZyklusAktion, ZyklusTag
from sozialforum.store.models.daten import (
    Berechnung,
    Budgetanteil,
    Budgetverteilung,
    Datenfreigabe,
    Ergebnisspalte,
    Vergleichswert,
    Wertespalte,
)
from sozialforum.store.models.fristen import (
    FachplanMeilenstein,
    FristErinnerung,
    KalenderFassung,
    OparlAbruf,
    OparlObjekt,
)
from sozialforum.store.models.gebiete import Gebiet, GebietVorgaenger
from sozialforum.store.models.gremien import Gremium, Mitgliedschaft, Sitzung, Tagesordnungspunkt, TopDokument
from sozialforum.store.models.indikatoren import (
    Datenlieferung,
    Indikator,
    Indikatorwert,
    Plausibilitaetsbefund,
    Tabellenzuordnung,
)
from sozialforum.store.models.karten import GebietGeometrie
from sozialforum.store.models.kommunikation import (
    EmailAenderung,
    GehalteneAntwort,
    OutboxMessage,
    PersonalLink,
    Rueckmeldung,
)
from sozialforum.store.models.oparl import OparlDatei, OparlKlaerung
from sozialforum.store.models.planung import Fachplan, Massnahme
from sozialforum.store.models.portal import (
    Benutzer,
    BenutzerSitzung,
    Fehlversuch,
    FormularAnfrage,
    FormularAntwort,
    FormularAntwortVersion,
    Themenvorschlag,
)
from sozialforum.store.models.protokoll import (
    Protokoll,
    ProtokollDatei,
    ProtokollEintrag,
    ProtokollFreigabe,
    ProtokollKommentar,
    ProtokollPunkt,
    ProtokollVersion,
)
from sozialforum.store.models.strategie import (
    Antragsbewertung,
    Bewertungsrunde,
    Foerderantrag,
    Foerderaufruf,
    Foerderentscheidung,
    Foerderrate,
    Kennzahlwert,
    Projektbericht,
    Projektbewertung,
    ProjektBezug,
    ProjektGebiet,
    ProjektRessource,
    Strategie,
    Strategieelement,
    Verwendungsnachweis,
    Ziel,
)

__all__ = [
    "Alarm",
    "Antragsbewertung",
    "Arbeitslauf",
    "AuditEntry",
    "Auftrag",
    "Benutzer",
    "BenutzerSitzung",
    "Beratung",
    "Berechnung",
    "Berichtsausgabe",
    "Beschluss",
    "Beschlusspunkt",
    "Bewertungsrunde",
    "Budgetanteil",
    "Budgetverteilung",
    "Datenfreigabe",
    "Datenlieferung",
    "EmailAenderung",
    "Ergebnisspalte",
    "Fachplan",
    "FachplanMeilenstein",
    "Fehlversuch",
    "Foerderantrag",
    "Foerderaufruf",
    "Foerderentscheidung",
    "Foerderrate",
    "FormularAnfrage",
    "FormularAntwort",
    "FormularAntwortVersion",
    "FristAenderung",
    "FristErinnerung",
    "Gebiet",
    "GebietGeometrie",
    "GebietVorgaenger",
    "GehalteneAntwort",
    "Gremium",
    "Handlungsempfehlung",
    "Indikator",
    "Indikatorwert",
    "KalenderFassung",
    "Kennzahlwert",
    "Massnahme",
    "Mitgliedschaft",
    "OparlAbruf",
    "OparlDatei",
    "OparlKlaerung",
    "OparlObjekt",
    "Organisation",
    "OutboxMessage",
    "Person",
    "PersonalLink",
    "Plausibilitaetsbefund",
    "ProjektBezug",
    "ProjektGebiet",
    "ProjektRessource",
    "Projektbericht",
    "Projektbewertung",
    "Protokoll",
    "ProtokollDatei",
    "ProtokollEintrag",
    "ProtokollFreigabe",
    "ProtokollKommentar",
    "ProtokollPunkt",
    "ProtokollVersion",
    "Rueckmeldung",
    "Sitzung",
    "Strategie",
    "Strategieelement",
    "Tabellenzuordnung",
    "Tagesordnungspunkt",
    "Themenvorschlag",
    "TopDokument",
    "Umsetzungsbericht",
    "Vergleichswert",
    "Verwendungsnachweis",
    "Vorlage",
    "Wertespalte",
    "Ziel",
    "ZyklusAktion",
    "ZyklusTag",
]
