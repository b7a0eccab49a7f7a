"""German texts about a refresh: the markdown summary (a Prefect artifact, also shown by the
command line) and the demo's summary lines. Plain data in, text out."""

from __future__ import annotations

from typing import Any

from sozialforum.settings import Settings
from sozialforum.timeutil import format_datum_kurz, format_euro, format_zahl


def _tag(iso: str | None) -> str:
    """A Stichtag kept as ISO text in the summary, in German ("31.12.2023")."""
    return format_datum_kurz(iso) if iso else "–"


def _gebiet(wechsel: dict[str, Any]) -> str:
    """ "Rabenhorst (Gemeinde)", but "Sozialraum Osterberg" alone: the level in German, and only
    where the name does not say it (never the key "gemeinde")."""
    ebene = str(wechsel["ebene"]).capitalize()
    name = str(wechsel["gebiet"])
    return name if name.startswith(ebene) else f"{name} ({ebene})"


def zusammenfassung_markdown(
    loaded: list[dict[str, Any]],
    summary: dict[str, Any] | None,
    budget: dict[str, Any] | None,
    outputs: list[str],
    failed: list[dict[str, str]],
) -> str:
    lines = ["# Datenaktualisierung", ""]
    new = [row for row in loaded if row["status"] == "geladen"]
    lines.append(
        f"**Geladen:** {len(new)} neue Datei(en), {len(loaded) - len(new)} unverändert, {len(failed)} abgelehnt."
    )
    lines.append("")
    for row in new:
        lines.append(
            f"- `{row['datei']}`: {format_zahl(row['werte'])} Werte, {row['gebiete']} Gebiete, "
            f"Stichtage {row['stichtage']} (Quelle {row['quelle']})"
        )
    findings = [text for row in new for text in row.get("befunde", [])]
    if findings:  # loaded, but to be checked and accepted in the workspace
        lines += ["", f"**Plausibilität:** {len(findings)} Befund(e), im Arbeitsplatz zu prüfen und zu akzeptieren:"]
        lines += [f"- {text}" for text in findings]
    for row in failed:
        lines += [f"- **abgelehnt:** `{row['datei']}`", "", "```", row["problem"], "```"]
    if failed:
        lines += ["", "Es wurde nichts berechnet: bitte die Dateien korrigieren und erneut laden."]
        return "\n".join(lines) + "\n"
    if summary is None:
        return "\n".join(lines) + "\n"
    lines += ["", "## Berechnung", ""]
    state = "neu berechnet" if summary.get("neu") else "unverändert (keine neuen Daten)"
    lines.append(
        f"Berechnung Nr. {summary['berechnung_id']}: {state}; {summary.get('stichtage', 0)} "
        f"Stichtage, letzter {_tag(summary.get('letzter_stichtag'))}."
    )
    for changed in summary.get("definitionen_geaendert", []):
        lines.append(f"- Definition geändert: {changed} – frühere Veröffentlichungen sind damit nicht vergleichbar.")
    lines += ["", "## Klassenwechsel seit dem vorigen Stichtag", ""]
    moved = summary.get("klassenwechsel", [])
    lines += [f"- {_gebiet(m)}: Status {m['vorher']} → {m['jetzt']}" for m in moved] or ["- keine"]
    lines += ["", "## Verfehlte Ziele", ""]
    missed = summary.get("ziele_verfehlt", [])
    lines += [
        f"- {m['gebiet']}: {m['indikator']} {format_zahl(m['wert'], 2)} {m['einheit']} (Ziel {m['ziel']})"
        for m in missed
    ] or ["- keine"]
    if summary.get("hinweise"):
        lines += ["", "## Hinweise", "", *(f"- {note}" for note in summary["hinweise"])]
    if budget:
        lines += [
            "",
            f"## Sozialraumbudget {budget['kennung']} {budget['haushaltsjahr']}",
            "",
            f"Gesamt {format_euro(budget['gesamt'])}:",
            "",
        ]
        lines += [f"- {name}: {format_euro(amount)}" for name, amount in budget["anteile"].items()]
    if outputs:
        lines += ["", "## Ausgaben", "", *(f"- `{path}`" for path in outputs)]
    return "\n".join(lines) + "\n"


def demo_zeilen(result: dict[str, Any], settings: Settings) -> list[str]:
    summary = result["berechnung"]
    files = result["dateien"]
    lines = [
        f"{len(files)} Quelldateien geladen (GENESIS-CSV, BA-Excel, Tabellen des Jugendamts): "
        f"{format_zahl(sum(f['werte'] for f in files))} Werte.",
        f"Berechnung Nr. {summary['berechnung_id']}: {summary.get('stichtage', 0)} Stichtage bis "
        f"{_tag(summary.get('letzter_stichtag'))}; {len(summary.get('klassenwechsel', []))} Klassenwechsel, "
        f"{len(summary.get('ziele_verfehlt', []))} verfehlte Ziele.",
    ]
    classes = summary.get("klassen", {}).get("sozialraum", {})
    if classes:
        lines.append("Sozialräume nach Status: " + ", ".join(f"{k} {v}" for k, v in classes.items()) + ".")
    if result.get("budget"):
        budget = result["budget"]
        lines.append(
            f"Sozialraumbudget {budget['haushaltsjahr']}: {format_euro(budget['gesamt'])} auf "
            f"{len(budget['anteile'])} Sozialräume verteilt (auf den Euro genau)."
        )
    outputs = result["ausgaben"]
    folder = settings.reports_dir / "daten" / "oeffentlich"
    lines.append(
        f"{len([o for o in outputs if o.endswith('.pdf')])} Sozialraumprofile (HTML, PDF) und "
        f"der Sozialstrukturatlas (XLSX) unter {folder}."
    )
    return lines
