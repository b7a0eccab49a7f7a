"""City or Kreis wording: moved to ``sozialforum.daten.wortlaut`` (the profile needs it too)."""

from sozialforum.daten.wortlaut import KREIS, STADT, Wortlaut, wortlaut

__all__ = ["KREIS", "STADT", "Wortlaut", "wortlaut"]
