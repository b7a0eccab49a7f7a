"""Step 4 of the planning cycle: the minutes (Protokoll) of a Sitzung.

The Protokollführung is asked for a draft by personal link (``anfordern``), reminded and, when
late, the Geschäftsstelle is told; the draft arrives per Tagesordnungspunkt or as a document
(``eingabe``, ``entwurf``); participants comment for a set period; the Geschäftsstelle approves
or returns it with remarks (``freigabe``); the approved minutes are rendered, archived,
distributed once and their Aufträge and recommendations become tracked ``Auftrag`` rows
(``endfassung``).

Every step reads and writes the store only, takes ``now`` as a parameter and is idempotent, so
the Prefect flow (flows/protokoll_einsammeln.py) can run it again at any time.
"""
