"""Operations: the daily planning cycle and long work started from the workspace."""

from __future__ import annotations

from sozialforum.vocab.basis import Vocab


class ZyklusArt(Vocab):
    """What the daily planning cycle can find due (DOMAIN.md, the planning cycle, steps 1–6)."""

    DATENAKTUALISIERUNG = "datenaktualisierung", "Datenaktualisierung (neue Quelldateien)"
    PROTOKOLL_VERTEILEN = "protokoll_verteilen", "freigegebenes Protokoll verteilen"
    PROTOKOLL_ANFORDERN = "protokoll_anfordern", "Protokollentwurf anfordern"
    ANTWORTEN_LESEN = "antworten_lesen", "Zu- und Absagen aus dem Postfach lesen"
    KONFERENZ_VORBEREITEN = "konferenz_vorbereiten", "Sozialraumkonferenz vorbereiten"
    EINLADUNGEN_VERSENDEN = "einladungen_versenden", "Einladungen versenden"
    KONFERENZ_ERINNERUNG = "konferenz_erinnerung", "an die Sitzung erinnern"
    PROTOKOLLE_NACHHALTEN = "protokolle_nachhalten", "Protokolle nachhalten"
    FRISTEN_UEBERWACHEN = "fristen_ueberwachen", "Fristen überwachen"
    LEITUNGSBERICHT = "leitungsbericht", "Leitungsbericht über Beschlüsse und Fachpläne"
    BEWERTUNGSRUNDE = "bewertungsrunde", "Bewertungsrunde der Projekte: anfragen, erinnern"


class ZyklusStatus(Vocab):
    """What became of one due action of the planning cycle."""

    LAEUFT = "laeuft", "läuft"
    ERLEDIGT = "erledigt", "erledigt"
    FEHLGESCHLAGEN = "fehlgeschlagen", "fehlgeschlagen"
    UEBERSPRUNGEN = "uebersprungen", "übersprungen (durch eine spätere Stufe ersetzt)"


class LaufZustand(Vocab):
    """Where long work started from the workspace stands (sending, loading, importing)."""

    WARTET = "wartet", "wartet auf den Start"
    LAEUFT = "laeuft", "läuft"
    FERTIG = "fertig", "fertig"
    FEHLER = "fehler", "mit Fehler beendet"

    @property
    def is_closed(self) -> bool:
        return self in (LaufZustand.FERTIG, LaufZustand.FEHLER)
