"""Areas of the demo Landkreis: three Sozialregionen of four Sozialräume each, 42 Gemeinden."""

from __future__ import annotations

KREIS = "03199000"

REGIONEN = [("REG-N", "Sozialregion Nord"), ("REG-M", "Sozialregion Mitte"), ("REG-S", "Sozialregion Süd")]
# (Sozialraum name, [Gemeinden]); the first Gemeinde names the Sozialraum.
SOZIALRAEUME = [
    ("Lindenau", ["Lindenau", "Birkenfelde", "Hasselbach", "Moorwinkel"]),
    ("Eichhausen", ["Eichhausen", "Kranichsee", "Weidenbrück", "Dornhagen"]),
    ("Hohenstein", ["Hohenstein", "Fichtenau", "Ellerbruch"]),
    ("Auental", ["Auental", "Rabenhorst", "Wiesengrund", "Tannhöfe"]),
    ("Musterstadt-Mitte", ["Musterstadt-Mitte", "Musterstadt-Altstadt", "Musterstadt-Bahnhof"]),
    ("Musterstadt-West", ["Musterstadt-West", "Musterstadt-Gartenfeld", "Musterstadt-Hafen", "Sandkuhle"]),
    ("Bergstedt", ["Bergstedt", "Quellental", "Steinrode"]),
    ("Neustadt am Walde", ["Neustadt am Walde", "Buchholz", "Erlenmoor", "Falkenried"]),
    ("Osterberg", ["Osterberg", "Grünhagen", "Kesselbrunn"]),
    ("Sonnenfeld", ["Sonnenfeld", "Lerchenau", "Mühlental", "Roggenhof"]),
    ("Talheim", ["Talheim", "Bärenfels", "Wolfsgrund"]),
    ("Waldhufen", ["Waldhufen", "Ahornstedt", "Schilfau"]),
]
