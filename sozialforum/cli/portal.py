"""``sozialforum portal``: serve the Träger portal; manage Geschäftsstelle users; request forms."""

from __future__ import annotations

import getpass
import sys
from datetime import date
from typing import Annotated

import typer
from sqlmodel import select

from sozialforum.cli.common import EXIT_NOT_FOUND, EXIT_SERVICE, console, ctx, fail
from sozialforum.konten import benutzer as benutzer_service
from sozialforum.parsing import parse_date
from sozialforum.portal import formulare, linkversand
from sozialforum.problems import ProblemReport
from sozialforum.store.db import session_scope
from sozialforum.store.models.akteure import Organisation
from sozialforum.timeutil import format_anzahl, utcnow
from sozialforum.vocab import BenutzerRolle

app = typer.Typer(
    help="Beteiligungsportal: Seiten für Rückmeldungen, Themenvorschläge und Formulare; "
    "ohne Unterbefehl wird das Portal gestartet.",
    invoke_without_command=True,
)


@app.callback()
def starten(
    typer_ctx: typer.Context,
    host: Annotated[str | None, typer.Option("--host", help="Adresse (Standard: portal.host).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (Standard: portal.port).")] = None,
) -> None:
    """Startet das Portal (uvicorn) auf portal.host:portal.port."""
    if typer_ctx.invoked_subcommand is not None:
        return
    import uvicorn

    from sozialforum.arbeitsplatz.app import create_app
    from sozialforum.flows.arbeitsplatz import protokoll_fortsetzen, starter
    from sozialforum.store.db import current_revision

    context = ctx(typer_ctx)
    settings = context.settings
    try:
        if current_revision(context.engine) is None:
            fail("Die Datenbank ist noch nicht angelegt. Bitte zuerst `sozialforum db migrieren`.")
        formulare.load_formulare(settings.portal.formulare)
    except ProblemReport as exc:
        fail(str(exc))
    except Exception as exc:  # the database cannot be reached
        fail(f"Datenbank nicht erreichbar: {exc}", EXIT_SERVICE)
    bind_host, bind_port = host or settings.portal.host, port or settings.portal.port
    if "base_url" not in settings.portal.model_fields_set:
        # Without a configured public address the links in mails and pages must lead to this
        # very server, also when --host/--port start it elsewhere than the default.
        shown_host = "127.0.0.1" if bind_host in ("0.0.0.0", "::", "") else bind_host  # noqa: S104  # compared, not bound
        base = f"http://{shown_host}:{bind_port}"
        settings = settings.model_copy(update={"portal": settings.portal.model_copy(update={"base_url": base})})
    console.print(
        f"Portal läuft auf http://{bind_host}:{bind_port} (öffentliche Adresse "
        f"{settings.portal.base_url}). Arbeitsplatz der Mitarbeitenden: {settings.portal.base_url}/gs/anmelden. "
        "Beenden mit Strg+C."
    )
    proxies = settings.portal.vertrauenswuerdige_proxies
    uvicorn.run(
        create_app(
            settings,
            context.engine,
            protokoll_fortsetzen=protokoll_fortsetzen,
            laeufe_starter=starter(str(context.config_file) if context.config_file else None),
        ),
        host=bind_host,
        port=bind_port,
        log_level="warning",
        server_header=False,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=",".join(proxies) or None,
    )


@app.command("benutzer-anlegen")
def benutzer_anlegen(
    typer_ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Benutzername (Buchstaben, Ziffern, . - _).")],
    anzeigename: Annotated[str, typer.Option("--anzeigename", help="Name, wie er angezeigt wird.")] = "",
    passwort_stdin: Annotated[
        bool, typer.Option("--passwort-stdin", help="Passwort aus der Standardeingabe lesen (für Skripte).")
    ] = False,
    rolle: Annotated[
        str | None,
        typer.Option(
            "--rolle",
            help="geschaeftsstelle (Standard für neue Konten), leitung; fachamt und kommune im Arbeitsplatz anlegen.",
        ),
    ] = None,
) -> None:
    """Legt eine Anmeldung für Mitarbeitende an (oder setzt ihr Passwort neu; Rolle bleibt)."""
    if passwort_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        if not sys.stdin.isatty():  # getpass would warn in English and read nothing
            fail(
                "Kein Terminal für die Passworteingabe: das Passwort mit --passwort-stdin "
                "über die Standardeingabe geben."
            )
        password = getpass.getpass("Passwort: ")
        if getpass.getpass("Passwort wiederholen: ") != password:
            fail("Die Passwörter stimmen nicht überein.")
    context = ctx(typer_ctx)
    try:
        gewaehlt = BenutzerRolle.parse(rolle) if rolle else None
    except ValueError:
        fail(f"--rolle „{rolle}“ gibt es nicht (erlaubt: {BenutzerRolle.choices()}).")
    try:
        with session_scope(context.engine, actor="cli:portal") as session:
            user = benutzer_service.create_user(
                session, name=name, anzeigename=anzeigename or name, password=password, now=utcnow(), rolle=gewaehlt
            )
    except ValueError as exc:
        fail(str(exc))
    console.print(f"Benutzer „{user.name}“ ist angelegt und kann sich unter /gs/anmelden anmelden.")


@app.command("formular-anfordern")
def formular_anfordern(
    typer_ctx: typer.Context,
    formular: Annotated[str, typer.Argument(help="Kennung des Formulars aus config/formulare.toml.")],
    traeger: Annotated[list[str], typer.Option("--traeger", "-t", help="Kennung des Trägers (mehrfach möglich).")],
    bezug: Annotated[int, typer.Option("--bezug", help="Id des Objekts (Gebiet, Maßnahme …); 0 = keins.")] = 0,
    frist: Annotated[str | None, typer.Option("--frist", help="Antwort erbeten bis TT.MM.JJJJ.")] = None,
) -> None:
    """Fordert ein Formular bei Trägern an: je Ansprechperson ein persönlicher Link per E-Mail."""
    context = ctx(typer_ctx)
    settings = context.settings
    try:
        definition = formulare.load_formulare(settings.portal.formulare).get(formular)
        deadline: date | None = parse_date(frist) if frist else None
    except (ProblemReport, ValueError) as exc:
        fail(f"--frist: {exc}" if isinstance(exc, ValueError) else str(exc))
    if definition is None:
        fail(f"Formular „{formular}“ gibt es nicht in {settings.portal.formulare}.", EXIT_NOT_FOUND)
    try:
        with session_scope(context.engine, actor="cli:portal") as session:
            ids = []
            for kennung in traeger:
                org = session.exec(select(Organisation).where(Organisation.kennung == kennung)).first()
                if org is None:
                    raise LookupError(f"Träger „{kennung}“ nicht gefunden.")
                assert org.id is not None
                ids.append(org.id)
            result = linkversand.request_form_by_mail(
                session,
                formular=definition,
                organisation_ids=ids,
                bezug_id=bezug,
                now=utcnow(),
                settings=settings,
                frist=deadline,
            )
    except LookupError as exc:
        fail(f"{exc} Es wurde nichts angefordert.", EXIT_NOT_FOUND)
    except ValueError as exc:
        fail(f"{exc} Es wurde nichts angefordert.")
    console.print(f"{format_anzahl(result.gesendet, 'Link', 'Links')} in den Postausgang gelegt.")
    if result.uebersprungen:
        console.print("Ohne Einwilligung oder E-Mail-Adresse übersprungen: " + ", ".join(result.uebersprungen))


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="portal")
