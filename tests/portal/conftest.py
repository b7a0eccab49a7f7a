"""A small Landkreis for portal tests: two Träger with one contact each, a Gremium, a Sitzung,
a Maßnahme and a Gebiet; a settable clock; the app under test."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from sozialforum.links import issue_link
from sozialforum.portal import formulare
from sozialforum.portal.app import create_app
from sozialforum.settings import Settings, load_settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import Gebiet, Gremium, Massnahme, Organisation, Person, Sitzung
from sozialforum.vocab import GebietEbene, GremiumArt, LinkZweck, OrganisationArt, Rechtsgrundlage
from tests.conftest import REPO

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Welt:
    """Ids of the test world; ``a`` and ``b`` are two different Träger."""

    sitzung: int
    gremium: int
    gebiet: int
    massnahme_a: int
    traeger_a: int
    traeger_b: int
    person_a: int
    person_b: int
    extra: dict[str, int] = field(default_factory=dict)


def build_world(engine: Engine) -> Welt:
    with session_scope(engine, actor="test") as session:
        gebiet = Gebiet(
            schluessel="SR-01", name="Sozialraum Nord", ebene=GebietEbene.SOZIALRAUM, gueltig_ab=date(2020, 1, 1)
        )
        session.add(gebiet)
        session.flush()
        a = Organisation(kennung="T-A", name="Diakonie Nord e. V.", art=OrganisationArt.FREIER_TRAEGER)
        b = Organisation(kennung="T-B", name="Kinderschutzbund Süd", art=OrganisationArt.VEREIN)
        session.add_all([a, b])
        session.flush()
        pa = Person(
            kennung="P-A",
            vorname="Anna",
            nachname="Albers",
            email="anna@diakonie.example",
            organisation_id=a.id,
            rechtsgrundlage=Rechtsgrundlage.EINWILLIGUNG,
        )
        pb = Person(
            kennung="P-B",
            vorname="Bernd",
            nachname="Brandt",
            email="bernd@ksb.example",
            organisation_id=b.id,
            rechtsgrundlage=Rechtsgrundlage.EINWILLIGUNG,
        )
        gremium = Gremium(
            kennung="SRK-NORD", name="Sozialraumkonferenz Nord", art=GremiumArt.SOZIALRAUMKONFERENZ, gebiet_id=gebiet.id
        )
        session.add_all([pa, pb, gremium])
        session.flush()
        beginn = datetime(2026, 3, 18, 17, 0, tzinfo=UTC)
        sitzung = Sitzung(
            gremium_id=gremium.id,
            titel="Sozialraumkonferenz Nord, Frühjahr",
            beginn=beginn,
            ende=beginn + timedelta(hours=2),
            ort="Familienzentrum",
            adresse="Lindenstraße 4, 37000 Musterstadt",
            ical_uid="s1@test",
        )
        massnahme = Massnahme(
            kennung="M-1", titel="Familiencafé Nord", verantwortlich_organisation_id=a.id, gebiet_id=gebiet.id
        )
        session.add_all([sitzung, massnahme])
        session.flush()
        return Welt(
            sitzung=sitzung.id,
            gremium=gremium.id,
            gebiet=gebiet.id,
            massnahme_a=massnahme.id,
            traeger_a=a.id,
            traeger_b=b.id,
            person_a=pa.id,
            person_b=pb.id,
        )


def make_settings(tmp_path: Path, engine: Engine, base_url: str = "http://testserver", **portal: object) -> Settings:
    return load_settings(
        config_file=REPO / "config" / "sozialforum.toml",
        data_dir=tmp_path / "var",
        database_url=engine.url.render_as_string(hide_password=False),
        # A high failure limit: token-matrix tests send many bad tokens from one address; the
        # rate-limit test sets its own.
        portal={
            "base_url": base_url,
            "secret_key": "test-schluessel-" + "x" * 32,
            "formulare": str(REPO / "config" / "formulare.toml"),
            "fehlversuche_max": 1000,
            **portal,
        },
    )


@pytest.fixture
def portal_settings(tmp_path: Path, engine: Engine) -> Settings:
    return make_settings(tmp_path, engine)


@pytest.fixture
def welt(engine: Engine) -> Welt:
    return build_world(engine)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(portal_settings: Settings, engine: Engine, clock: Clock) -> Iterator[TestClient]:
    app = create_app(portal_settings, engine, clock=clock)
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "page has no CSRF field"
    return match.group(1)


def issue(
    engine: Engine, settings: Settings, *, person_id: int, zweck: LinkZweck, bezug_id: int, **kwargs: object
) -> str:
    """A personal link URL, path only (for the test client)."""
    with session_scope(engine, actor="test") as session:
        url = issue_link(
            session, person_id=person_id, zweck=zweck, bezug_id=bezug_id, now=NOW, settings=settings, **kwargs
        )  # type: ignore[arg-type]
    return url.removeprefix(settings.portal.base_url)


def request_form(engine: Engine, settings: Settings, kennung: str, organisation_id: int, bezug_id: int) -> int:
    definitions = formulare.load_formulare(settings.portal.formulare)
    with session_scope(engine, actor="test") as session:
        anfrage = formulare.request_form(
            session, formular=definitions[kennung], organisation_id=organisation_id, bezug_id=bezug_id, now=NOW
        )
        return anfrage.id  # type: ignore[return-value]
