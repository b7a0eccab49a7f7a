"""Minutes of a Sitzung: status, form, decision, items and files (DOMAIN.md, step 4)."""

from __future__ import annotations

from sozialforum.vocab.basis import Vocab


class ProtokollStatus(Vocab):
    """Where the minutes of one Sitzung stand (DOMAIN.md, step 4). The comment period is not a
    status of its own: it is ``eingereicht`` until ``kommentar_bis``."""

    ANGEFORDERT = "angefordert", "Entwurf angefordert"
    EINGEREICHT = "eingereicht", "Entwurf eingereicht"
    ZURUECKGEGEBEN = "zurueckgegeben", "zur Überarbeitung zurückgegeben"
    FREIGEGEBEN = "freigegeben", "freigegeben"
    VERTEILT = "verteilt", "freigegeben und verteilt"


class ProtokollForm(Vocab):
    STRUKTURIERT = "strukturiert", "Formular je Tagesordnungspunkt"
    DOKUMENT = "dokument", "hochgeladenes Dokument"


class ProtokollEntscheidung(Vocab):
    FREIGEBEN = "freigeben", "freigegeben"
    ZURUECKGEBEN = "zurueckgeben", "zur Überarbeitung zurückgegeben"


class ProtokollPunktArt(Vocab):
    """What a minutes item asks for; both become tracked Aufträge on approval."""

    AUFTRAG = "auftrag", "Auftrag"
    EMPFEHLUNG = "empfehlung", "Empfehlung"


class ProtokollDateiArt(Vocab):
    ENTWURF = "entwurf", "Entwurfsdokument"
    ENDFASSUNG_HTML = "endfassung_html", "Endfassung (HTML)"
    ENDFASSUNG_PDF = "endfassung_pdf", "Endfassung (PDF)"
