"""Staff login against a real OpenLDAP server (Debian slapd, started for this module's session):
the role from the groups, throttling as for local accounts, no login without a group, no
filter injection, off by default, local accounts first, and a German message (never a 500,
never a way in) when the directory is down."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from sozialforum.arbeitsplatz.app import create_app
from sozialforum.betrieb import doktor
from sozialforum.konten import benutzer, totp, verzeichnis
from sozialforum.settings import Settings, SettingsError, load_settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import Benutzer, BenutzerSitzung
from sozialforum.vocab import BenutzerQuelle, BenutzerRolle
from tests.arbeitsplatz.conftest import zwei_faktoren_einschalten
from tests.conftest import REPO, require_service
from tests.portal.conftest import NOW, Clock, csrf_of
from tests.support import slapd

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

B = slapd.BASIS
GS_GRUPPE = f"cn=sozialplanung,ou=gruppen,{B}"
LEITUNG_GRUPPE = f"cn=leitung,ou=gruppen,{B}"
PASSWOERTER = {
    "anna": "anna-verzeichnis-1",  # in both groups
    "bernd": "bernd-verzeichnis-2",  # in the Leitung's group
    "carla": "carla-verzeichnis-3",  # in no group
    "planerin": "planerin-verzeichnis-4",  # also a local account in the tests below
}
LOKAL = "lokales-passwort-lang"


def _person(uid: str, name: str) -> str:
    return f"""dn: uid={uid},ou=personen,{B}
objectClass: inetOrgPerson
uid: {uid}
cn: {name}
sn: {name.split()[-1]}
displayName: {name}
userPassword: {slapd.ssha(PASSWOERTER[uid])}
"""


def _ldif() -> str:
    units = "".join(
        f"dn: ou={ou},{B}\nobjectClass: organizationalUnit\nou: {ou}\n\n" for ou in ("personen", "gruppen", "dienste")
    )
    return f"""dn: {B}
objectClass: dcObject
objectClass: organization
o: Landkreis Musterland
dc: kreis

{units}dn: {slapd.DIENST_DN}
objectClass: person
objectClass: simpleSecurityObject
cn: sozialforum
sn: Dienstkonto
userPassword: {slapd.ssha(slapd.DIENST_PASSWORT)}

{_person("anna", "Anna Albers")}
{_person("bernd", "Bernd Berg")}
{_person("carla", "Carla Conrad")}
{_person("planerin", "Paula Plan")}
dn: {GS_GRUPPE}
objectClass: groupOfNames
cn: sozialplanung
member: uid=anna,ou=personen,{B}
member: uid=planerin,ou=personen,{B}

dn: {LEITUNG_GRUPPE}
objectClass: groupOfNames
cn: leitung
member: uid=anna,ou=personen,{B}
member: uid=bernd,ou=personen,{B}
"""


@pytest.fixture(scope="session")
def ldap_server() -> Iterator[slapd.Slapd]:
    missing = slapd.available()
    if missing:
        require_service(missing)
    server = slapd.start_slapd()
    try:
        server.add(_ldif())
        yield server
    finally:
        server.stop()


def _config(url: str, **extra: Any) -> dict[str, Any]:
    return {
        "aktiv": True,
        "url": url,
        "bind_dn": slapd.DIENST_DN,
        "bind_passwort": slapd.DIENST_PASSWORT,
        "basis_dn": B,
        # Written as an administrator might: other case, spaces after the commas.
        "rollen": {
            "CN=Sozialplanung, OU=Gruppen, DC=kreis, DC=example": "geschaeftsstelle",
            LEITUNG_GRUPPE: "leitung",
        },
        "timeout_sekunden": 2,
        **extra,
    }


def _settings(tmp_path: Path, engine: Engine, verzeichnis_: dict[str, Any] | None, **portal: Any) -> Settings:
    overrides: dict[str, Any] = {
        "data_dir": tmp_path / "var",
        "database_url": engine.url.render_as_string(hide_password=False),
        "portal": {
            "base_url": "http://testserver",
            "secret_key": "test-schluessel-" + "x" * 32,
            "formulare": str(REPO / "config" / "formulare.toml"),
            "fehlversuche_max": portal.pop("fehlversuche_max", 1000),
        },
    }
    if verzeichnis_ is not None:
        overrides["verzeichnis"] = verzeichnis_
    return load_settings(config_file=REPO / "config" / "sozialforum.toml", **overrides)


def _client(settings: Settings, engine: Engine, address: str = "10.0.0.1") -> TestClient:
    return TestClient(create_app(settings, engine, clock=Clock()), client=(address, 1))


def _attempt(client: TestClient, name: str, password: str, code: str = "") -> Any:
    csrf = csrf_of(client.get("/gs/anmelden").text)
    return client.post(
        "/gs/anmelden", data={"csrf": csrf, "name": name, "passwort": password, "code": code}, follow_redirects=False
    )


def _user(engine: Engine, name: str) -> Benutzer | None:
    with session_scope(engine, actor="test") as session:
        user = session.scalars(sa.select(Benutzer).where(Benutzer.name == name)).first()
        if user is not None:
            session.expunge(user)
        return user


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends: nobody listens


@pytest.mark.parametrize("gruppen", ["memberOf", "gruppensuche"])
def test_login_with_directory_password_role_from_group(
    tmp_path: Path, engine: Engine, ldap_server: slapd.Slapd, gruppen: str
) -> None:
    extra = {} if gruppen == "memberOf" else {"gruppen_attribut": "", "gruppen_basis_dn": f"ou=gruppen,{B}"}
    settings = _settings(tmp_path, engine, _config(ldap_server.url, **extra))
    with _client(settings, engine) as client:
        response = _attempt(client, "Anna", PASSWOERTER["anna"])
        assert response.status_code == 303 and response.headers["location"] == "/arbeitsplatz/"
        assert client.get("/arbeitsplatz/benutzer").status_code == 200  # the Geschäftsstelle's right
    anna = _user(engine, "anna")
    assert anna is not None
    # In both groups: the Geschäftsstelle comes first (ROLLEN_VORRANG).
    assert (anna.rolle, anna.quelle, anna.passwort_hash, anna.aktiv) == (
        BenutzerRolle.GESCHAEFTSSTELLE,
        BenutzerQuelle.VERZEICHNIS,
        "",
        True,
    )
    assert anna.anzeigename == "Anna Albers"
    with _client(settings, engine) as client:
        assert _attempt(client, "bernd", PASSWOERTER["bernd"]).status_code == 303
        assert client.get("/arbeitsplatz/benutzer").status_code == 403  # the Leitung reads only
    assert _user(engine, "bernd").rolle == BenutzerRolle.LEITUNG  # type: ignore[union-attr]


def test_role_follows_the_groups_at_every_login(
    tmp_path: Path, sqlite_engine: Engine, ldap_server: slapd.Slapd
) -> None:
    engine = sqlite_engine
    config = _config(ldap_server.url)
    with _client(_settings(tmp_path, engine, config), engine) as client:
        assert _attempt(client, "bernd", PASSWOERTER["bernd"]).status_code == 303
    assert _user(engine, "bernd").rolle == BenutzerRolle.LEITUNG  # type: ignore[union-attr]
    config["rollen"] = {LEITUNG_GRUPPE: "kommune"}
    with _client(_settings(tmp_path, engine, config), engine) as client:
        assert _attempt(client, "bernd", PASSWOERTER["bernd"]).status_code == 303
    assert _user(engine, "bernd").rolle == BenutzerRolle.KOMMUNE  # type: ignore[union-attr]


def test_wrong_password_refused_and_throttled(tmp_path: Path, engine: Engine, ldap_server: slapd.Slapd) -> None:
    settings = _settings(tmp_path, engine, _config(ldap_server.url), fehlversuche_max=3)
    with _client(settings, engine, "203.0.113.9") as stranger, _client(settings, engine, "10.1.1.1") as colleague:
        wrong = _attempt(stranger, "anna", "falsch-falsch-falsch")
        assert wrong.status_code == 401 and "Benutzername oder Passwort" in wrong.text
        assert _attempt(stranger, "anna", "").status_code == 401  # empty: no anonymous bind, counted
        assert _attempt(stranger, "anna", "nochmal-falsch").status_code == 429
        assert _attempt(stranger, "anna", PASSWOERTER["anna"]).status_code == 429  # locked for this address …
        assert _attempt(colleague, "anna", PASSWOERTER["anna"]).status_code == 303  # … not for the colleague
        # Unknown names count as well: spraying runs into the address budget (4 × 3).
        codes = [_attempt(stranger, name, "falsch") for name in ["bernd", "carla", "niemand"] * 4]
        assert codes[-1].status_code == 429
        assert _attempt(stranger, "bernd", PASSWOERTER["bernd"]).status_code == 429
    assert _user(engine, "niemand") is None


def test_user_without_group_refused(tmp_path: Path, sqlite_engine: Engine, ldap_server: slapd.Slapd) -> None:
    engine = sqlite_engine
    config = _config(ldap_server.url)
    with _client(_settings(tmp_path, engine, config), engine) as client:
        response = _attempt(client, "carla", PASSWOERTER["carla"])
        assert response.status_code == 403
        assert "zu keiner Gruppe, die sozialforum nutzen darf" in response.text
        assert client.get("/arbeitsplatz/", follow_redirects=False).status_code == 303  # not logged in
    assert _user(engine, "carla") is None  # no account for someone without a role
    # Bernd has an account and a session; then his group is no longer mapped: the next login is
    # refused, the account deactivated and his open session ended.
    with _client(_settings(tmp_path, engine, config), engine) as bernd:
        assert _attempt(bernd, "bernd", PASSWOERTER["bernd"]).status_code == 303
        config["rollen"] = {GS_GRUPPE: "geschaeftsstelle"}
        with _client(_settings(tmp_path, engine, config), engine) as again:
            assert _attempt(again, "bernd", PASSWOERTER["bernd"]).status_code == 403
        assert bernd.get("/arbeitsplatz/", follow_redirects=False).status_code == 303
    user = _user(engine, "bernd")
    assert user is not None and not user.aktiv
    with session_scope(engine, actor="test") as session:
        offen = session.scalars(
            sa.select(BenutzerSitzung).where(
                BenutzerSitzung.benutzer_id == user.id, BenutzerSitzung.beendet_am.is_(None)
            )  # type: ignore[union-attr]
        ).all()
        assert offen == []
    # Back in a mapped group, the deactivated account stays locked until the Geschäftsstelle acts.
    config["rollen"] = {LEITUNG_GRUPPE: "leitung"}
    with _client(_settings(tmp_path, engine, config), engine) as client:
        response = _attempt(client, "bernd", PASSWOERTER["bernd"])
        assert response.status_code == 403 and "Ihr Konto ist gesperrt" in response.text


@pytest.mark.parametrize("name", ["*)(uid=*", "anna)(uid=*", "ann*", "*", "anna)(|(uid=*)", "anna\\"])
def test_filter_injection_cannot_log_in(
    tmp_path: Path, sqlite_engine: Engine, ldap_server: slapd.Slapd, name: str
) -> None:
    engine = sqlite_engine
    settings = _settings(tmp_path, engine, _config(ldap_server.url))
    with _client(settings, engine) as client:
        # Unescaped, "anna)(uid=*" would make (&(objectClass=person)(uid=anna)(uid=*)): Anna's entry.
        assert _attempt(client, name, PASSWOERTER["anna"]).status_code == 401
    with session_scope(engine, actor="test") as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Benutzer)) == 0
    assert (
        verzeichnis.benutzer_filter(settings.verzeichnis, "*)(uid=*")
        == r"(&(objectClass=person)(uid=\2a\29\28uid=\2a))"
    )


def test_directory_off_by_default(tmp_path: Path, sqlite_engine: Engine, ldap_server: slapd.Slapd) -> None:
    engine = sqlite_engine
    assert load_settings(config_file=REPO / "config" / "sozialforum.toml").verzeichnis.aktiv is False
    assert _settings(tmp_path, engine, None).verzeichnis.aktiv is False
    with _client(_settings(tmp_path, engine, _config(ldap_server.url)), engine) as client:
        assert _attempt(client, "anna", PASSWOERTER["anna"]).status_code == 303  # account now exists
    # Everything configured but aktiv = false: the directory is not asked, the account (which
    # has no local password) cannot log in, with any password.
    off = _settings(tmp_path, engine, {**_config(ldap_server.url), "aktiv": False})
    with _client(off, engine) as client:
        assert _attempt(client, "anna", PASSWOERTER["anna"]).status_code == 401
        assert _attempt(client, "anna", "").status_code == 401
        assert _attempt(client, "bernd", PASSWOERTER["bernd"]).status_code == 401
    assert _user(engine, "bernd") is None


def test_directory_down_german_message_no_way_in(tmp_path: Path, sqlite_engine: Engine) -> None:
    engine = sqlite_engine
    with session_scope(engine, actor="test") as session:
        benutzer.create_user(session, name="lokal", anzeigename="L. Okal", password=LOKAL, now=NOW)
    settings = _settings(tmp_path, engine, _config(f"ldap://127.0.0.1:{_closed_port()}"))
    with _client(settings, engine) as client:
        response = _attempt(client, "anna", PASSWOERTER["anna"])
        assert response.status_code == 503
        assert "Verzeichnisdienst nicht erreichbar" in response.text
        assert client.get("/arbeitsplatz/", follow_redirects=False).status_code == 303
        assert _attempt(client, "lokal", LOKAL).status_code == 303  # local accounts still work
    # A server that accepts the connection and never answers: refused after the timeout.
    with socket.socket() as stumm:
        stumm.bind(("127.0.0.1", 0))
        stumm.listen(5)
        slow = _settings(tmp_path, engine, _config(f"ldap://127.0.0.1:{stumm.getsockname()[1]}", timeout_sekunden=1))
        with _client(slow, engine) as client:
            started = time.monotonic()
            response = _attempt(client, "anna", PASSWOERTER["anna"])
            assert response.status_code == 503 and "Verzeichnisdienst nicht erreichbar" in response.text
            assert time.monotonic() - started < 10


def test_wrong_service_account_is_an_outage_not_a_way_in(
    tmp_path: Path, sqlite_engine: Engine, ldap_server: slapd.Slapd
) -> None:
    engine = sqlite_engine
    for bind in ({"bind_passwort": "falsch"}, {"bind_dn": None, "bind_passwort": None}):
        settings = _settings(tmp_path, engine, _config(ldap_server.url, **bind))
        with _client(settings, engine) as client:
            response = _attempt(client, "anna", PASSWOERTER["anna"])
            # A wrong service password fails its bind; anonymous may bind but not search here.
            assert response.status_code == 503, response.text
            assert client.get("/arbeitsplatz/", follow_redirects=False).status_code == 303
    with _client(_settings(tmp_path, engine, _config(ldap_server.url, bind_passwort="falsch")), engine) as client:
        assert "Verzeichnisdienst nicht erreichbar" in _attempt(client, "anna", PASSWOERTER["anna"]).text


def test_local_account_first(tmp_path: Path, sqlite_engine: Engine, ldap_server: slapd.Slapd) -> None:
    """A local account with a password logs in locally only: the directory's entry of the same
    name (in the Geschäftsstelle's group) neither logs in nor changes the account's role."""
    engine = sqlite_engine
    with session_scope(engine, actor="test") as session:
        benutzer.create_user(
            session, name="planerin", anzeigename="P. Lokal", password=LOKAL, now=NOW, rolle=BenutzerRolle.LEITUNG
        )
    with _client(_settings(tmp_path, engine, _config(ldap_server.url)), engine) as client:
        assert _attempt(client, "planerin", PASSWOERTER["planerin"]).status_code == 401
        assert _attempt(client, "planerin", LOKAL).status_code == 303
    user = _user(engine, "planerin")
    assert user is not None and (user.rolle, user.quelle) == (BenutzerRolle.LEITUNG, BenutzerQuelle.LOKAL)


def test_totp_for_a_directory_account(tmp_path: Path, sqlite_engine: Engine, ldap_server: slapd.Slapd) -> None:
    engine = sqlite_engine
    settings = _settings(tmp_path, engine, _config(ldap_server.url))
    with _client(settings, engine) as client:
        assert _attempt(client, "bernd", PASSWOERTER["bernd"]).status_code == 303
        secret = zwei_faktoren_einschalten(client)
    with _client(settings, engine) as client:
        assert _attempt(client, "bernd", PASSWOERTER["bernd"]).status_code == 401  # password alone is not enough
        assert _attempt(client, "bernd", PASSWOERTER["bernd"], "000000").status_code == 401
        naechster = totp.code_at(secret, NOW + timedelta(seconds=totp.STEP_SECONDS))  # NOW's code switched it on
        assert _attempt(client, "bernd", PASSWOERTER["bernd"], naechster).status_code == 303
        # Switching it off asks for the password, which for this account is the directory's.
        page = client.get("/arbeitsplatz/konto").text
        wrong = client.post(
            "/arbeitsplatz/konto/zwei-faktoren", data={"csrf": csrf_of(page), "aus": "ja", "passwort": "x"}
        )
        assert wrong.status_code == 400
        off = client.post(
            "/arbeitsplatz/konto/zwei-faktoren",
            data={"csrf": csrf_of(page), "aus": "ja", "passwort": PASSWOERTER["bernd"]},
        )
        assert off.status_code == 200 and "ausgeschaltet" in off.text
    assert _user(engine, "bernd").totp_geheimnis is None  # type: ignore[union-attr]


def test_doctor_checks_the_directory(tmp_path: Path, sqlite_engine: Engine, ldap_server: slapd.Slapd) -> None:
    engine = sqlite_engine
    assert doktor.verzeichnisdienst(_settings(tmp_path, engine, None)) == []
    [ok] = doktor.verzeichnisdienst(_settings(tmp_path, engine, _config(ldap_server.url)))
    assert ok.stufe == "ok" and B in ok.meldung
    found = doktor.verzeichnisdienst(_settings(tmp_path, engine, _config(ldap_server.url, bind_passwort="falsch")))
    assert [b.stufe for b in found if b.stufe == "fehler"] == ["fehler"]
    down = doktor.verzeichnisdienst(_settings(tmp_path, engine, _config(f"ldap://127.0.0.1:{_closed_port()}")))
    assert any(b.stufe == "fehler" and "nicht erreichbar" in b.meldung for b in down)


def test_settings_check_an_active_directory(tmp_path: Path, sqlite_engine: Engine) -> None:
    with pytest.raises(SettingsError, match=r"Abschnitt \[verzeichnis\]: url fehlt"):
        _settings(tmp_path, sqlite_engine, {"aktiv": True, "basis_dn": B, "rollen": {GS_GRUPPE: "leitung"}})
    with pytest.raises(SettingsError, match="rollen ist leer"):
        _settings(tmp_path, sqlite_engine, {**_config("ldap://127.0.0.1:389"), "rollen": {}})
    with pytest.raises(SettingsError, match=r"Feld verzeichnis\.rollen"):
        _settings(tmp_path, sqlite_engine, {**_config("ldap://127.0.0.1:389"), "rollen": {GS_GRUPPE: "chef"}})
    with pytest.raises(SettingsError, match=r"Feld verzeichnis\.url"):
        _settings(tmp_path, sqlite_engine, {**_config("http://127.0.0.1")})


def test_tls_checks_trust_and_name(tmp_path: Path, sqlite_engine: Engine, ldap_server: slapd.Slapd) -> None:
    """ldaps:// and STARTTLS work with the own authority's certificate; a server the client does
    not trust, or one whose certificate names another host, is an outage, not a login."""
    engine = sqlite_engine
    ca = str(ldap_server.ca_datei)
    starttls = f"ldap://localhost:{ldap_server.port}"
    for url, extra in ((ldap_server.ldaps_url, {"ca_datei": ca}), (starttls, {"ca_datei": ca, "starttls": True})):
        with _client(_settings(tmp_path, engine, _config(url, **extra)), engine) as client:
            assert _attempt(client, "bernd", PASSWOERTER["bernd"]).status_code == 303, url
    wrong_name = f"ldaps://127.0.0.1:{ldap_server.tls_port}"  # the certificate is for "localhost"
    for url, extra in (
        (ldap_server.ldaps_url, {}),  # the system does not know the test authority
        (starttls, {"starttls": True}),
        (wrong_name, {"ca_datei": ca}),
    ):
        with _client(_settings(tmp_path, engine, _config(url, **extra)), engine) as client:
            response = _attempt(client, "bernd", PASSWOERTER["bernd"])
            assert response.status_code == 503 and "Verzeichnisdienst nicht erreichbar" in response.text, url
    [ok] = doktor.verzeichnisdienst(_settings(tmp_path, engine, _config(ldap_server.ldaps_url, ca_datei=ca)))
    assert ok.stufe == "ok"


def test_administration_shows_the_source_a_password_makes_it_local(
    tmp_path: Path, sqlite_engine: Engine, ldap_server: slapd.Slapd
) -> None:
    engine = sqlite_engine
    settings = _settings(tmp_path, engine, _config(ldap_server.url))
    with _client(settings, engine) as bernd:
        assert _attempt(bernd, "bernd", PASSWOERTER["bernd"]).status_code == 303
    bernd_id = _user(engine, "bernd").id  # type: ignore[union-attr]
    with _client(settings, engine) as anna:
        assert _attempt(anna, "anna", PASSWOERTER["anna"]).status_code == 303
        liste = anna.get("/arbeitsplatz/benutzer").text
        assert "<td>Verzeichnis</td>" in liste
        page = anna.get(f"/arbeitsplatz/benutzer/{bernd_id}").text
        assert "meldet sich über den Verzeichnisdienst an" in page
        saved = anna.post(
            f"/arbeitsplatz/benutzer/{bernd_id}",
            data={
                "csrf": csrf_of(page),
                "anzeigename": "Bernd Berg",
                "rolle": "leitung",
                "aktiv": "ja",
                "passwort": LOKAL,
            },
        )
        assert saved.status_code == 200, saved.text
    user = _user(engine, "bernd")
    assert user is not None and user.quelle == BenutzerQuelle.LOKAL
    with _client(settings, engine) as client:
        assert _attempt(client, "bernd", PASSWOERTER["bernd"]).status_code == 401  # the directory no longer counts
        assert _attempt(client, "bernd", LOKAL).status_code == 303
