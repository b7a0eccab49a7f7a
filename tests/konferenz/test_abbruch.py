"""Kill the send at random points during a 2,000-recipient batch, rerun it until it completes,
alternately on two "machines" (separate data_dirs, no shared folder): nothing is ever sent
twice, and every recipient has exactly one message once a person has decided the messages of
unclear delivery (a kill after the hand-over record: the server may or may not have it).

The kills do not wait for anything the store records; they fall anywhere in a transaction.
The deterministic kills on each side of the hand-over record are in ``test_unklar``.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, select

from sozialforum.konferenz import termine
from sozialforum.store.models import Gremium, OutboxMessage
from sozialforum.vocab import GremiumArt, OutboxStatus
from tests.betrieb.helfer import mitglieder, resolve_uncertain
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
        mitglieder(session, gremium.id, RECIPIENTS)
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
def test_killed_send_reruns_to_exactly_one_message_each(sqlite_engine, tmp_path, monkeypatch) -> None:
    from sozialforum.settings import load_settings

    url = sqlite_engine.url.render_as_string(hide_password=False)
    settings = load_settings(None, data_dir=tmp_path / "var", database_url=url)
    sitzung_id = _big_gremium(sqlite_engine, settings)
    seed = int(os.environ.get("SOZIALFORUM_KILL_SEED", random.randrange(1_000_000)))
    rng = random.Random(seed)
    log = [f"seed={seed}"]
    with LoopbackSmtp() as smtp:

        def after_seconds(seconds: float) -> Callable[[], bool]:
            deadline = time.monotonic() + seconds
            return lambda: time.monotonic() >= deadline

        def after_messages(count: int) -> Callable[[], bool]:
            # Anywhere after the count-th arrival: inside the next transaction, between the body,
            # the hand-over record, the final dot and the booking; nothing waits for the store.
            jitter = rng.uniform(0, 0.004)
            reached: list[float] = []

            def check() -> bool:
                if not reached and len(smtp.collector.messages) >= count:
                    reached.append(time.monotonic())
                return bool(reached) and time.monotonic() - reached[0] >= jitter

            return check

        # One kill while the batch is being queued, then kills at random points of the delivery.
        plan: list[Callable[[], bool] | None] = [after_seconds(rng.uniform(0.5, 2.5))]
        targets = sorted(rng.sample(range(50, RECIPIENTS - 50), 5))
        runs = len(targets) + 2
        for attempt in range(runs):
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
            log.append(_run(args, kill))
        time.sleep(0.2)  # the server drops the unfinished DATA of the last kill
        # Nothing was ever sent twice, before any person decided anything.
        twice = [rcpt for rcpt, n in Counter(m.rcpt_tos[0] for m in smtp.collector.messages).items() if n > 1]
        assert twice == [], log
        monkeypatch.setenv("SOZIALFORUM_DATA_DIR", str(tmp_path / "var"))
        monkeypatch.setenv("SOZIALFORUM_DATABASE_URL", url)
        confirmed, again = resolve_uncertain(sqlite_engine, list(smtp.collector.messages), [])
        log.append(f"unklar: {len(confirmed)} bestätigt, {len(again)} erneut gesendet")
        final = NOW + timedelta(minutes=2 * runs)
        log.append(_run([url, str(tmp_path / "maschine0"), str(smtp.port), final.isoformat(), str(sitzung_id)], None))
        received = list(smtp.collector.messages)

    per_recipient = Counter(message.rcpt_tos[0] for message in received)
    assert set(per_recipient) == {f"person{n}@traeger.example" for n in range(RECIPIENTS)}, log
    assert [r for r, n in per_recipient.items() if n != 1] == [], log
    with Session(sqlite_engine) as session:
        statuses = session.exec(select(OutboxMessage.status)).all()
        assert len(statuses) == RECIPIENTS and set(statuses) == {OutboxStatus.SENT}
    print("\n".join(log))
