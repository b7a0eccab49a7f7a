"""Area borders for tests: squares side by side near 9° E, 48° N (WGS84), one per key, as a
GeoJSON file that ``karten.speicher.laden`` reads like a city's published borders."""

from __future__ import annotations

import json
from pathlib import Path


def quadrate(path: Path, schluessel: list[str], *, feld: str = "id", seite: float = 0.05) -> Path:
    """Write one square of ``seite`` degrees per key (its key in the property ``feld``)."""
    features = [
        {
            "type": "Feature",
            "properties": {feld: key},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[x, 48.0], [x + seite, 48.0], [x + seite, 48.0 + seite], [x, 48.0 + seite], [x, 48.0]]
                ],
            },
        }
        for key, x in zip(schluessel, [9.0 + seite * n for n in range(len(schluessel))], strict=True)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path
