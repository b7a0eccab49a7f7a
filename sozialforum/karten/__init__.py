"""Maps: area geometries as cities publish them, choropleth SVG, export with values for QGIS.

Below ``daten`` (profiles and the atlas draw maps); knows nothing of indicators: callers pass
classes, values and what is kept secret.
"""
