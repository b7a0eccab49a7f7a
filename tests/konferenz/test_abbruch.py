"""Kill the send at random points during a 2,000-recipient batch, rerun it until it completes,
alternately on two "machines" (separate data_dirs, no shared folder): every recipient has
exactly one message, none is lost.

"Exactly one" is the message identity: a kill in the instant between the server's 250 and the
commit of "sent" makes the rerun transmit that one message again, as the same bytes with the
same Message-ID (receiving servers and clients treat it as the same message). The test bounds
such retransmissions by the number of kills and requires them to be byte-identical.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from sozialforum.konferenz import termine
from sozialforum.store.models import Gremium, Mitgliedschaft, OutboxMessage, Person
from sozialforum.vocab import GremiumArt, OutboxStatus, Rechtsgrundlage
from tests.konferenz.fixtures import MEETING_DAY, NOW
from tests.konferenz.smtp_server import LoopbackSmtp

RECIPIENTS = 2000
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _big_gremium(engine, settings) -> int:
    with Session(engine) as session:
        gremium = Gremium(
            kennung="SRK-GROSS", name="Regionales Sozialforum Nord", art=GremiumArt.REGIONALES_SOZIALFORUM
        )
        session.add(gremium)
        session.flush()
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
                for n in range(RECIPIENTS)
            ],
        )
        ids = session.scalars(sa.select(Person.id).order_by(Person.id)).all()
        session.execute(
            sa.insert(Mitgliedschaft),
            [
                {
                    "gremium_id": gremium.id,
                    "person_id": pid,
                    "von": date(2025, 1, 1),
                    "rolle": "mitglied",
                    "stimmberechtigt": False,
                }
                for pid in ids
            ],
        )
        sitzung = termine.plan_sitzung(
            session,
            gremium_id=gremium.id,
            tag=MEETING_DAY,
            uhrzeit=datetime.min.time().replace(hour=17),
            settings=settings,
            ort="Kreishaus",
        )
        session.commit()
        return sitzung.id


def _run(args: list[str], kill: Callable[[], bool] | None) -> str:
    """Run the send; with ``kill``, SIGKILL it as soon as ``kill()`` says so (polled each ms)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.konferenz.versand_prozess", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    if kill is None:
        out, _ = process.communicate(timeout=300)
        assert process.returncode == 0, out
        return out.strip()
    started = time.monotonic()
    while process.poll() is None and not kill():
        time.sleep(0.001)
    process.send_signal(signal.SIGKILL)
    out, _ = process.communicate(timeout=60)
    return f"nach {time.monotonic() - started:.2f}s beendet (rc={process.returncode}): {out.strip()[-160:]}"


@pytest.mark.slow
def test_killed_send_reruns_to_exactly_one_message_each(sqlite_engine, tmp_path) -> None:
    from sozialforum.settings import load_settings

    url = sqlite_engine.url.render_as_string(hide_password=False)
    settings = load_settings(None, data_dir=tmp_path / "var", database_url=url)
    sitzung_id = _big_gremium(sqlite_engine, settings)
    seed = int(os.environ.get("SOZIALFORUM_KILL_SEED", random.randrange(1_000_000)))
    rng = random.Random(seed)
    log = [f"seed={seed}"]
    kills = 0
    with LoopbackSmtp() as smtp:

        def after_seconds(seconds: float) -> Callable[[], bool]:
            deadline = time.monotonic() + seconds
            return lambda: time.monotonic() >= deadline

        def after_messages(count: int) -> Callable[[], bool]:
            jitter = rng.uniform(0, 0.003)  # land anywhere inside a transaction, not on its edge
            reached: list[float] = []

            def check() -> bool:
                if not reached and len(smtp.collector.messages) >= count:
                    reached.append(time.monotonic())
                return bool(reached) and time.monotonic() - reached[0] >= jitter

            return check

        # One kill while the batch is being queued, then kills at random points of the delivery.
        plan: list[Callable[[], bool] | None] = [after_seconds(rng.uniform(0.5, 2.5))]
        targets = sorted(rng.sample(range(50, RECIPIENTS - 50), 5))
        for attempt in range(len(targets) + 2):
            # Each rerun is a later run (time is a parameter): claims of a killed run have expired.
            now = NOW + timedelta(minutes=2 * attempt)
            # Two machines with their own data_dir take turns: what makes a rerun exact is in the store.
            machine = tmp_path / f"maschine{attempt % 2}"
            args = [url, str(machine), str(smtp.port), now.isoformat(), str(sitzung_id)]
            if attempt == 0:
                kill = plan[0]
            elif attempt <= len(targets):
                kill = after_messages(max(targets[attempt - 1], len(smtp.collector.messages) + 1))
            else:
                kill = None
            kills += kill is not None
            log.append(_run(args, kill))
        received = list(smtp.collector.messages)

    per_recipient: dict[str, list[bytes]] = defaultdict(list)
    for message in received:
        per_recipient[message.rcpt_tos[0]].append(message.content)
    missing = {f"person{n}@traeger.example" for n in range(RECIPIENTS)} - set(per_recipient)
    assert not missing, f"verloren: {sorted(missing)[:5]} ({log})"
    assert len(per_recipient) == RECIPIENTS
    retransmitted = {rcpt: copies for rcpt, copies in per_recipient.items() if len(copies) > 1}
    for copies in retransmitted.values():
        assert len(set(copies)) == 1, "a rerun must resend the very same bytes (same Message-ID)"
    assert len(retransmitted) <= kills, log
    with Session(sqlite_engine) as session:
        statuses = session.exec(select(OutboxMessage.status)).all()
        assert len(statuses) == RECIPIENTS and set(statuses) == {OutboxStatus.SENT}
    print("\n".join(log), f"\nerneut übertragen: {len(retransmitted)}")
