"""The workspace probed as an attacker would: downloads by key, symlinks, control characters."""

from __future__ import annotations

from fastapi.testclient import TestClient

from sozialforum.settings import Settings


def test_ablage_serves_only_files_inside_the_storage(
    clients: dict[str | None, TestClient], ap_settings: Settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    gs = clients["planerin"]
    berichte = ap_settings.data_dir / "berichte"
    berichte.mkdir(parents=True, exist_ok=True)
    (berichte / "liste.txt").write_bytes(b"Teilnehmerliste")
    geheim = tmp_path / "ausserhalb" / "schluessel.txt"
    geheim.parent.mkdir()
    geheim.write_bytes(b"GEHEIM")
    (berichte / "verweis.txt").symlink_to(geheim)

    assert gs.get("/arbeitsplatz/ablage?schluessel=berichte/liste.txt").content == b"Teilnehmerliste"
    # A link below the folder pointing elsewhere is neither listed nor served.
    listing = gs.get("/arbeitsplatz/ablage?bereich=berichte/")
    assert "liste.txt" in listing.text and "verweis.txt" not in listing.text
    response = gs.get("/arbeitsplatz/ablage?schluessel=berichte/verweis.txt")
    assert response.status_code == 404 and b"GEHEIM" not in response.content
    # A NUL in the key is a missing file (404), not a technical error.
    for key in ("berichte/%00liste.txt", "berichte/liste.txt%00", "berichte/%0Aliste.txt"):
        response = gs.get(f"/arbeitsplatz/ablage?schluessel={key}")
        assert response.status_code == 404, key
        assert "Diese Datei gibt es in der Ablage nicht" in response.text
