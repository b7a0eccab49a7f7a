"""The planning cycle driven from the workspace in Debian's Chromium, with real parts: the portal
and workspace served by uvicorn, real Prefect flows (long work as flow runs, the paused minutes
run), a loopback SMTP server. A planner plans a Regionalforum, adds a TOP, sends invitations
(one mail per invited person), a Träger answers through its link, the planner sees the count
change and records a phone answer; a minutes draft is approved in the browser and the paused run
distributes it; a Fachplan with a milestone is created and the deadline run reminds its Amt; a
statistics file with errors is refused in the dry run with file, row and column, nothing stored."""

from __future__ import annotations

import email
import email.policy
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sozialforum.arbeitsplatz.app import create_app
from sozialforum.demo import DATA
from sozialforum.konten import benutzer
from sozialforum.portal.server import free_port, serve_in_thread
from sozialforum.settings import load_settings
from sozialforum.stammdaten.importer import import_file
from sozialforum.store.db import session_scope
from sozialforum.store.models import Gremium, Mitgliedschaft, Organisation, Protokoll
from sozialforum.timeutil import add_months, utcnow
from sozialforum.vocab import BenutzerRolle, GremiumArt, MitgliedRolle, OrganisationArt
from tests.arbeitsplatz.conftest import im_browser_anmelden
from tests.konferenz.smtp_server import LoopbackSmtp
from tests.protokoll.conftest import Welt, build_world
from tests.protokoll.flowhelfer import wait_for_paused_runs
from tests.protokoll.test_cli import _submitted

pytestmark = [pytest.mark.browser, pytest.mark.prefect, pytest.mark.slow]
PASSWORT = "ablauf-im-browser-1"


@dataclass
class Stand:
    base: str
    config: str
    smtp: LoopbackSmtp
    welt: Welt
    engine: Engine


def _config(tmp_path: Path, engine: Engine, smtp_port: int, web_port: int) -> str:
    url = engine.url.render_as_string(hide_password=False)
    path = tmp_path / "sozialforum.toml"
    path.write_text(
        "\n".join(
            [
                f'data_dir = "{tmp_path / "var"}"',
                f'database_url = "{url}"',
                "[mail]",
                'smtp_host = "127.0.0.1"',
                f"smtp_port = {smtp_port}",
                'sicherheit = "keine"',
                "nachrichten_pro_sekunde = 1000",
                "[portal]",
                f'base_url = "http://127.0.0.1:{web_port}"',
                f'secret_key = "{"ablauf-schluessel-" + "y" * 32}"',
                "[protokoll]",
                "freigabe_erinnerung_stunden = 1",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    return str(path)


@pytest.fixture
def stand(prefect_harness: None, sqlite_engine: Engine, tmp_path: Path) -> Iterator[Stand]:
    from sozialforum.flows.arbeitsplatz import protokoll_fortsetzen, starter

    welt = build_world(sqlite_engine)
    with session_scope(sqlite_engine, actor="test") as session:
        import_file(session, "gebiete", DATA / "gebiete.csv")  # the areas a statistics file speaks of
        forum = Gremium(kennung="RF-SUED", name="Regionalforum Süd", art=GremiumArt.REGIONALES_SOZIALFORUM)
        amt = Organisation(kennung="AMT-51", name="Jugendamt", art=OrganisationArt.AMT, email="jugendamt@kreis.example")
        session.add_all([forum, amt])
        session.flush()
        for person_id in (*welt.mitglieder, welt.gast_id, welt.ohne_einwilligung_id):
            session.add(
                Mitgliedschaft(
                    gremium_id=forum.id, person_id=person_id, rolle=MitgliedRolle.MITGLIED, von=date(2024, 1, 1)
                )
            )
        benutzer.create_user(
            session,
            name="planerin",
            anzeigename="Petra Planerin",
            password=PASSWORT,
            now=utcnow(),
            rolle=BenutzerRolle.GESCHAEFTSSTELLE,
        )
    port = free_port()
    with LoopbackSmtp() as smtp:
        config = _config(tmp_path, sqlite_engine, smtp.port, port)
        app = create_app(
            load_settings(config),
            sqlite_engine,
            protokoll_fortsetzen=protokoll_fortsetzen,
            laeufe_starter=starter(config),
        )
        with serve_in_thread(app, port) as base:
            yield Stand(base, config, smtp, welt, sqlite_engine)


def _mails(smtp: LoopbackSmtp) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(m.content, policy=email.policy.default)  # type: ignore[misc]
        for m in list(smtp.collector.messages)
    ]


def _text(message: email.message.EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    return body.get_content() if body is not None else ""  # type: ignore[union-attr]


def _werktag(day: date) -> date:
    while day.weekday() not in (1, 2, 3):
        day += timedelta(days=1)
    return day


def _wait_done(page: Any) -> None:
    page.wait_for_url(re.compile(r".*/arbeitsplatz/laeufe/\d+$"))
    page.locator(".lauf-fertig, .lauf-fehler").first.wait_for(timeout=90_000)
    assert page.locator(".lauf-fehler").count() == 0, page.locator("main").inner_text()


def test_planning_cycle_in_the_browser(browser: Any, stand: Stand, tmp_path: Path) -> None:
    page = im_browser_anmelden(browser, stand.base, breite=1280, hoehe=900, passwort=PASSWORT)
    context = page.context

    # Plan a Sitzung of the Regionalforum; a day the calendar check remarks on needs a confirmation.
    tag = _werktag(utcnow().date() + timedelta(days=45))
    page.goto(f"{stand.base}/arbeitsplatz/sitzungen/neu")
    page.select_option("#f-gremium", label="Regionalforum Süd (Regionales Sozialforum)")
    page.fill("#f-titel", "Regionalforum Süd – Frühjahr")
    page.fill("#f-tag", tag.isoformat())
    page.fill("#f-uhrzeit", "16:30")
    page.fill("#f-ort", "Kreishaus, Saal 2")
    # The answer must be there before asking whether it warns of holidays: counting right after
    # the click may still see the form and then wait for a Sitzung that was never planned.
    with page.expect_navigation():
        page.click("main button[type=submit]")
    if page.locator("input[name=trotzdem]").count():
        page.check("input[name=trotzdem]")
        page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/arbeitsplatz/sitzungen/\d+\?meldung=geplant"))
    assert page.locator("h1").inner_text() == "Regionalforum Süd – Frühjahr"
    sitzung_url = page.url.split("?")[0]

    # Build the agenda and add an own TOP (it stays before "Verschiedenes").
    page.get_by_role("button", name="Tagesordnung aufbauen").click()
    page.wait_for_url(re.compile(r".*meldung=vorbereitet"))
    page.locator("summary", has_text="Eigenen Tagesordnungspunkt").click()
    page.fill("#f-titel", "Armutsprävention im Quartier")
    page.get_by_role("button", name="Punkt hinzufügen").click()
    page.wait_for_url(re.compile(r".*meldung=top"))
    agenda = page.locator("table[aria-label], .tabelle[aria-label=Tagesordnung] table").first.inner_text()
    assert agenda.index("Armutsprävention im Quartier") < agenda.index("Verschiedenes")

    # Send the invitations: a flow run; its page follows it until it is done.
    page.get_by_role("button", name="Einladungen senden").click()
    _wait_done(page)
    einladungen = [m for m in _mails(stand.smtp) if "Einladung" in str(m["Subject"])]
    an = sorted(str(m["To"]).split("<")[-1].rstrip(">") for m in einladungen)
    # Every member with consent and an address, once; the member without consent is not mailed.
    assert an == ["p-g1@traeger.example", "p-m1@traeger.example", "p-m2@traeger.example"]
    assert "Armutsprävention im Quartier" in _text(einladungen[0])

    # A Träger answers through the personal link of its mail.
    mail_m1 = next(m for m in einladungen if "p-m1@" in str(m["To"]))
    link = re.search(r"http://127\.0\.0\.1:\d+/\S+", _text(mail_m1))
    assert link is not None
    traeger = context.new_page()
    traeger.goto(link.group(0))
    traeger.get_by_label("Zusage").check()
    traeger.get_by_role("button", name="Rückmeldung senden").click()
    traeger.get_by_role("status").first.wait_for()

    page.goto(sitzung_url)
    assert page.locator("#zaehlung").inner_text().startswith("1 Zusage ·")

    # The planner records a phone answer for another member.
    page.locator("summary", has_text="Antwort für eine Person erfassen").click()
    page.select_option("#f-person", label="Bernd Becker")
    page.select_option("#f-antwort", "absage")
    page.fill("#f-kommentar", "telefonisch am Vormittag")
    page.get_by_role("button", name="Antwort speichern").click()
    page.wait_for_url(re.compile(r".*meldung=antwort"))
    assert "1 Absage ·" in page.locator("#zaehlung").inner_text()
    row = page.get_by_role("region", name="Rückmeldungen").locator("tr", has_text="Bernd Becker").inner_text()
    assert "erfasst von Petra Planerin" in row and "telefonisch am Vormittag" in row
    page.screenshot(path=str(tmp_path / "sitzung.png"), full_page=True)

    # Minutes: the paused run waits for the decision; the browser approves and the run distributes.
    pid = _submitted(stand.engine, stand.config, stand.welt)
    from sozialforum.flows.protokoll_einsammeln import protokoll_einsammeln

    results: list[str] = []
    run = threading.Thread(
        target=lambda: results.append(
            protokoll_einsammeln(stand.welt.sitzung_id, konfiguration=stand.config, jetzt=utcnow(), poll_sekunden=1)
        )
    )
    run.start()
    wait_for_paused_runs(1, konfiguration=stand.config)
    vorher = len(stand.smtp.collector.messages)
    page.goto(f"{stand.base}/arbeitsplatz/protokolle/{pid}")
    page.get_by_label("Freigeben und verteilen").check()
    page.get_by_role("button", name="Entscheidung speichern").click()
    page.wait_for_url(re.compile(r".*meldung=freigegeben"))
    run.join(timeout=120)
    assert not run.is_alive()
    with session_scope(stand.engine, actor="test") as session:
        assert session.get(Protokoll, pid).status == "verteilt"  # type: ignore[union-attr]
    verteilt = [m for m in _mails(stand.smtp)[vorher:] if "Protokoll" in str(m["Subject"])]
    assert len(verteilt) >= 3, [str(m["Subject"]) for m in _mails(stand.smtp)[vorher:]]

    # A Fachplan whose Beschlussvorlage is due in five days: the deadline run reminds its Amt.
    faellig = add_months(utcnow().date(), 2) + timedelta(days=5)
    page.goto(f"{stand.base}/arbeitsplatz/fachplaene/neu")
    page.fill("#f-kennung", "FP-KITA")
    page.fill("#f-name", "Kita-Bedarfsplan")
    page.select_option("#f-art", "sonstiger")
    page.fill("#f-beschlossen_am", add_months(faellig, -60).isoformat())
    page.fill("#f-turnus_monate", "60")
    page.select_option("#f-stelle", label="Jugendamt")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/arbeitsplatz/fachplaene/\d+\?meldung=angelegt"))
    page.screenshot(path=str(tmp_path / "planungsbestand.png"), full_page=True)
    from sozialforum.flows.fristen_ueberwachen import fristen_ueberwachen

    vorher = len(stand.smtp.collector.messages)
    fristen = threading.Thread(target=lambda: fristen_ueberwachen(konfiguration=stand.config))
    fristen.start()
    fristen.join(timeout=120)
    an_amt = [m for m in _mails(stand.smtp)[vorher:] if "jugendamt@kreis.example" in str(m["To"])]
    assert any("Beschlussvorlage eingereicht" in _text(m) for m in an_amt), [str(m["Subject"]) for m in an_amt]

    # A statistics file with an error: the dry run names file, row and column; nothing is stored.
    zeilen = (DATA / "statistik" / "12411-02-03-5_bevoelkerung_altersgruppen.csv").read_bytes().split(b"\n")
    zeile = next(n for n, z in enumerate(zeilen) if b";03199001;" in z)
    felder = zeilen[zeile].split(b";")
    felder[4] = b"34O"  # a letter O for a zero, as typed over in a spreadsheet
    zeilen[zeile] = b";".join(felder)
    datei = tmp_path / "bevoelkerung.csv"
    datei.write_bytes(b"\n".join(zeilen))
    page.goto(f"{stand.base}/arbeitsplatz/daten")
    page.set_input_files("#f-datei", str(datei))
    page.get_by_role("button", name="Prüfen").click()
    page.wait_for_url(re.compile(r".*/arbeitsplatz/daten/pruefen"))
    assert "im Bestand wurde nichts geändert" in page.locator("[role=alert]").inner_text()
    erste = page.locator("table[aria-label], .tabelle[aria-label=Probleme] table").first.locator("tbody tr").first
    datei_spalte, nummer, spalte, _ = (c.inner_text() for c in erste.locator("td").all())
    gezeigt = (datei_spalte, nummer, spalte)
    assert gezeigt == ("bevoelkerung.csv", str(zeile + 1), "Insgesamt") and "34O" in erste.inner_text(), gezeigt
    with stand.engine.connect() as connection:
        assert connection.scalar(sa.text("select count(*) from datenlieferung")) == 0
    assert not list((tmp_path / "var" / "hochgeladen").glob("*/*.csv"))  # a refused file is not kept

    # The corrected file passes the dry run and is loaded and computed by a flow run.
    page.goto(f"{stand.base}/arbeitsplatz/daten")
    page.set_input_files("#f-datei", str(DATA / "statistik" / "12411-02-03-5_bevoelkerung_altersgruppen.csv"))
    page.get_by_role("button", name="Prüfen").click()
    page.get_by_role("button", name="Laden und Kennzahlen berechnen").click()
    _wait_done(page)
    assert "Werte für" in page.locator(".ergebnis").inner_text()
    with stand.engine.connect() as connection:
        assert connection.scalar(sa.text("select count(*) from datenlieferung")) == 1
        assert connection.scalar(sa.text("select count(*) from berechnung")) == 1

    page.goto(f"{stand.base}/arbeitsplatz/")
    page.screenshot(path=str(tmp_path / "uebersicht.png"), full_page=True)
    with stand.engine.connect() as connection:
        assert connection.scalar(sa.text("select count(*) from arbeitslauf where zustand = 'fertig'")) == 2
    context.close()
