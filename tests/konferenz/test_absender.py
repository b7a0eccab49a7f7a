"""Calendar replies whose sender is proven: our mail server's Authentication-Results read with
DMARC alignment, or a DKIM signature verified here; unproven ones held ("streng") or named
("melden"). The mails are the fixtures' replies with the headers real servers prepend, read from a
real Maildir."""

from __future__ import annotations

import base64
import mailbox
from datetime import timedelta

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlmodel import Session, select

from sozialforum.channels.mail_auth import absender_pruefen, ausgerichtet, parse_authentication_results
from sozialforum.konferenz import antworten, zurueckgehalten
from sozialforum.store.models import GehalteneAntwort, Rueckmeldung
from sozialforum.vocab import Antwort, AntwortQuelle
from tests.konferenz import mta_koepfe as k
from tests.konferenz.fixtures import NOW
from tests.konferenz.fixtures import answers as _answers

LATER = NOW + timedelta(days=5)


def test_the_header_is_read_with_comments_quotes_folding_and_without_authserv_id() -> None:
    kopf = parse_authentication_results(
        "mx.example.org 1; (a comment; with a semicolon (nested)) dkim=pass\r\n\t(2048-bit key)"
        ' header.d=a.example reason="ok; really"; spf = fail smtp.mailfrom=x@b.example; none'
    )
    assert kopf.authserv_id == "mx.example.org"
    assert [(e.methode, e.resultat) for e in kopf.ergebnisse] == [("dkim", "pass"), ("spf", "fail")]
    assert kopf.ergebnisse[0].eigenschaften == {"header.d": "a.example", "reason": "ok; really"}
    exchange = parse_authentication_results(k.EXCHANGE_ONLINE.split("\r\nReceived-SPF")[0].split(": ", 1)[1])
    assert exchange.authserv_id == ""
    assert [e.methode for e in exchange.ergebnisse] == ["spf", "dkim", "dmarc", "compauth"]


def test_alignment_is_relaxed_within_one_domain_never_across() -> None:
    assert ausgerichtet("awo-sued.example", "awo-sued.example")
    assert ausgerichtet("awo-sued.example", "mail.awo-sued.example")
    assert ausgerichtet("mail.awo-sued.example", "awo-sued.example")
    assert not ausgerichtet("evil.example", "awo-sued.example")
    assert not ausgerichtet("evil-awo-sued.example", "awo-sued.example")
    assert not ausgerichtet("example", "awo-sued.example")  # a bare top-level domain aligns nothing


@pytest.mark.parametrize(
    ("authserv_id", "kopf", "fixture", "belegt", "im_grund"),
    [
        (k.MX, k.POSTFIX_DMARC_PASS, "thunderbird_zusage.eml", True, "DMARC bestanden für awo-sued.example"),
        (k.MX, k.POSTFIX_OHNE_DMARC_DKIM_PASS, "thunderbird_zusage.eml", True, "DKIM-Signatur von awo-sued.example"),
        ("", k.EXCHANGE_ONLINE, "outlook_absage.eml", True, "SPF bestanden für caritas-sued.example"),
        ("", k.EXCHANGE_NUR_COMPAUTH, "outlook_absage.eml", False, "SPF none, DKIM none, DMARC none"),
        ("mx.google.com", k.GMAIL, "google_absage_doppelt.eml", True, "DKIM-Signatur von awo-sued.example"),
        (k.MX, k.GEFAELSCHT_DARUEBER + k.POSTFIX_FAIL, "thunderbird_zusage.eml", False, "DMARC fail"),
        (k.MX, k.GEFAELSCHT_DARUEBER, "thunderbird_zusage.eml", False, "kein Prüfergebnis"),
        (k.MX, k.POSTFIX_FREMDE_DOMAIN, "thunderbird_zusage.eml", False, "von evil.example passt nicht"),
        (k.MX, k.POSTFIX_MAILINGLISTE, "apple_vielleicht.eml", False, "lists.netzwerk-sued.example passt nicht"),
        (k.MX, "", "ohne_huelle_zusage.ics", False, "ohne E-Mail-Kopf"),
    ],
)
def test_what_proves_a_sender(authserv_id, kopf, fixture, belegt, im_grund) -> None:
    nachweis = absender_pruefen(k.mail(fixture, oben=kopf), authserv_id=authserv_id)
    assert nachweis.echt is belegt and im_grund in nachweis.grund, nachweis.grund


def test_a_forged_header_with_our_id_below_our_servers_lines_does_not_count() -> None:
    forged = k.mail("thunderbird_zusage.eml", oben=k.POSTFIX_FAIL, unten=k.GEFAELSCHT_DARUNTER)
    assert not absender_pruefen(forged, authserv_id=k.MX).echt
    # A mail our server wrote no verdict for proves nothing.
    kein_urteil = k.mail("thunderbird_zusage.eml", oben=k.POSTFIX_FAIL.split("Authentication-Results")[0])
    assert "kein Prüfergebnis" in absender_pruefen(kein_urteil, authserv_id=k.MX).grund


def _postfach(tmp_path, settings, *mails: bytes) -> list[str]:
    box = mailbox.Maildir(str(tmp_path / "postfach"), create=True)
    keys = [box.add(data) for data in mails]
    settings.mail.maildir = tmp_path / "postfach"
    return keys


def test_strict_holds_the_unproven_records_the_proven_and_survives_a_second_read(
    engine, settings, eingeladen, tmp_path
) -> None:
    settings.mail.authserv_id, settings.mail.antworten_pruefen = k.MX, "streng"
    keys = _postfach(
        tmp_path,
        settings,
        k.mail("outlook_zusage.eml", oben=k.GEFAELSCHT_DARUEBER + k.POSTFIX_FAIL, unten=k.GEFAELSCHT_DARUNTER),
        k.mail("apple_vielleicht.eml", oben=k.POSTFIX_MAILINGLISTE),
        k.mail("thunderbird_zusage.eml", oben=k.POSTFIX_DMARC_PASS),
    )
    report = antworten.process_mailbox(engine, settings, now=LATER)
    assert report.erfasst == 1 and not report.probleme
    gruende = {problem.herkunft: problem.grund for problem in report.zurueckgehalten}
    assert gruende.keys() == {f"maildir:{keys[0]}", f"maildir:{keys[1]}"}
    assert gruende[f"maildir:{keys[0]}"].startswith(
        "Zusage von erika.mustermann@awo-sued.example zu „Sozialraumkonferenz Süd"
    )
    assert "zurückgehalten, Absender nicht belegt: DMARC fail" in gruende[f"maildir:{keys[0]}"]
    assert "2 zurückgehalten" in report.summary()
    answers = _answers(engine, eingeladen)
    assert answers["P04"] == (Antwort.ZUSAGE, AntwortQuelle.KALENDER)
    assert answers["P01"][0] == Antwort.OFFEN and answers["P03"][0] == Antwort.OFFEN
    # A crash after the commit but before the mail was marked: read again, held once.
    with Session(engine) as session:
        report = antworten.AntwortBericht()
        data = k.mail("apple_vielleicht.eml", oben=k.POSTFIX_MAILINGLISTE)
        antworten.process_message(session, data, herkunft="x", now=LATER, report=report, settings=settings)
        session.commit()
        assert len(report.zurueckgehalten) == 1
        held = zurueckgehalten.offene(session, eingeladen.sitzung_id)
        assert sorted((h.antwort, h.absender) for h in held) == [
            (Antwort.VIELLEICHT, "kim.lange@familienzentrum.example"),
            (Antwort.ZUSAGE, "erika.mustermann@awo-sued.example"),
        ]
    assert antworten.process_mailbox(engine, settings, now=LATER).zurueckgehalten == []


def test_report_mode_records_and_names_the_unproven(engine, settings, eingeladen, tmp_path) -> None:
    settings.mail.authserv_id = k.MX  # antworten_pruefen keeps its default, "melden"
    assert settings.mail.antworten_pruefen == "melden"
    _postfach(tmp_path, settings, k.mail("thunderbird_zusage.eml", oben=k.POSTFIX_FREMDE_DOMAIN))
    report = antworten.process_mailbox(engine, settings, now=LATER)
    assert report.erfasst == 1 and len(report.ohne_nachweis) == 1
    assert "übernommen, Absender aber nicht belegt" in report.ohne_nachweis[0].grund
    assert "evil.example" in report.ohne_nachweis[0].grund
    assert _answers(engine, eingeladen)["P04"] == (Antwort.ZUSAGE, AntwortQuelle.KALENDER)


def test_taking_over_a_held_reply_records_it_with_who_took_it(engine, settings, eingeladen, tmp_path) -> None:
    settings.mail.authserv_id, settings.mail.antworten_pruefen = k.MX, "streng"
    _postfach(
        tmp_path,
        settings,
        k.mail("apple_vielleicht.eml", oben=k.POSTFIX_MAILINGLISTE),
        k.mail("outlook_zusage.eml", oben=k.POSTFIX_FAIL),
    )
    antworten.process_mailbox(engine, settings, now=LATER)
    with Session(engine) as session:
        held = {h.absender: h.id for h in zurueckgehalten.offene(session, eingeladen.sitzung_id)}
        kim_id, erika_id = held["kim.lange@familienzentrum.example"], held["erika.mustermann@awo-sued.example"]
    with Session(engine) as session:
        changed = antworten.take_over(
            session, sitzung_id=eingeladen.sitzung_id, held_id=kim_id, now=LATER, von="Petra Planerin"
        )
        zurueckgehalten.verwerfen(session, sitzung_id=eingeladen.sitzung_id, held_id=erika_id, now=LATER, von="P")
        session.commit()
    assert changed
    answers = _answers(engine, eingeladen)
    assert answers["P03"] == (Antwort.VIELLEICHT, AntwortQuelle.KALENDER) and answers["P01"][0] == Antwort.OFFEN
    with Session(engine) as session:
        row = session.exec(select(Rueckmeldung).where(Rueckmeldung.person_id == eingeladen.person_ids["P03"])).one()
        assert row.erfasst_von == "Petra Planerin"
        assert zurueckgehalten.offene(session, eingeladen.sitzung_id) == []
        assert session.get(GehalteneAntwort, erika_id).uebernommen is False
        with pytest.raises(LookupError, match="schon jemand erledigt"):
            antworten.take_over(session, sitzung_id=eingeladen.sitzung_id, held_id=kim_id, now=LATER, von="X")


def _schluessel() -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def test_without_authserv_id_dkim_is_verified_here(engine, settings, eingeladen, tmp_path) -> None:
    private, record = _schluessel()
    zone = {b"s1._domainkey.awo-sued.example.": record, b"s1._domainkey.evil.example.": record}
    lookups: list[bytes] = []

    def dns(name: bytes, timeout: int = 5) -> bytes | None:
        lookups.append(name)
        return zone.get(name)

    def signed(fixture: str, domain: bytes) -> bytes:
        data = k.mail(fixture)
        return dkim.sign(data, b"s1", domain, private, include_headers=[b"from", b"to", b"subject"]) + data

    echt = signed("thunderbird_zusage.eml", b"awo-sued.example")
    assert absender_pruefen(echt, authserv_id=None, dns=dns).grund == "DKIM-Signatur von awo-sued.example geprüft"
    veraendert = echt.replace(b"PARTSTAT=ACCEPTED", b"PARTSTAT=DECLINED")
    assert "Text nach dem Signieren verändert" in absender_pruefen(veraendert, authserv_id=None, dns=dns).grund
    fremd = signed("outlook_zusage.eml", b"evil.example")
    assert "von evil.example passt nicht" in absender_pruefen(fremd, authserv_id=None, dns=dns).grund
    assert "keine DKIM-Signatur" in absender_pruefen(k.mail("outlook_zusage.eml"), authserv_id=None).grund
    ohne_schluessel = k.mail("outlook_zusage.eml")
    unbekannt = dkim.sign(ohne_schluessel, b"s9", b"awo-sued.example", private) + ohne_schluessel
    assert "kein Schlüssel im DNS" in absender_pruefen(unbekannt, authserv_id=None, dns=dns).grund

    settings.mail.antworten_pruefen = "streng"
    _postfach(tmp_path, settings, echt, fremd)
    report = antworten.process_mailbox(engine, settings, now=LATER, dns=dns)
    assert report.erfasst == 1 and len(report.zurueckgehalten) == 1
    assert _answers(engine, eingeladen)["P04"] == (Antwort.ZUSAGE, AntwortQuelle.KALENDER)
    assert set(lookups) == {*zone, b"s9._domainkey.awo-sued.example."}
