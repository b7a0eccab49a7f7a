"""Handlungsempfehlungen in the workspace: the Geschäftsstelle adds, edits, orders and removes
them (German errors naming the field, nothing stored), the Leitung reads only; releasing needs a
confirmation and starts a run; a released edition refuses every change."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from sozialforum.store.db import session_scope
from sozialforum.store.models import Arbeitslauf, Berichtsausgabe, Handlungsempfehlung
from tests.arbeitsplatz.conftest import Bestand
from tests.portal.conftest import csrf_of

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _post(client: TestClient, path: str, data: dict[str, object]):  # type: ignore[no-untyped-def]
    csrf = csrf_of(client.get("/arbeitsplatz/konto").text)
    return client.post(path, data={"csrf": csrf, **data}, follow_redirects=False)


def _titel(engine: Engine, ausgabe: int) -> list[str]:
    with session_scope(engine, actor="test") as session:
        return list(
            session.scalars(
                sa.select(Handlungsempfehlung.titel)
                .where(Handlungsempfehlung.ausgabe_id == ausgabe)
                .order_by(Handlungsempfehlung.position)
            )
        )


def test_recommendations_written_ordered_and_frozen(
    app, clients: dict[str | None, TestClient], bestand: Bestand, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    planerin, leiterin = clients["planerin"], clients["leiterin"]
    base = f"/arbeitsplatz/sozialbericht/{bestand.ausgabe}"
    empty = _post(planerin, f"{base}/empfehlungen", {"titel": "", "text": "x"})
    assert empty.status_code == 400 and "Titel: bitte angeben." in empty.text
    wrong = _post(planerin, f"{base}/empfehlungen", {"titel": "A", "text": "x", "dimension": "erfunden"})
    assert wrong.status_code == 400 and "Dimension: bitte aus der Liste wählen." in wrong.text
    assert _titel(engine, bestand.ausgabe) == ["Frühe Hilfen"]  # nothing stored on an error
    added = _post(planerin, f"{base}/empfehlungen", {"titel": "Quartiersarbeit", "text": "Eins.\r\n\r\nZwei."})
    assert added.status_code == 303
    assert _titel(engine, bestand.ausgabe) == ["Frühe Hilfen", "Quartiersarbeit"]
    with session_scope(engine, actor="test") as session:
        neu = session.scalars(
            sa.select(Handlungsempfehlung).where(Handlungsempfehlung.titel == "Quartiersarbeit")
        ).one()
        neu_id = neu.id
    assert _post(planerin, f"{base}/empfehlungen/{neu_id}", {"aktion": "hoch"}).status_code == 303
    assert _titel(engine, bestand.ausgabe) == ["Quartiersarbeit", "Frühe Hilfen"]
    assert "<p>Eins.</p><p>Zwei.</p>" in planerin.get(base).text  # paragraphs as typed in the browser
    edited = _post(planerin, f"{base}/empfehlungen/{neu_id}", {"titel": "Quartiersarbeit stärken", "text": "Neu."})
    assert edited.status_code == 303
    page = planerin.get(base).text
    assert page.index("Quartiersarbeit stärken") < page.index("Frühe Hilfen")
    assert "Bearbeiten" in planerin.get(f"{base}?bearbeiten={neu_id}").text
    # The Leitung reads, but may not change.
    assert "Quartiersarbeit stärken" in leiterin.get(base).text
    assert _post(leiterin, f"{base}/empfehlungen", {"titel": "B", "text": "x"}).status_code == 403
    # Releasing needs the confirmation, then starts a run.
    unconfirmed = _post(planerin, f"{base}/freigeben", {})
    assert unconfirmed.status_code == 400 and "bitte bestätigen" in unconfirmed.text
    started: list[int] = []
    app.state.laeufe_starter = started.append
    released = _post(planerin, f"{base}/freigeben", {"bestaetigt": "ja"})
    assert released.status_code == 303 and released.headers["location"].startswith("/arbeitsplatz/laeufe/")
    with session_scope(engine, actor="test") as session:
        lauf = session.get(Arbeitslauf, started[0])
        assert lauf is not None and lauf.art == "sozialbericht" and lauf.parameter["ausgabe_id"] == bestand.ausgabe
        # As the run does once it has written the files: the edition is frozen.
        ausgabe = session.get(Berichtsausgabe, bestand.ausgabe)
        assert ausgabe is not None
        ausgabe.status, ausgabe.freigegeben_am = "freigegeben", datetime(2026, 1, 15, 9, tzinfo=UTC)
    refused = _post(planerin, f"{base}/empfehlungen/{neu_id}", {"aktion": "runter"})
    assert refused.status_code == 400 and "kann nicht mehr geändert werden" in refused.text
    assert _titel(engine, bestand.ausgabe) == ["Quartiersarbeit stärken", "Frühe Hilfen"]
    frozen = planerin.get(base).text
    assert "Freigegeben am 15.01.2026" in frozen and "Hinzufügen" not in frozen
