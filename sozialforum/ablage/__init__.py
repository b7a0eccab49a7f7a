"""Where outputs live so that every machine and the portal can read them: reports, profiles,
minutes, participant lists, .eml files when there is no SMTP, uploaded statistics deliveries.

One small API for every stage::

    ablage.schreiben(settings, "berichte/2026/leitungsbericht.pdf", data)
    ablage.lesen(settings, "berichte/2026/leitungsbericht.pdf")

Chosen in ``[ablage]`` of the configuration: ``art = "ordner"`` (the embedded default, a folder,
``data_dir/ablage`` unless ``ordner`` names one) or ``art = "s3"``, an S3-compatible object store
(MinIO, SeaweedFS, Ceph RGW) reached with a small Signature-V4 client (:mod:`.s3`). Keys are
relative paths with ``/``; a key that would leave the folder is refused.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path, PurePosixPath

from sozialforum.ablage import s3
from sozialforum.ablage.fehler import AblageFehler
from sozialforum.settings import Settings

__all__ = [
    "AblageFehler",
    "ablegen",
    "auflisten",
    "lesen",
    "loeschen",
    "ordner",
    "schluessel_fuer",
    "schreiben",
    "vorhanden",
]


def _check_key(key: str) -> str:
    path = PurePosixPath(key)
    # Control characters too: a NUL from a download URL made ``open`` raise (a 500, not a 404).
    if (
        not key
        or path.is_absolute()
        or any(part in ("", ".", "..") for part in key.split("/"))
        or any(ord(c) < 32 or c == "\x7f" for c in key)
    ):
        raise AblageFehler(f"Ungültiger Ablageschlüssel {key!r}: erwartet ein relativer Pfad wie 'berichte/x.pdf'.")
    return key


def ordner(settings: Settings) -> Path:
    """The folder of the embedded default: ``data_dir`` itself, so what a stage writes below
    ``data_dir/berichte`` is already in the storage under the key ``berichte/…``."""
    return settings.ablage.ordner or settings.data_dir


def schluessel_fuer(settings: Settings, path: Path) -> str:
    """The key of a file written below ``data_dir`` (``berichte/leitung/x.pdf``), or
    ``dateien/<name>`` for one written elsewhere."""
    for root in (ordner(settings), settings.data_dir):
        try:
            return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            continue
    return f"dateien/{Path(path).name}"


def ablegen(settings: Settings, path: Path, key: str | None = None) -> str:
    """Put a file a stage has written (e.g. below ``settings.reports_dir``) into the storage,
    where every machine reads it, under ``key`` (default: :func:`schluessel_fuer`). With the
    folder default (no ``[ablage] ordner``) files stay where they were written: nothing is copied.
    Returns the key. The bridge for writers that produce files rather than bytes."""
    key = key or schluessel_fuer(settings, path)
    if settings.ablage.art == "ordner" and (
        settings.ablage.ordner is None or (ordner(settings) / key).resolve() == Path(path).resolve()
    ):
        return key
    return schreiben(settings, key, Path(path).read_bytes())


def schreiben(settings: Settings, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> str:
    """Store ``data`` under ``key`` (replacing what was there, atomically); returns the key."""
    _check_key(key)
    if settings.ablage.art == "s3":
        s3.client(settings).put(key, data, content_type=content_type)
        return key
    target = ordner(settings) / key
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return key


def lesen(settings: Settings, key: str) -> bytes:
    """The bytes stored under ``key``; FileNotFoundError when there are none."""
    _check_key(key)
    if settings.ablage.art == "s3":
        return s3.client(settings).get(key)
    root = ordner(settings).resolve()
    target = (root / key).resolve()
    # A symbolic link below the folder that points elsewhere (``berichte/x -> /etc/…``) is not
    # the storage's: the workspace downloads keys, and a key must never reach past the folder.
    if not target.is_relative_to(root):
        raise FileNotFoundError(key)
    return target.read_bytes()


def vorhanden(settings: Settings, key: str) -> bool:
    try:
        lesen(settings, key)
    except FileNotFoundError:
        return False
    return True


def auflisten(settings: Settings, prefix: str = "") -> list[str]:
    """The keys below ``prefix`` (e.g. ``"berichte/"``), sorted."""
    if settings.ablage.art == "s3":
        return sorted(s3.client(settings).list(prefix))
    root = ordner(settings)
    if not root.is_dir():
        return []
    resolved = root.resolve()
    keys = (
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and not p.name.startswith(".") and p.resolve().is_relative_to(resolved)
    )
    return sorted(k for k in keys if k.startswith(prefix))


def loeschen(settings: Settings, key: str) -> None:
    _check_key(key)
    if settings.ablage.art == "s3":
        s3.client(settings).delete(key)
        return
    (ordner(settings) / key).unlink(missing_ok=True)
