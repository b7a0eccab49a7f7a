"""City or Kreis wording from the area: a report about "Stadt Ulm" says "die Stadt" and
"stadtweit", one about "Landkreis Musterland" says "der Kreis" and "kreisweit"."""

from __future__ import annotations

import re
from dataclasses import dataclass

_STADT = re.compile(r"^(stadt|landeshauptstadt|hansestadt|universitätsstadt|kreisfreie stadt)\b|\bstadt\)?$", re.I)


@dataclass(frozen=True)
class Wortlaut:
    art: str  # "Stadt" | "Kreis": the comparison column's head
    im_gebiet: str  # "in der Stadt" | "im Kreis"
    gebietsweit: str  # "stadtweit" | "kreisweit"
    des_gebiets: str  # "der Stadt" | "des Kreises"


STADT = Wortlaut("Stadt", "in der Stadt", "stadtweit", "der Stadt")
KREIS = Wortlaut("Kreis", "im Kreis", "kreisweit", "des Kreises")


def wortlaut(name: str) -> Wortlaut:
    """ "Stadt Ulm", "Landeshauptstadt Hannover", "Ulm (Stadt)" → Stadt; everything else Kreis
    (Landkreis, Kreis, Regionalverband, Städteregion count as Kreise)."""
    return STADT if _STADT.search(name.strip()) and "kreis" not in name.lower() else KREIS
