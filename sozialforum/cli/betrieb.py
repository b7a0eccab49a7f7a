"""Operations commands: ``demo`` (the planning year over the demo Landkreis), ``serve`` (every
deployment of prefect.yaml with its schedules, one machine) and ``doctor`` (health check)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from sozialforum import ressourcen
from sozialforum.betrieb import doktor, prefect_pflege
from sozialforum.betrieb.deployments import DeploymentFehler, finde_prefect_yaml, lade_deployments
from sozialforum.cli.common import EXIT_CONFIG, EXIT_OK, EXIT_SERVICE, console, ctx, fail
from sozialforum.settings import load_settings
from sozialforum.store.db import make_engine, migrate, sqlite_path
from sozialforum.timeutil import format_anzahl, format_zahl, utcnow

# Marks a data folder as the demo's, so that the demo may refill it and never touches another store.
DEMO_MARKER = ".sozialforum-demo"


def demo(
    typer_ctx: typer.Context,
    verzeichnis: Annotated[
        Path | None,
        typer.Option("--verzeichnis", help="Arbeitsverzeichnis der Demo (Standard: das Datenverzeichnis, var)."),
    ] = None,
    tage: Annotated[
        int,
        typer.Option(
            "--tage",
            min=0,
            max=730,
            help="So viele Tage des täglichen Planungszyklus im Zeitraffer; ein Planungsjahr: --tage 365.",
        ),
    ] = 3,
) -> None:
    """Führt den Planungszyklus über dem Demo-Landkreis aus (eingebettete Standardwerte:
    SQLite, Postausgang als .eml-Dateien) und zeigt, was geschehen ist und wo die Ergebnisse liegen."""
    # A cold start of the embedded Prefect server can take longer than its default 20 s; its
    # telemetry would only report an error on an offline machine. The demo's embedded server is
    # thrown away at the end: its task-run recorder only competed with the flows for Prefect's
    # own SQLite file ("database is locked" in the output), so it is off here.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED", "false")
    # Prefect's own lines go to a file and into the Prefect UI, not between the demo's summaries.
    # Both are read when Prefect is imported, so they are set before that.
    context = ctx(typer_ctx)
    folder = verzeichnis or context.settings.data_dir
    prefect_log = folder.resolve() / "prefect.log"
    os.environ["PREFECT_LOGGING_SETTINGS_PATH"] = str(ressourcen.ordner("flows") / "demo" / "prefect_logging.yml")
    os.environ["PREFECT_LOGGING_HANDLERS_CONSOLE_FILENAME"] = str(prefect_log)
    from sozialforum.flows.demo import DemoRun, run_demo

    # The demo fills the default store (or --verzeichnis), so that every command run afterwards in
    # the same place finds it; a store that did not come from the demo is never touched. Flows read
    # the folder from the environment like any setting (they only receive the config path).
    store = sqlite_path(context.settings.db_url) if verzeichnis is None else folder / "sozialforum.db"
    marker = folder / DEMO_MARKER
    if store is not None and store.is_file() and not marker.is_file():
        fail(
            f"Unter {store.resolve()} liegt schon ein Datenbestand, der nicht aus der Demo stammt; er bleibt "
            "unberührt. Die Demo in einem anderen Verzeichnis ausführen: „sozialforum demo --verzeichnis var/demo“.",
            EXIT_CONFIG,
        )
    folder.mkdir(parents=True, exist_ok=True)
    marker.write_text("Datenbestand des Demo-Landkreises (sozialforum demo)\n", encoding="utf-8")
    os.environ["SOZIALFORUM_DATA_DIR"] = str(folder)
    os.environ["SOZIALFORUM_DATEN__QUELLEN_ORDNER"] = str(folder / "statistik")
    settings = load_settings(context.config_file)
    if settings.geschaeftsstelle.adresse is None:
        # The demo's Bescheide are letters and need a sender's address; a configured one is kept.
        # Set in the environment so that the flows, which load the settings themselves, see it too.
        os.environ["SOZIALFORUM_GESCHAEFTSSTELLE__ADRESSE"] = "Kreishaus, Am Markt 1, 37000 Musterstadt"
        os.environ.setdefault("SOZIALFORUM_GESCHAEFTSSTELLE__TELEFON", "05551 708-400")
        settings = load_settings(context.config_file)
    engine = make_engine(settings.db_url)
    migrate(engine)
    config = str(context.config_file) if context.config_file else None
    run = DemoRun(settings=settings, engine=engine, now=utcnow(), config=config, tage=tage)

    def report(title: str, lines: list[str], seconds: float) -> None:
        console.print(f"[bold]✔ {title}[/] [dim]({format_zahl(seconds, 0)} s)[/]")
        for line in lines:
            console.print(f"   {line}", highlight=False)

    @contextmanager
    def progress(title: str) -> Iterator[None]:
        with console.status(f"{title} …") as status:
            run.fortschritt = lambda text: status.update(f"{title} – {text}")
            yield

    console.print(f"Die Flows laufen im eingebetteten Prefect-Modus; sein Protokoll steht in {prefect_log}.")
    run_demo(run, report, progress)
    if fehler := run.notes.get("planungsjahr", {}).get("fehler"):
        fail(
            f"Im Planungsjahr der Demo ist der Lauf an {format_zahl(len(fehler))} "
            f"{'Tag' if len(fehler) == 1 else 'Tagen'} gescheitert (oben unter FEHLER); "
            f"das Protokoll der Flows steht in {prefect_log}.",
            EXIT_SERVICE,
        )
    console.print(f"\nAlle Ergebnisse liegen unter [bold]{settings.data_dir.resolve()}[/].")
    weiter = "" if verzeichnis is None else f"SOZIALFORUM_DATA_DIR={folder} "
    console.print(
        f"Den Datenbestand der Demo finden alle Befehle, z. B. „{weiter}sozialforum liste gebiete“ "
        f"oder „{weiter}sozialforum zeige sitzungen“.",
        highlight=False,
    )
    # The workspace on the demo data (issue 12): a fresh password, shown only here.
    from sozialforum.demo.arbeitsplatz import demo_zugang

    name, passwort = demo_zugang(engine, now=utcnow())
    console.print(
        f"Arbeitsplatz der Geschäftsstelle: „{weiter}sozialforum portal“ starten und "
        f"{settings.portal.base_url}/gs/anmelden öffnen; Benutzer „{name}“, Passwort „{passwort}“ "
        "(wird nur jetzt angezeigt; neu setzen mit „sozialforum portal benutzer-anlegen planerin“).",
        highlight=False,
    )


ZEICHEN = {"ok": "[green]✔[/]", "hinweis": "[yellow]![/]", "fehler": "[bold red]✘[/]"}


def doctor(
    typer_ctx: typer.Context,
    prefect_api: Annotated[
        str | None, typer.Option("--prefect-api", help="Adresse des Prefect-Servers (Standard: PREFECT_API_URL).")
    ] = None,
    reparieren: Annotated[
        bool,
        typer.Option(
            "--reparieren",
            help="Vorher auf dem Prefect-Server die Absturzerkennung (Automation, Herzschlag des Arbeitspools) "
            "anlegen, Läufe ohne Herzschlag auf „Crashed“ setzen und Plätze freigeben, die kein laufender Lauf "
            "hält; zeigt, was getan wurde.",
        ),
    ] = False,
) -> None:
    """Prüft Konfiguration, Verzeichnisse, Datenbank und Migrationen, SMTP, DKIM, Postfach und den
    Prefect-Server und erklärt jeden Fehler mit Abhilfe. Exit-Code 2: Konfiguration, 3: Dienst."""
    context = ctx(typer_ctx)
    found = doktor.untersuchen(
        context.config_file, prefect_api_url=prefect_api or os.environ.get("PREFECT_API_URL"), reparieren=reparieren
    )
    for befund in found:
        console.print(f"{ZEICHEN[befund.stufe]} [bold]{befund.bereich}[/]: {befund.meldung}", highlight=False)
        if befund.abhilfe and befund.stufe != "ok":
            console.print(f"    → {befund.abhilfe}", highlight=False)
    errors = [b for b in found if b.stufe == "fehler"]
    code = EXIT_CONFIG if any(b.art == "konfiguration" for b in errors) else EXIT_SERVICE if errors else EXIT_OK
    notes = sum(b.stufe == "hinweis" for b in found)
    if errors:
        console.print(f"\n{len(errors)} Fehler.")
    elif notes:
        console.print(f"\nKeine Fehler; {notes} {'Hinweis' if notes == 1 else 'Hinweise'} vor dem Betrieb prüfen.")
    else:
        console.print("\nAlles in Ordnung.")
    raise typer.Exit(code)


def serve(
    typer_ctx: typer.Context,
    prefect_api: Annotated[
        str | None,
        typer.Option(
            "--prefect-api", help="Vorhandenen Prefect-Server nutzen (…/api); sonst wird einer auf 127.0.0.1 gestartet."
        ),
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", help="Port des eigenen Prefect-Servers (Standard: 4200).")
    ] = None,
    nur: Annotated[list[str] | None, typer.Option("--nur", help="Nur dieses Deployment (mehrfach möglich).")] = None,
    gleichzeitig: Annotated[
        int | None, typer.Option("--gleichzeitig", help="Höchstens so viele Läufe zugleich.")
    ] = None,
) -> None:
    """Stellt alle Deployments aus prefect.yaml mit ihren Zeitplänen bereit (Prefect „serve“), auf
    diesem Rechner und mit der eingebetteten SQLite-Datenbank; startet bei Bedarf einen eigenen
    Prefect-Server mit Oberfläche. Läuft, bis er mit Strg+C beendet wird."""
    from sozialforum.betrieb.prefect_server import ServerFehler, gesund, starte_server

    context = ctx(typer_ctx)
    settings = context.settings
    try:
        yaml_path = finde_prefect_yaml()
        deployments = lade_deployments(yaml_path)
    except DeploymentFehler as exc:
        fail(str(exc), EXIT_CONFIG)
    unknown = sorted(set(nur or []) - {d.name for d in deployments})
    if unknown:
        fail(
            f"{'Deployment' if len(unknown) == 1 else 'Deployments'} nicht in {yaml_path}: {', '.join(unknown)}",
            EXIT_CONFIG,
        )
    chosen = [d for d in deployments if not nur or d.name in nur]
    _ = context.engine  # checked before the first flow run: a German message if the store is missing
    api = prefect_api or os.environ.get("PREFECT_API_URL") or settings.betrieb.prefect_api_url
    server = None
    if api is None:
        console.print(
            f"Starte den Prefect-Server (Datenbank: {(settings.data_dir / 'prefect' / 'prefect.db').resolve()}) …"
        )
        try:
            server = starte_server(
                verzeichnis=settings.data_dir / "prefect", port=port or settings.betrieb.prefect_port
            )
        except ServerFehler as exc:
            fail(str(exc), EXIT_SERVICE)
        api = server.api_url
    elif not gesund(api):
        fail(f"Der Prefect-Server {api} antwortet nicht (prefect server start? Adresse endet auf /api).", EXIT_SERVICE)
    # Flow runs are child processes: they find the project, the config and the server from here.
    os.environ["PREFECT_API_URL"] = api
    os.environ["SOZIALFORUM_HOME"] = str(yaml_path.parent)
    if context.config_file:
        os.environ["SOZIALFORUM_CONFIG"] = str(Path(context.config_file).resolve())
    os.environ.setdefault("SOZIALFORUM_DATA_DIR", str(settings.data_dir.resolve()))
    # Runs send heartbeats; a run silent for three of them is set Crashed by the automation.
    os.environ[prefect_pflege.HERZSCHLAG_VARIABLE] = str(settings.betrieb.herzschlag_sekunden)
    os.chdir(yaml_path.parent)
    try:
        from sozialforum.flows.bereitstellung import alle_bereitstellen, limits_anlegen

        created = limits_anlegen()
        if created:
            console.print(f"Gleichzeitigkeitsgrenzen angelegt: {', '.join(created)}")
        eingerichtet = prefect_pflege.einrichten(api, settings.betrieb.herzschlag_sekunden, pool=False)
        for line in eingerichtet.getan + eingerichtet.fehler:
            console.print(line, highlight=False)
        console.print(
            f"Prefect-Oberfläche: [bold]{api.removesuffix('/api')}[/]  ·  "
            f"{format_anzahl(len(chosen), 'Deployment', 'Deployments')}: {', '.join(d.name for d in chosen)}",
            highlight=False,
        )
        alle_bereitstellen(chosen, limit=gleichzeitig)
    finally:
        if server is not None:
            server.stop()


def worker(
    pool: Annotated[str, typer.Option("--pool", help="Arbeitspool (Standard: sozialforum).")] = "sozialforum",
    warteschlange: Annotated[
        list[str] | None, typer.Option("--work-queue", help="Nur diese Warteschlange des Pools (mehrfach möglich).")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Name des Workers in Prefect.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="Höchstens so viele Läufe zugleich.")] = None,
    frist: Annotated[
        float,
        typer.Option("--frist", help="Sekunden, die laufende Läufe beim Beenden bekommen, um zurückzugeben."),
    ] = 30.0,
) -> None:
    """Prefect-Prozess-Worker für die Deployments (statt „prefect worker start“): endet auf SIGTERM
    so, dass laufende Flow-Läufe zuerst zurückgeben, was sie halten (z. B. beanspruchte Nachrichten).
    Braucht PREFECT_API_URL und SOZIALFORUM_HOME wie der Prefect-Worker."""
    from sozialforum.flows.worker import starten

    starten(pool=pool, warteschlangen=warteschlange, name=name, limit=limit, frist=frist)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
    app.command("serve")(serve)
    app.command("worker")(worker)
    app.command("doctor")(doctor)
