"""Wiring of the reception service: its database, its event stream and outbox relay.

Citizen reception, petitions and dialogues arrive with the reception issue; the process,
its stream and its schema are part of the platform from the start.
"""

from __future__ import annotations

from danvan.config import Settings
from danvan.service import ServiceRuntime


def build(settings: Settings, *, nats_url: str | None = None) -> ServiceRuntime:
    return ServiceRuntime.create("reception", settings, nats_url=nats_url)
