"""The follower's own state in one SQLite file: the ids of the events it applied, and what it
knows of each petition. Both change in one transaction, so an event delivered again (JetStream
redelivers what was not acknowledged, and a publisher may send a copy) is recognised by its id
and applied once."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from danvan.contracts.envelope import RawCloudEvent
from danvan.contracts.reception import PetitionEvent

# What the follower derives from the events: its "effect". A real subscriber keeps its own
# tables here, written in the same transaction as the event's id.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen_events (
    event_id TEXT PRIMARY KEY,
    stream_sequence INTEGER NOT NULL,
    type TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE IF NOT EXISTS petitions (
    petition_id TEXT PRIMARY KEY,
    unit_code TEXT NOT NULL,
    status TEXT NOT NULL,
    record_version INTEGER NOT NULL,
    last_event_id TEXT NOT NULL
);
"""

# A step's events carry the petition's record version: an older one never overwrites a newer.
_UPSERT_PETITION = """
INSERT INTO petitions (petition_id, unit_code, status, record_version, last_event_id)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (petition_id) DO UPDATE SET
    unit_code = excluded.unit_code,
    status = excluded.status,
    record_version = excluded.record_version,
    last_event_id = excluded.last_event_id
WHERE excluded.record_version > petitions.record_version
"""


class PetitionStore:
    """Seen event ids and the petitions' last known state, in the file at `path`."""

    def __init__(self, path: Path) -> None:
        # The default rollback journal with synchronous=FULL: a commit is on disk before the
        # follower acknowledges the event, so a crash never loses an acknowledged event.
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.executescript(_SCHEMA)

    def apply(self, event: RawCloudEvent, petition: PetitionEvent, sequence: int) -> bool:
        """Record the event and its effect in one transaction; False when its id was seen
        before (nothing changes then)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            inserted = self._db.execute(
                "INSERT OR IGNORE INTO seen_events (event_id, stream_sequence, type) "
                "VALUES (?, ?, ?)",
                (str(event.id), sequence, event.type),
            ).rowcount
            if inserted:
                self._db.execute(
                    _UPSERT_PETITION,
                    (
                        str(petition.petition_id),
                        petition.unit_code,
                        petition.status.value,
                        petition.record_version,
                        str(event.id),
                    ),
                )
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        return bool(inserted)

    def close(self) -> None:
        self._db.close()
