"""sozialforum: the participatory social-planning cycle of a German Landkreis or city.

The package is the domain; it never imports Prefect. Flows in ``flows/`` are thin glue over it.
"""

__version__ = "0.1.0"
