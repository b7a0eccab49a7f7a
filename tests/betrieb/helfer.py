"""Shared set-up of the operations tests: a config file for the test's store, the demo Landkreis,
and Sitzungen placed around a simulated week."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from sozialforum.cli import app
from sozialforum.demo import load_demo
from sozialforum.konferenz import termine, versand
from sozialforum.konten import benutzer
from sozialforum.settings import Settings, load_settings
from sozialforum.store.db import make_engine, migrate, session_scope
from sozialforum.store.models import Gremium, Mitgliedschaft, OutboxMessage, Person, Sitzung
from sozialforum.timeutil import local_to_utc
from sozialforum.vocab import BenutzerRolle, GremiumArt, OutboxStatus, Rechtsgrundlage, SitzungStatus
from tests.konferenz.smtp_server import Received


def write_config(tmp_path: Path, engine: Engine, **betrieb: object) -> str:
    """A TOML file pointing flows at the test's store, data dir and an empty sources folder."""
    url = engine.url.render_as_string(hide_password=False)
    (tmp_path / "statistik").mkdir(exist_ok=True)
    lines = [
        f'data_dir = "{tmp_path / "var"}"',
        f'database_url = "{url}"',
        "",
        "[daten]",
        f'quellen_ordner = "{tmp_path / "statistik"}"',
        "",
        "[betrieb]",
    ]
    lines += [f"{key} = {value!r}" for key, value in betrieb.items()]
    path = tmp_path / "sozialforum.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def morning(day: date) -> datetime:
    """05:30 in Berlin, when the scheduled cycle runs."""
    return local_to_utc(day, 5, 30)


def plan(
    engine: Engine, settings: Settings, gremium: str, day: date, *, invite_on: date | None = None, hour: int = 17
) -> int:
    """A Sitzung of ``gremium`` (by kennung) on ``day``; invited on ``invite_on`` if given."""
    with session_scope(engine, actor="test") as session:
        gremium_id = session.scalar(sa.select(Gremium.id).where(Gremium.kennung == gremium))
        sitzung = termine.plan_sitzung(
            session, gremium_id=gremium_id, tag=day, uhrzeit=time(hour), settings=settings, ort="Bürgerhaus"
        )
        sitzung_id = sitzung.id or 0
    if invite_on is not None:
        with session_scope(engine, actor="test") as session:
            versand.send_invitations(session, sitzung_id=sitzung_id, now=morning(invite_on), settings=settings)
            assert session.get(Sitzung, sitzung_id).status == SitzungStatus.EINGELADEN  # type: ignore[union-attr]
    return sitzung_id


def demo_store(tmp_path: Path, engine: Engine, **betrieb: object) -> tuple[str, Settings]:
    config = write_config(tmp_path, engine, **betrieb)
    with session_scope(engine, actor="test") as session:
        load_demo(session)
    return config, load_settings(config)


# The delivery of one large Sitzung, run by several machines (test_verteilt_*).
TAG = date(2026, 3, 16)
# The default Geschäftsstelle: a run that finds messages of unclear delivery mails it the
# Zustellprobleme report, which is not one of the invitations counted.
GESCHAEFTSSTELLE = "sozialplanung@landkreis-musterland.example"


def einladungen(received: list[Received]) -> list[Received]:
    """What the loopback server received for the Gremium's members (not the Geschäftsstelle's report)."""
    return [message for message in received if message.rcpt_tos[0] != GESCHAEFTSSTELLE]


NOW = datetime(2026, 2, 20, 8, 0, tzinfo=UTC)  # its invitation day


def mitglieder(session: Session, gremium_id: int, anzahl: int) -> None:
    """``anzahl`` people (``person<n>@traeger.example``, consent given), members of the Gremium."""
    session.execute(
        sa.insert(Person),
        [
            {
                "kennung": f"T{n:05d}",
                "vorname": "Test",
                "nachname": f"Person {n}",
                "email": f"person{n}@traeger.example",
                "rechtsgrundlage": Rechtsgrundlage.EINWILLIGUNG.value,
            }
            for n in range(anzahl)
        ],
    )
    ids = session.scalars(sa.select(Person.id).order_by(Person.id)).all()
    session.execute(
        sa.insert(Mitgliedschaft),
        [
            {
                "gremium_id": gremium_id,
                "person_id": pid,
                "von": date(2025, 1, 1),
                "rolle": "mitglied",
                "stimmberechtigt": False,
            }
            for pid in ids
        ],
    )


def grosses_gremium(url: str, empfaenger: int, *, planerin: str) -> int:
    """A migrated store with a Gremium of ``empfaenger`` members (each with an address), its
    Sitzung on TAG (invitation day NOW), and the workspace user 'planerin' with this password."""
    engine = make_engine(url)
    migrate(engine)
    settings = load_settings(None, database_url=url)
    with session_scope(engine, actor="test") as session:
        gremium = Gremium(kennung="SRK-NORD", name="Sozialraumkonferenz Nord", art=GremiumArt.SOZIALRAUMKONFERENZ)
        session.add(gremium)
        session.flush()
        mitglieder(session, gremium.id or 0, empfaenger)
        sitzung = termine.plan_sitzung(
            session, gremium_id=gremium.id or 0, tag=TAG, uhrzeit=time(17), settings=settings, ort="Kreishaus"
        )
        benutzer.create_user(
            session,
            name="planerin",
            anzeigename="Planerin",
            password=planerin,
            now=NOW,
            rolle=BenutzerRolle.GESCHAEFTSSTELLE,
        )
        sitzung_id = sitzung.id or 0
    engine.dispose()
    return sitzung_id


def maschine(tmp_path: Path, name: str, url: str, smtp_port: int, objektspeicher: dict[str, str] | None = None) -> Path:
    """One machine's configuration: its own data_dir, the shared store, SMTP (10 messages a
    second, slow enough to land faults inside a delivery) and object store."""
    config = tmp_path / f"{name}.toml"
    lines = [
        f'data_dir = "{tmp_path / name}"',
        f'database_url = "{url}"',
        "",
        "[mail]",
        'smtp_host = "127.0.0.1"',
        f"smtp_port = {smtp_port}",
        'sicherheit = "keine"',
        "nachrichten_pro_sekunde = 10",  # slow enough to land kills inside the delivery
        "",
        "[konferenz]",
        "tagesordnung_als_pdf = false",
    ]
    if objektspeicher:
        lines += ["", "[ablage]", *[f'{key} = "{value}"' for key, value in objektspeicher.items()]]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def resolve_uncertain(engine: Engine, received: list[Received], cli_args: list[str]) -> tuple[list[str], list[str]]:
    """What a person does with messages of unclear delivery: look at the mail server (here: the
    loopback server's count for the recipient) and decide with the product's command. Returns the
    recipients confirmed as delivered and those queued again."""
    with Session(engine) as session:
        doubtful = session.exec(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.UNCERTAIN.value)).all()
        decisions = [(m.id, m.empfaenger) for m in doubtful]
    counts = Counter(message.rcpt_tos[0] for message in received)
    confirmed = [address for _id, address in decisions if counts[address]]
    again = [address for _id, address in decisions if not counts[address]]
    args = [*cli_args, "konferenz", "unklar"]
    for message_id, address in decisions:
        args += ["--als-zugestellt" if counts[address] else "--erneut-senden", str(message_id)]
    if decisions:
        result = CliRunner().invoke(app, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return confirmed, again
