"""Protected spaces for print and screen: names and amounts never break across lines.

``geschuetzt`` is the Jinja filter of the same name (channels/rendering.py): "Lindenau e. V.",
"1.234 €", "12,4 %", "§ 27 SGB VIII", "TOP 3", "z. B.", "SGB-II-Quote" keep together.
"""

from __future__ import annotations

import re

from markupsafe import Markup

NBSP = "\u00a0"

_REGELN = [
    # Legal forms and the word before them: "Lindenau e. V.", "Haus gGmbH", "Stiftung e.V."
    (re.compile(r"(\S) (e\. ?V\.|gGmbH|GmbH|gAG|AG|KdöR|eG)(?=$|[\s,.;:)])"), lambda m: f"{m[1]}{NBSP}{m[2]}"),
    (re.compile(r"\be\. V\."), lambda m: f"e.{NBSP}V."),
    # Two-letter abbreviations: "z. B.", "u. a.", "d. h.", "i. d. R."
    (re.compile(r"\b([a-zA-ZäöüÄÖÜ])\. (?=[a-zA-ZäöüÄÖÜ]\.)"), lambda m: f"{m[1]}.{NBSP}"),
    # A number and its unit or currency: "1.234 €", "12,4 %", "30 Tage", "17:00 Uhr"
    (
        re.compile(r"(\d) (€|%|‰|EUR|Euro|Tage?n?|Wochen?|Monate?n?|Jahre?n?|Uhr|Personen|Plätze|km²?|m²|ha)(?=$|\W)"),
        lambda m: f"{m[1]}{NBSP}{m[2]}",
    ),
    # Signs and words before a number: "§ 27", "Nr. 3", "TOP 2", "Abs. 1", "S. 12"
    (re.compile(r"(§§?|Art\.|Nr\.|TOP|Abs\.|S\.|Ziff\.) (?=\d)"), lambda m: f"{m[1]}{NBSP}"),
    # Short parts of a compound keep their hyphen (U+2011): "SGB‑II‑Quote", "21‑Jährige", "E‑Mail";
    # long compounds may still break at theirs ("Langzeit-arbeitslose").
    (re.compile(r"(?<!\w)(\w{1,4})-(?=\w)"), lambda m: f"{m[1]}\u2011"),
    # A code after its law: "SGB VIII", "SGB II"
    (re.compile(r"\b(SGB|BGB|KJHG|GG) (?=[IVX\d])"), lambda m: f"{m[1]}{NBSP}"),
]


def geschuetzt(value: object) -> str:
    """The text with protected spaces where a line break would tear a name or an amount apart.
    Escaped HTML (``Markup``) stays Markup; plain text stays text, to be escaped as usual."""
    if value is None:
        return ""
    text = str(value)
    for pattern, replacement in _REGELN:
        text = pattern.sub(replacement, text)
    # Only spaces were replaced: escaped input stays escaped.
    return Markup(text) if isinstance(value, Markup) else text  # noqa: S704
