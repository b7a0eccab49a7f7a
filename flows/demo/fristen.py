"""Demo step of deadlines and Beschluss tracking, through the real flows: the daily deadline watch
(reminders and escalations into the outbox, run twice to show that nothing goes out twice), the
leadership report with the deadline feed, the Sachstand table for the Ämter and the OParl export.
"""

from __future__ import annotations

from sozialforum.beschluesse.tabelle import export_xlsx
from sozialforum.demo import DemoRun
from sozialforum.fristen.datum import today_in_berlin
from sozialforum.oparl.export import export_oparl
from sozialforum.oparl.export_ordner import objects_to_validate, write_export
from sozialforum.oparl.schema import fehler
from sozialforum.store.db import session_scope


def demo_step(run: DemoRun) -> list[str]:
    from sozialforum.flows.fristen_ueberwachen import fristen_ueberwachen
    from sozialforum.flows.leitungsbericht import leitungsbericht

    lines = [f"Fristenüberwachung: {fristen_ueberwachen(konfiguration=run.config, jetzt=run.now)}"]
    again = fristen_ueberwachen(konfiguration=run.config, jetzt=run.now, zustellung=False)
    lines.append(f"Zweiter Lauf am selben Tag: {again.split(';')[0]}")
    result = leitungsbericht(konfiguration=run.config, jetzt=run.now)
    lines += [
        f"Leitungsbericht (HTML): {result['html']}",
        f"Leitungsbericht (PDF): {result['pdf']}",
        f"Fristen-Kalender zum Abonnieren: {result['ics']}",
    ]
    settings = run.settings
    today = today_in_berlin(run.now)
    with session_scope(run.engine, actor="demo:fristen") as session:
        table = settings.reports_dir / "sachstand-auftraege.xlsx"
        count = export_xlsx(session, table, today=today, bald=settings.fristen.bald_faellig_tage)
        files = export_oparl(
            session, base_url=f"{settings.portal.base_url.rstrip('/')}/oparl", today=today, settings=settings
        )
    lines.append(f"Sachstandstabelle für die Ämter ({count} Aufträge): {table}")
    invalid = sum(1 for obj in objects_to_validate(files) if fehler(obj))
    target = settings.data_dir / "oparl"
    written = write_export(files, target)
    lines.append(f"OParl-1.1-Export ({written} Dateien, {invalid} ungültige Objekte): {target}")
    return lines
