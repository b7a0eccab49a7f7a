"""How OParl's free-text categories map onto our vocabularies.

OParl leaves ``organizationType``, ``classification``, ``role``, ``paperType`` and ``result``
as free text; SessionNet, ALLRIS and others fill them differently. The rules below cover the
wordings seen in practice; anything else falls back to a neutral value (never an error).
"""

from __future__ import annotations

import functools
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


_JA = re.compile(r"(\d+)\s*(?:ja-?stimmen|ja\b|dafür|für)|(?:ja|dafür)\s*[:=]?\s*(\d+)")
_NEIN = re.compile(r"(\d+)\s*(?:nein-?stimmen|nein\b|dagegen|gegen)|(?:nein|dagegen)\s*[:=]?\s*(\d+)")
_COLONS = re.compile(r"\b(\d+)\s*:\s*(\d+)(?:\s*:\s*(\d+))?\b")


def _votes(text: str) -> tuple[int, int] | None:
    """(yes, no) from "13 Ja-Stimmen, 2 Nein-Stimmen, 1 Enthaltung", "Ja: 13 Nein: 2", "13:2:1"."""
    ja, nein = _JA.search(text), _NEIN.search(text)
    if ja and nein:
        return int(ja.group(1) or ja.group(2)), int(nein.group(1) or nein.group(2))
    colons = _COLONS.search(text)
    if colons and ("stimm" in text or "abstimmung" in text or colons.group(3)):
        return int(colons.group(1)), int(colons.group(2))
    return None


@functools.lru_cache(maxsize=4096)  # the same wordings recur on thousands of agenda items
def ergebnis_lesen(result: str | None) -> tuple[BeratungErgebnis, bool]:
    """The result and whether it is unambiguous; vote counts are read ("13 Ja-Stimmen, 2
    Nein-Stimmen": passed; a tie or more noes: rejected). Text that says nothing we know, or
    contradicts itself, is ``offen`` and not unambiguous — for the Geschäftsstelle to decide."""
    text = " ".join((result or "").casefold().split())
    if not text:
        return BeratungErgebnis.OFFEN, True
    found = ergebnis(text)
    votes = _votes(text)
    if votes is not None:
        passed = votes[0] > votes[1]
        changed = found is BeratungErgebnis.GEAENDERT_BESCHLOSSEN
        by_votes = (
            (BeratungErgebnis.GEAENDERT_BESCHLOSSEN if changed else BeratungErgebnis.BESCHLOSSEN)
            if passed
            else BeratungErgebnis.ABGELEHNT
        )
        if found not in (BeratungErgebnis.OFFEN, by_votes) and not (passed and found is BeratungErgebnis.EMPFOHLEN):
            return BeratungErgebnis.OFFEN, False
        return (found if found is BeratungErgebnis.EMPFOHLEN else by_votes), True
    if found is BeratungErgebnis.OFFEN:
        if re.fullmatch(r"(einstimmig|mehrheitlich)\W*", text):
            return BeratungErgebnis.BESCHLOSSEN, True
        if re.search(r"\bohne\b", text):
            return BeratungErgebnis.ZUR_KENNTNIS, True
        return BeratungErgebnis.OFFEN, False
    signals = {
        "ab": "abgelehnt" in text and "nicht abgelehnt" not in text,
        "be": bool(re.search(r"beschlossen|zugestimmt|angenommen|genehmigt", text)),
        "ve": bool(re.search(r"vertagt|zurückgestellt", text)),
    }
    if sum(signals.values()) > 1:
        return BeratungErgebnis.OFFEN, False
    return found, True


def ergebnis(result: str | None) -> BeratungErgebnis:
    """The result of an agenda item ("einstimmig zugestimmt", "Geändert beschlossen", …)."""
    text = (result or "").casefold()
    if not text:
        return BeratungErgebnis.OFFEN
    if re.search(r"ohne (beschluss|votum|abstimmung|empfehlung)", text):
        return BeratungErgebnis.ZUR_KENNTNIS
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
