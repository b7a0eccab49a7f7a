"""Files uploaded for a dry run and kept until they are applied: read within the upload limit,
named harmlessly, stored under an unguessable token that only the uploading user can redeem,
and removed after a week if nobody applies them."""

from __future__ import annotations

import re
import secrets
import shutil
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile

from sozialforum.arbeitsplatz.routen import Eingabefehler
from sozialforum.portal.kontexte import StaffContext

TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
AUFBEWAHRUNG_TAGE = 7
_MARKER = ".benutzer"


def ablage(ctx: StaffContext) -> Path:
    return ctx.portal.settings.data_dir / "hochgeladen"


def aufraeumen(ordner: Path, *, jetzt: float | None = None) -> None:
    """Remove kept files older than the retention (by the file system's clock)."""
    if not ordner.is_dir():
        return
    grenze = (time.time() if jetzt is None else jetzt) - AUFBEWAHRUNG_TAGE * 86400
    for eintrag in ordner.iterdir():
        if eintrag.is_dir() and TOKEN.fullmatch(eintrag.name) and eintrag.stat().st_mtime < grenze:
            shutil.rmtree(eintrag, ignore_errors=True)


def lesen(ctx: StaffContext, form: Mapping[str, Any], *, endungen: tuple[str, ...], was: str) -> tuple[str, bytes]:
    """The uploaded file's harmless name and its bytes (German errors name the field)."""
    upload = form.get("datei")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValueError(f"Datei: bitte {was} auswählen.")
    raw = upload.filename
    name = re.sub(r"[^A-Za-z0-9._ -]+", "_", Path(raw.replace("\\", "/")).name).strip(" .")[:120]
    if not name.lower().endswith(endungen):
        raise ValueError(f"Datei: erwartet wird {was} ({', '.join(endungen)}), nicht „{name or raw}“.")
    # The same limit as every upload (the body limit refuses larger requests before this).
    limit_mb = ctx.portal.settings.protokoll.upload_max_mb
    inhalt = upload.file.read(int(limit_mb * 1024 * 1024) + 1)
    if len(inhalt) > limit_mb * 1024 * 1024:
        raise ValueError(f"Datei „{name}“: größer als {limit_mb} MB.")
    return name, inhalt


def behalten(ctx: StaffContext, name: str, inhalt: bytes) -> tuple[str, Path]:
    """Keep the file for this user; its token and path."""
    aufraeumen(ablage(ctx))
    token = secrets.token_urlsafe(24)
    ordner = ablage(ctx) / token
    ordner.mkdir(parents=True)
    (ordner / _MARKER).write_text(ctx.benutzer.name, encoding="utf-8")
    pfad = ordner / name
    pfad.write_bytes(inhalt)
    return token, pfad


def verwerfen(pfad: Path) -> None:
    shutil.rmtree(pfad.parent, ignore_errors=True)


def einloesen(ctx: StaffContext, form: Mapping[str, Any]) -> Path:
    """The kept file of the form's token — only for the user who uploaded it."""
    token = str(form.get("token") or "")
    ordner = ablage(ctx) / token
    marker = ordner / _MARKER
    if not TOKEN.fullmatch(token) or not marker.exists() or marker.read_text(encoding="utf-8") != ctx.benutzer.name:
        raise Eingabefehler("Diese Prüfung gibt es nicht (mehr); bitte die Datei noch einmal prüfen.")
    dateien = [p for p in ordner.iterdir() if p.name != _MARKER]
    if len(dateien) != 1:
        raise Eingabefehler("Diese Prüfung gibt es nicht (mehr); bitte die Datei noch einmal prüfen.")
    return dateien[0]
