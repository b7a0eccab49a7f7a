"""Controlled vocabularies of the domain.

Stored values are ASCII slugs; ``.label`` is the German text shown to users. Each vocabulary
names where its terms come from (DOMAIN.md, the seeds, the statute).

One module per topic; every vocabulary is importable from here.
"""

from sozialforum.vocab.akteure import (
    AuditAktion,
    BenutzerQuelle,
    BenutzerRolle,
    GebietEbene,
    GremiumArt,
    MitgliedRolle,
    OrganisationArt,
    Rechtsgrundlage,
    SitzungEnde,
)
from sozialforum.vocab.basis import Vocab
from sozialforum.vocab.beschluesse import (
    Ampel,
    AuftragQuelle,
    AuftragStatus,
    BeratungErgebnis,
    BeratungRolle,
    ErinnerungArt,
    FachplanArt,
    FristArt,
    KlaerungArt,
    VorlageArt,
)
from sozialforum.vocab.betrieb import LaufZustand, ZyklusArt, ZyklusStatus
from sozialforum.vocab.konferenz import Antwort, AntwortQuelle, Beduerfnis, SitzungStatus, TopQuelle, VorschlagStatus
from sozialforum.vocab.nachrichten import LinkZweck, NachrichtArt, OutboxStatus
from sozialforum.vocab.protokoll import (
    ProtokollDateiArt,
    ProtokollEntscheidung,
    ProtokollForm,
    ProtokollPunktArt,
    ProtokollStatus,
)
from sozialforum.vocab.strategie import (
    AntragStatus,
    MassnahmeArt,
    MassnahmeStatus,
    StrategieElementArt,
    Trend,
    Urteil,
    Zielart,
    ZielEbene,
    Zielrichtung,
    Zielstand,
)

__all__ = [
    "Ampel",
    "AntragStatus",
    "Antwort",
    "AntwortQuelle",
    "AuditAktion",
    "AuftragQuelle",
    "AuftragStatus",
    "Beduerfnis",
    "BenutzerQuelle",
    "BenutzerRolle",
    "BeratungErgebnis",
    "BeratungRolle",
    "ErinnerungArt",
    "FachplanArt",
    "FristArt",
    "GebietEbene",
    "GremiumArt",
    "KlaerungArt",
    "LaufZustand",
    "LinkZweck",
    "MassnahmeArt",
    "MassnahmeStatus",
    "MitgliedRolle",
    "NachrichtArt",
    "OrganisationArt",
    "OutboxStatus",
    "ProtokollDateiArt",
    "ProtokollEntscheidung",
    "ProtokollForm",
    "ProtokollPunktArt",
    "ProtokollStatus",
    "Rechtsgrundlage",
    "SitzungEnde",
    "SitzungStatus",
    "StrategieElementArt",
    "TopQuelle",
    "Trend",
    "Urteil",
    "Vocab",
    "VorlageArt",
    "VorschlagStatus",
    "ZielEbene",
    "Zielart",
    "Zielrichtung",
    "Zielstand",
    "ZyklusArt",
    "ZyklusStatus",
]
