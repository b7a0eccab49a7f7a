"""Sitzungen: their status, agenda items, answers, topic proposals and attendees' needs."""

from __future__ import annotations

from sozialforum.vocab.basis import Vocab


class SitzungStatus(Vocab):
    GEPLANT = "geplant", "geplant"
    EINGELADEN = "eingeladen", "eingeladen"
    DURCHGEFUEHRT = "durchgefuehrt", "durchgeführt"
    ABGESAGT = "abgesagt", "abgesagt"


class TopQuelle(Vocab):
    """Where an agenda item came from."""

    STANDARD = "standard", "ständiger Punkt"
    VORSCHLAG = "vorschlag", "Themenvorschlag"
    AUFTRAG = "auftrag", "offener Auftrag"
    MASSNAHME = "massnahme", "Maßnahme"
    GESCHAEFTSSTELLE = "geschaeftsstelle", "Geschäftsstelle"


class Antwort(Vocab):
    """RSVP answers; the iTIP PARTSTAT values map onto them (RFC 5545 §3.2.12)."""

    OFFEN = "offen", "noch keine Antwort"
    ZUSAGE = "zusage", "Zusage"
    ABSAGE = "absage", "Absage"
    VIELLEICHT = "vielleicht", "vielleicht"
    DELEGIERT = "delegiert", "Vertretung benannt"


class AntwortQuelle(Vocab):
    LINK = "link", "persönlicher Link"
    KALENDER = "kalender", "Kalenderantwort"
    GESCHAEFTSSTELLE = "geschaeftsstelle", "Geschäftsstelle"


class VorschlagStatus(Vocab):
    """What became of a Träger's topic proposal for an agenda (portal)."""

    EINGEREICHT = "eingereicht", "eingereicht"
    UEBERNOMMEN = "uebernommen", "in die Tagesordnung übernommen"
    ABGELEHNT = "abgelehnt", "nicht übernommen"
    ZURUECKGEZOGEN = "zurueckgezogen", "zurückgezogen"


class Beduerfnis(Vocab):
    """Needs an attendee can state with the RSVP, so the venue and support can be arranged."""

    STUFENLOS = "stufenlos", "stufenloser Zugang (Rollstuhl, Rollator)"
    GEBAERDENSPRACHE = "gebaerdensprache", "Gebärdensprachdolmetschung"
    HOERANLAGE = "hoeranlage", "Höranlage oder Induktionsschleife"
    DOLMETSCHUNG = "dolmetschung", "Dolmetschung in eine andere Sprache (bitte im Kommentar nennen)"
    LEICHTE_SPRACHE = "leichte_sprache", "Unterlagen in Leichter Sprache"
    GROSSDRUCK = "grossdruck", "Unterlagen in Großdruck"
    KINDERBETREUUNG = "kinderbetreuung", "Kinderbetreuung während der Sitzung"
