"""The configuration reference ``docs/konfiguration.md``, generated from the settings classes.

    python -m sozialforum.betrieb.konfig_doku            # rewrite docs/konfiguration.md
    python -m sozialforum.betrieb.konfig_doku --pruefen  # exit 1 if the file is out of date

Every field with its type, default, limits and environment variable; the description is the
comment above the field in ``sozialforum/settings/`` (or its ``description``), so the
reference cannot drift from the code. A test compares the committed file with this output.
"""

from __future__ import annotations

import ast
import re
import sys
import types
import typing
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import annotated_types
from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

from sozialforum import settings as settings_module
from sozialforum.settings import Settings

PROJEKT = Path(__file__).resolve().parents[2]
ZIEL = PROJEKT / "docs" / "konfiguration.md"
BEISPIEL = PROJEKT / "config" / "sozialforum.toml"
KOPF = """# Konfiguration

Diese Referenz ist aus den Einstellungsklassen (`sozialforum/settings/`) erzeugt:
`python -m sozialforum.betrieb.konfig_doku` schreibt sie neu; ein Test prüft, dass sie aktuell ist.
Die Beschreibungen sind die Kommentare in `config/sozialforum.toml` (deutsch) und, wo dort keiner
steht, die Kommentare an den Feldern im Code.

Die Werte stehen in `config/sozialforum.toml` (eine andere Datei mit `sozialforum -k DATEI` oder
`SOZIALFORUM_CONFIG`). Jede Umgebungsvariable der Tabelle schlägt die Datei; verschachtelte Felder
mit `__`, z. B. `SOZIALFORUM_MAIL__SMTP_HOST`. Listen als JSON: `SOZIALFORUM_FRISTEN__ERINNERUNG_TAGE='[60, 14]'`.
Unbekannte Schlüssel sind Fehler (Tippfehler fallen sofort auf); `sozialforum doctor` prüft die Datei.
Passwörter gehören nicht in die Datei, sondern in Umgebungsvariablen.
"""


def _comments() -> dict[tuple[str, str], str]:
    """(class, field) → the comment lines right above the field in the settings package."""
    found: dict[tuple[str, str], str] = {}
    for path in sorted(Path(settings_module.__file__).parent.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.parse(source).body:
            if not isinstance(node, ast.ClassDef):
                continue
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    above: list[str] = []
                    index = item.lineno - 2
                    while index >= 0 and lines[index].strip().startswith("#"):
                        above.insert(0, lines[index].strip().lstrip("#").strip())
                        index -= 1
                    found[(node.name, item.target.id)] = " ".join(above)
    return found


KEY = re.compile(r"^#?\s*([a-z_]+)\s*=")


def _toml_comments(path: Path) -> dict[tuple[str, str], str]:
    """(section, key) → the German comment above the key in the example configuration (also
    above a commented-out key); a blank line ends a comment."""
    found: dict[tuple[str, str], str] = {}
    section = ""
    pending: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            section, pending = line.strip("[]"), []
        elif not line:
            pending = []
        elif match := KEY.match(line):
            if pending:
                found[(section, match.group(1))] = " ".join(pending)
            pending = []
        elif line.startswith("#"):
            pending.append(line.lstrip("#").strip())
    return found


def _typ(annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        parts = [a for a in get_args(annotation) if a is not type(None)]
        text = " oder ".join(_typ(p) for p in parts)
        return f"{text} (optional)" if len(parts) < len(get_args(annotation)) else text
    if origin is Literal:
        return "einer von " + ", ".join(f"`{a}`" for a in get_args(annotation))
    if origin is list:
        return f"Liste von {_typ(get_args(annotation)[0])}"
    if origin is dict:
        key, value = get_args(annotation)
        return f"Tabelle: {_typ(key)} = {_typ(value)}"
    names = {
        int: "ganze Zahl",
        float: "Zahl",
        bool: "true/false",
        str: "Text",
        Path: "Pfad",
        SecretStr: "geheim",
        date: "Datum (JJJJ-MM-TT)",
        datetime: "Zeitpunkt (JJJJ-MM-TTTHH:MM)",
    }
    if annotation in names:
        return names[annotation]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "Tabelle mit " + ", ".join(f"`{name}`" for name in annotation.model_fields)
    return "E-Mail-Adresse" if getattr(annotation, "__name__", "") == "EmailStr" else str(annotation)


def _grenzen(info: FieldInfo) -> str:
    signs = {
        annotated_types.Ge: ("≥", "ge"),
        annotated_types.Gt: (">", "gt"),
        annotated_types.Le: ("≤", "le"),
        annotated_types.Lt: ("<", "lt"),
    }
    parts = []
    for item in info.metadata:
        for kind, (sign, attribute) in signs.items():
            if isinstance(item, kind):
                parts.append(f"{sign} {getattr(item, attribute)}")
    return ", ".join(parts)


def _wert(value: Any) -> str:
    if value is None or isinstance(value, SecretStr):
        return "–"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_wert(v) if not isinstance(v, str) else f'"{v}"' for v in value) + "]"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def _standard(info: FieldInfo) -> str:
    value = info.get_default(call_default_factory=True)
    return _wert(value)


def _zelle(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _tabelle(
    model: type[BaseModel], prefix: str, comments: dict[tuple[str, str], str], german: dict[tuple[str, str], str]
) -> list[str]:
    rows = ["| Feld | Typ | Standard | Umgebungsvariable | Bedeutung |", "|---|---|---|---|---|"]
    for name, info in model.model_fields.items():
        if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel):
            continue
        limits = _grenzen(info)
        typ = _typ(info.annotation) + (f" ({limits})" if limits else "")
        text = german.get((prefix, name)) or " ".join(
            t for t in (comments.get((model.__name__, name), ""), info.description or "") if t
        )
        env = f"SOZIALFORUM_{prefix.upper()}__{name.upper()}" if prefix else f"SOZIALFORUM_{name.upper()}"
        rows.append(f"| `{name}` | {_zelle(typ)} | `{_zelle(_standard(info))}` | `{env}` | {_zelle(text) or '–'} |")
    return rows


def erzeugen() -> str:
    comments, german = _comments(), _toml_comments(BEISPIEL)
    parts = [KOPF, "## Allgemein (oberste Ebene)", "", *_tabelle(Settings, "", comments, german), ""]
    for name, info in Settings.model_fields.items():
        section = info.annotation
        if not (isinstance(section, type) and issubclass(section, BaseModel)):
            continue
        parts += [f"## [{name}]", ""]
        parts += [*_tabelle(section, name, comments, german), ""]
    return "\n".join(parts).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = erzeugen()
    if "--pruefen" in args:
        current = ZIEL.read_text(encoding="utf-8") if ZIEL.exists() else ""
        if current != text:
            print(f"{ZIEL} ist veraltet: python -m sozialforum.betrieb.konfig_doku", file=sys.stderr)
            return 1
        return 0
    ZIEL.write_text(text, encoding="utf-8")
    print(f"geschrieben: {ZIEL}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
