"""Notes on core NATS (not kept in a stream): reporting says which provinces' figures a
committed batch changed, so whoever caches views (the gateway) drops what went stale.

A note may be lost (core NATS delivers at most once); a reader must bound what it keeps by
time as well. The event subjects themselves (`evt.<service>.…<province>`) carry the same
province token as their last part.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from faststream.nats import NatsBroker

log = logging.getLogger(__name__)

APPLIED_PREFIX = "note.reporting.applied"
APPLIED_SUBJECTS = f"{APPLIED_PREFIX}.>"
EVENT_SUBJECTS = "evt.>"
# Every province at once: after a rebuild switches the views to a new build.
EVERYWHERE = "all"


def applied_subject(province: str) -> str:
    return f"{APPLIED_PREFIX}.{province}"


def province_of(subject: str) -> str:
    """The province token an event or a note is about: its subject's last part."""
    return subject.rsplit(".", 1)[-1]


def provinces_of(subjects: Iterable[str]) -> set[str]:
    return {province_of(subject) for subject in subjects}


async def note_applied(broker: NatsBroker, provinces: Iterable[str]) -> None:
    """Tell the caches that these provinces' figures moved. Best effort: the batch is already
    committed, and a lost note only keeps a cached view until it expires."""
    for province in sorted(set(provinces)):
        try:
            await broker.publish(b"", applied_subject(province))
        except Exception as error:  # never fail a committed batch over a note
            log.warning("could not publish %s: %s", applied_subject(province), error)
