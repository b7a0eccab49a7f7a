"""The one Jinja2 environment: templates/ with autoescape and German formatting filters.

Autoescape is on for every template (.html, .txt and .ics alike are rendered with it for HTML;
plain-text templates use ``render_text``, which turns it off, since escaping would corrupt them).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from sozialforum import timeutil
from sozialforum.channels.satz import geschuetzt
from sozialforum.ressourcen import ordner

TEMPLATES = ordner("templates")


def _filters() -> dict[str, Any]:
    return {
        "datum": timeutil.format_datum,
        "datum_kurz": timeutil.format_datum_kurz,
        "uhrzeit": timeutil.format_uhrzeit,
        "termin": timeutil.format_termin,
        "zahl": timeutil.format_zahl,
        "euro": timeutil.format_euro,
        "label": lambda value: getattr(value, "label", value),
        "geschuetzt": geschuetzt,
    }


@lru_cache(maxsize=4)
def environment(templates: Path = TEMPLATES, *, autoescape: bool = True) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        # Plain-text mail bodies only; never shown as HTML (render_text).
        autoescape=select_autoescape(default=True, default_for_string=True) if autoescape else False,  # noqa: S701
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(_filters())
    return env


def render(name: str, **context: Any) -> str:
    """Render an HTML template (autoescaped)."""
    return environment().get_template(name).render(**context)


def render_text(name: str, **context: Any) -> str:
    """Render a plain-text template (no HTML escaping; the output is never shown as HTML)."""
    return environment(autoescape=False).get_template(name).render(**context)
