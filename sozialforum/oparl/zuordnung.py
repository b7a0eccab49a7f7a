"""How OParl's free-text categories map onto our vocabularies.

OParl leaves ``organizationType``, ``classification``, ``role``, ``paperType`` and ``result``
as free text; SessionNet, ALLRIS and others fill them differently. The rules below cover the
wordings seen in practice; anything else falls back to a neutral value (never an error).
"""

from __future__ import annotations

import re

from sozialforum.vocab import BeratungErgebnis, BeratungRolle, GremiumArt, MitgliedRolle, OrganisationArt, VorlageArt

_GREMIUM_NAME = re.compile(
    r"ausschuss|rat\b|rat |versammlung|kreistag|beirat|konferenz|kommission|"
    r"forum|gremium|arbeitsgruppe|arbeitskreis|\bag\b|steuerung",
    re.IGNORECASE,
)


def organisation_kind(
    organization_type: str | None, classification: str | None, name: str, has_meetings: bool
) -> GremiumArt | OrganisationArt:
    """A Gremium (a body that meets) or an Organisation (Fraktion, Amt, …)."""
    kind = (organization_type or "").casefold()
    label = f"{classification or ''} {name}".casefold()
    if "fraktion" in kind or "fraktion" in label:
        return OrganisationArt.FRAKTION
    if "partei" in kind:
        return OrganisationArt.SONSTIGE
    if "verwaltung" in kind or "institution" in kind:
        return OrganisationArt.AMT
    if "gremium" in kind or has_meetings or _GREMIUM_NAME.search(label):
        return gremium_art(classification, name)
    return OrganisationArt.AMT


def gremium_art(classification: str | None, name: str) -> GremiumArt:
    text = f"{classification or ''} {name}".casefold()
    if re.search(r"kreistag|stadtrat|gemeinderat|ratsversammlung|stadtverordneten|bürgerschaft", text):
        return GremiumArt.KREISTAG
    if "ausschuss" in text:
        return GremiumArt.AUSSCHUSS
    if "steuerung" in text:
        return GremiumArt.STEUERUNGSGRUPPE
    if "sozialraumkonferenz" in text:
        return GremiumArt.SOZIALRAUMKONFERENZ
    return GremiumArt.FACHGREMIUM


def mitglied_rolle(role: str | None) -> MitgliedRolle:
    text = (role or "").casefold()
    if "stellv" in text or "vertret" in text:
        return MitgliedRolle.STELLVERTRETUNG
    if "vorsitz" in text or "vorsitzende" in text:
        return MitgliedRolle.VORSITZ
    if "schrift" in text or "protokoll" in text:
        return MitgliedRolle.PROTOKOLLFUEHRUNG
    if "beratend" in text or "gast" in text or "sachkundig" in text:
        return MitgliedRolle.GAST
    return MitgliedRolle.MITGLIED


def vorlage_art(paper_type: str | None) -> VorlageArt:
    text = (paper_type or "").casefold()
    if "standpunkt" in text or "stellungnahme" in text:
        return VorlageArt.VERWALTUNGSSTANDPUNKT
    if "anfrage" in text or "beantwortung" in text:
        return VorlageArt.ANFRAGE
    if "antrag" in text:
        return VorlageArt.ANTRAG
    if "information" in text or "mitteilung" in text or "bericht" in text:
        return VorlageArt.INFORMATIONSVORLAGE
    return VorlageArt.VERWALTUNGSVORLAGE


def beratung_rolle(role: str | None) -> BeratungRolle:
    text = (role or "").casefold()
    if "entscheid" in text or "beschluss" in text:
        return BeratungRolle.ENTSCHEIDUNG
    if "kenntnis" in text:
        return BeratungRolle.KENNTNISNAHME
    return BeratungRolle.VORBERATUNG


def ergebnis(result: str | None) -> BeratungErgebnis:
    """The result of an agenda item ("einstimmig zugestimmt", "Geändert beschlossen", …)."""
    text = (result or "").casefold()
    if not text:
        return BeratungErgebnis.OFFEN
    if "abgelehnt" in text or "nicht zugestimmt" in text:
        return BeratungErgebnis.ABGELEHNT
    if re.search(r"vertagt|verwiesen|zurückgestellt|zurückgezogen|abgesetzt|nicht behandelt", text):
        return BeratungErgebnis.VERTAGT
    if "kenntnis" in text:
        return BeratungErgebnis.ZUR_KENNTNIS
    if "empfohlen" in text or "empfehlung" in text:
        return BeratungErgebnis.EMPFOHLEN
    if re.search(r"geändert|mit änderung|ergänz", text):
        return BeratungErgebnis.GEAENDERT_BESCHLOSSEN
    if re.search(r"beschlossen|zugestimmt|angenommen|einstimmig|mehrheitlich|genehmigt", text):
        return BeratungErgebnis.BESCHLOSSEN
    return BeratungErgebnis.OFFEN
