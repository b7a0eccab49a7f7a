"""The OParl schemas as standard JSON Schema, and a validator over them.

The spec's schema files (github.com/OParl/spec) are not plain JSON Schema: they name embedded
objects with ``"schema": "File.json"`` instead of ``$ref``, carry the custom keywords
``references``/``backreference``/``cardinality`` (1.1) or ``oparl:ref``/``oparl:backref``/
``oparl:cardinality`` (1.0), use the format ``url``, template their descriptions
(``{{ Meeting.description }}``, resolved from ``strings.yml``) and declare no ``$schema``.
:func:`convert_spec` turns them into JSON Schema draft 2020-12; the converted files of OParl
1.1 ship in ``sozialforum/oparl/schema/1.1`` (derived work, CC BY-SA 4.0, see the README
there). The conversion keeps every constraint of the original.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).parent / "schema"
BASE = "https://sozialforum.invalid/oparl/{version}/"
_CUSTOM = ("references", "backreference", "cardinality", "oparl:ref", "oparl:backref", "oparl:cardinality")
_TEMPLATE = re.compile(r"^\{\{\s*([\w.]+)\s*\}\}$")


def _strings(spec_schema_dir: Path) -> dict[str, str]:
    path = spec_schema_dir / "strings.yml"
    if not path.exists():
        return {}
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {key: " ".join(str(value).split()) for key, value in (document.get("de") or {}).items()}


def _convert(node: Any, strings: dict[str, str]) -> Any:
    if isinstance(node, list):
        return [_convert(item, strings) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    notes = [f"{key}: {node[key]}" for key in _CUSTOM if key in node]
    for key, value in node.items():
        if key in _CUSTOM:
            continue
        if key == "description" and isinstance(value, str) and (match := _TEMPLATE.match(value)):
            if match.group(1) in strings:
                out[key] = strings[match.group(1)]
            continue
        if key == "format" and value == "url":
            out[key] = "uri"
        elif key == "schema" and isinstance(value, str):
            out["$ref"] = value
        else:
            out[key] = _convert(value, strings)
    if "$ref" in out:
        out.pop("type", None)  # the referenced schema says what it is
    if out.get("type") == "string" and "items" in out:
        # An external list is given by its URL; "items" described the list's content.
        inner = out.pop("items")
        target = inner.get("$ref") if isinstance(inner, dict) else None
        notes.append(f"externe Objektliste{f' von {target}' if target else ''}")
    if notes:
        out["$comment"] = "OParl: " + "; ".join(notes)
    return out


def convert_schema(raw: dict[str, Any], *, name: str, version: str, strings: dict[str, str]) -> dict[str, Any]:
    converted = _convert(raw, strings)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": BASE.format(version=version) + f"{name}.json",
        **converted,
    }


def convert_spec(spec_schema_dir: Path, target: Path, *, version: str) -> list[Path]:
    """Convert every ``*.json`` of a spec's schema folder; returns the files written."""
    strings = _strings(spec_schema_dir)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sorted(spec_schema_dir.glob("*.json")):
        raw = json.loads(source.read_text(encoding="utf-8"))
        schema = convert_schema(raw, name=source.stem, version=version, strings=strings)
        Draft202012Validator.check_schema(schema)
        path = target / source.name
        path.write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


_FORMATS = FormatChecker()


@_FORMATS.checks("uri", raises=ValueError)
def _is_uri(value: object) -> bool:
    """An absolute URI (jsonschema checks "uri" only with an extra package installed)."""
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and bool(parts.netloc or parts.path) and not any(c.isspace() for c in value)


@lru_cache(maxsize=2)
def _registry(version: str) -> tuple[Registry, dict[str, dict[str, Any]]]:
    schemas = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((SCHEMA_DIR / version).glob("*.json"))}
    registry: Registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema, default_specification=DRAFT202012))
        for schema in schemas.values()
    )
    return registry, schemas


def validator(typ: str, version: str = "1.1") -> Draft202012Validator:
    """A validator for one OParl type (``Meeting``) against the converted schemas."""
    registry, schemas = _registry(version)
    if typ not in schemas:
        raise KeyError(f"kein OParl-Schema für {typ} (Version {version})")
    return Draft202012Validator(schemas[typ], registry=registry, format_checker=_FORMATS)


# JSON types as a planner names them (jsonschema writes its messages in English).
_TYPEN = {
    "string": "Text",
    "integer": "ganze Zahl",
    "number": "Zahl",
    "boolean": "ja/nein",
    "array": "Liste",
    "object": "Objekt",
    "null": "leer",
}
_FORMATE = {"date-time": "Datum mit Uhrzeit", "date": "Datum", "uri": "Adresse (URL)", "url": "Adresse (URL)"}


def _auf_deutsch(error: ValidationError) -> str:
    """The German reason of one schema error; an unusual rule keeps jsonschema's own text."""
    value, rule = error.instance, error.validator_value
    if error.validator == "required":
        missing = [name for name in rule if isinstance(value, dict) and name not in value]
        return "Pflichtangabe " + ", ".join(f"„{name}“" for name in missing) + " fehlt"
    if error.validator == "type":
        typen = rule if isinstance(rule, list) else [rule]
        erwartet = " oder ".join(_TYPEN.get(str(t), str(t)) for t in typen)
        return f"{json.dumps(value, ensure_ascii=False)[:60]} hat nicht den erwarteten Typ ({erwartet})"
    if error.validator == "format":
        return f"„{value}“ ist kein gültiges Format für {_FORMATE.get(rule, rule)}"
    if error.validator == "enum":
        return f"„{value}“ ist nicht erlaubt (erlaubt: {', '.join(str(v) for v in rule)})"
    if error.validator == "additionalProperties" and isinstance(value, dict):
        known = set(error.schema.get("properties", {}))
        extra = [name for name in value if name not in known]
        return "nicht vorgesehene Angabe " + ", ".join(f"„{name}“" for name in extra)
    return error.message


def fehler(obj: dict[str, Any], version: str = "1.1") -> list[str]:
    """Why ``obj`` is not valid OParl (German, one line per error), by its ``type``."""
    typ = str(obj.get("type", "")).rstrip("/").rsplit("/", 1)[-1]
    try:
        check = validator(typ, version)
    except KeyError as exc:
        return [str(exc.args[0])]
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(Objekt)'}: {_auf_deutsch(error)}"
        for error in sorted(check.iter_errors(obj), key=lambda e: list(e.absolute_path))
    ]
