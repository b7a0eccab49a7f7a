"""The notice of a renewed calendar address: a person's to the person alone, a Gremium's to each
member of today who may be mailed (one mail each); through the outbox, delivered over real SMTP
on loopback exactly once, however often the notice is queued or the delivery resumed."""

from __future__ import annotations

import re

from sqlmodel import Session, col, select

from sozialforum import outbox
from sozialforum.konferenz import feeds, kalenderadresse
from sozialforum.store.models import Gremium, OutboxMessage, Person
from sozialforum.vocab import NachrichtArt
from tests.konferenz import support
from tests.konferenz.fixtures import NOW

FEED_TOKEN = re.compile(r"(/kalender/(?:person|gremium)/[^/]+/)[0-9a-f]{32}\.ics")


def _view(raw: bytes) -> str:
    """The golden view with the feed token (derived from the test's random key) replaced."""
    return FEED_TOKEN.sub(r"\1<TOKEN>.ics", support.decoded_view(raw))


def _renew(engine, settings, row_type, row_id: int) -> tuple[str, str, kalenderadresse.Mitteilung]:
    """Renew the feed's address and queue the notice: (old URL, new URL, what was queued)."""
    with Session(engine, expire_on_commit=False) as session:
        row = session.get(row_type, row_id)
        url = feeds.person_feed_url if row_type is Person else feeds.gremium_feed_url
        alt = url(settings, row)
        feeds.neue_adresse(session, row)
        mitteilung = kalenderadresse.mitteilen(session, row, now=NOW, settings=settings)
        session.commit()
        return alt, url(settings, row), mitteilung


def test_a_persons_new_address_reaches_her_once(engine, smtp_settings, smtp, konferenz) -> None:
    erika = konferenz.person_ids["P01"]
    alt, neu, mitteilung = _renew(engine, smtp_settings, Person, erika)
    assert (mitteilung.neu, mitteilung.ohne_mail) == (1, [])
    # Queued again (a retried request) or delivered twice (a resumed run): still one mail.
    with Session(engine) as session:
        again = kalenderadresse.mitteilen(session, session.get(Person, erika), now=NOW, settings=smtp_settings)
        session.commit()
    assert again.neu == 0
    outbox.deliver_pending(engine, smtp_settings, now=NOW)
    outbox.deliver_pending(engine, smtp_settings, now=NOW)
    assert [m.rcpt_tos for m in smtp.collector.messages] == [["erika.mustermann@awo-sued.example"]]
    message = support.parse(smtp.collector.messages[0].content)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert neu in text and alt not in text and "Ihr Kalender mit Ihren Sitzungsterminen" in text
    assert f'href="{kalenderadresse.webcal(neu)}"' in html and neu.startswith("http")
    support.assert_golden("kalenderadresse_person.txt", _view(smtp.collector.messages[0].content))


def test_a_gremiums_new_address_goes_to_each_member_alone(engine, smtp_settings, smtp, konferenz) -> None:
    _, neu, mitteilung = _renew(engine, smtp_settings, Gremium, konferenz.gremium_id)
    # Today's members who may be mailed, one mail per address (Ana and Doris share info@).
    assert mitteilung.neu == 4
    ohne = dict(mitteilung.ohne_mail)
    assert ohne["Paul Ohnezustimmung"] == "keine Einwilligung oder andere Rechtsgrundlage für die Kontaktaufnahme"
    assert ohne["Doris Doppelt"] == "gleiche Adresse wie Ana Dimitrova: eine Nachricht pro Adresse"
    assert "Otto Ausgeschieden" not in ohne and len(ohne) == 7
    assert mitteilung.kurz == "4 E-Mails, 7 ohne E-Mail-Adresse oder Einwilligung"
    outbox.deliver_pending(engine, smtp_settings, now=NOW)
    received = {m.rcpt_tos[0]: m.content for m in smtp.collector.messages}
    assert all(len(m.rcpt_tos) == 1 for m in smtp.collector.messages) and len(received) == mitteilung.neu
    assert sorted(received) == [
        "erika.mustermann@awo-sued.example",
        "info@awo-sued.example",
        "j.oeztuerk@caritas-sued.example",
        "kim.lange@familienzentrum.example",
    ]
    with Session(engine) as session:
        person_urls = [feeds.person_feed_url(smtp_settings, p) for p in session.exec(select(Person)).all()]
        kinds = session.exec(select(OutboxMessage.art).where(col(OutboxMessage.art) == "kalenderadresse")).all()
    assert kinds == [NachrichtArt.KALENDERADRESSE.value] * mitteilung.neu
    for content in received.values():
        text = support.parse(content).get_body(("plain",)).get_content()
        # The Gremium's address, and nobody's personal feed (nor another recipient's address).
        assert neu in text and not any(url in text for url in person_urls)
        assert not (set(re.findall(r"[\w.-]+@[\w.-]+", text)) & (set(received) - {support.parse(content)["To"]}))
    erika = received["erika.mustermann@awo-sued.example"]
    support.assert_golden("kalenderadresse_gremium.txt", _view(erika))
