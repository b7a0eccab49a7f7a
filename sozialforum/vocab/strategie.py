"""Strategy, projects and funding (Lörrach, Ulm and Leipzig seeds)."""

from __future__ import annotations

from sozialforum.vocab.basis import Vocab


class StrategieElementArt(Vocab):
    """The layers of a Sozialstrategie (Lörrach seed)."""

    LEITSATZ = "leitsatz", "Leitsatz"
    AUSRICHTUNG = "ausrichtung", "Strategische Ausrichtung"
    LEITLINIE = "leitlinie", "Leitlinie"
    HANDLUNGSFELD = "handlungsfeld", "Handlungsfeld"


class ZielEbene(Vocab):
    WIRKUNGSZIEL = "wirkungsziel", "Wirkungsziel"
    HANDLUNGSZIEL = "handlungsziel", "Handlungsziel"


class Zielart(Vocab):
    """What a target is set on (Ulm contract): a value, a share, a duration, or a growth rate."""

    WERT = "wert", "Wert"
    ANTEIL = "anteil", "Anteil"
    DAUER = "dauer", "Dauer"
    WACHSTUM = "wachstum", "Wachstum je Jahr"


class Zielrichtung(Vocab):
    HOECHSTENS = "hoechstens", "höchstens"
    MINDESTENS = "mindestens", "mindestens"


class Zielstand(Vocab):
    ERREICHT = "erreicht", "erreicht"
    TOLERANZ = "toleranz", "knapp verfehlt (innerhalb der Toleranz)"
    VERFEHLT = "verfehlt", "verfehlt"
    OHNE_DATEN = "ohne_daten", "keine Daten"


class Trend(Vocab):
    BESSER = "besser", "verbessert"
    GLEICH = "gleich", "unverändert"
    SCHLECHTER = "schlechter", "verschlechtert"
    OHNE = "ohne", "kein Vorjahreswert"


class MassnahmeArt(Vocab):
    """Göttingen seed: time-limited Teilprojekte vs permanent Bausteine; Lörrach/Leipzig: projects."""

    TEILPROJEKT = "teilprojekt", "befristetes Teilprojekt"
    BAUSTEIN = "baustein", "unbefristeter Baustein"
    PROJEKT = "projekt", "Projekt"
    MASSNAHME = "massnahme", "Maßnahme"


class MassnahmeStatus(Vocab):
    """Evaluation status of projects (Lörrach seed)."""

    GEPLANT = "geplant", "geplant"
    LAUFENDES_GESCHAEFT = "laufendes_geschaeft", "laufendes Geschäft"
    WEITERENTWICKLUNG = "weiterentwicklung", "Weiterentwicklung"
    PRUEFAUFTRAG = "pruefauftrag", "Prüfauftrag"
    BEENDET = "beendet", "beendet"
    ABGESCHLOSSEN = "abgeschlossen", "abgeschlossen"


class Urteil(Vocab):
    """Verdicts of an evaluation round (Lörrach seed: "Bewertung der Projekte/Maßnahmen")."""

    LAUFENDES_GESCHAEFT = "laufendes_geschaeft", "laufendes Geschäft"
    PRUEFAUFTRAG = "pruefauftrag", "Prüfauftrag"
    WEITERENTWICKLUNG = "weiterentwicklung", "für Weiterentwicklung relevant"
    FORTSETZEN = "fortsetzen", "fortsetzen"
    BEENDET = "beendet", "beendet"
    ABGESCHLOSSEN = "abgeschlossen", "abgeschlossen"
    NICHT_RELEVANT = "nicht_relevant", "nicht relevant"

    @property
    def folgeauftrag(self) -> bool:
        """Verdicts that leave work to do: they become tracked Aufträge with a deadline."""
        return self in (Urteil.PRUEFAUFTRAG, Urteil.WEITERENTWICKLUNG)


class AntragStatus(Vocab):
    ENTWURF = "entwurf", "Entwurf"
    EINGEREICHT = "eingereicht", "eingereicht"
    BEWILLIGT = "bewilligt", "bewilligt"
    ABGELEHNT = "abgelehnt", "abgelehnt"
    ZURUECKGEZOGEN = "zurueckgezogen", "zurückgezogen"
