"""Every event type the platform publishes, found from the payload classes themselves, so a
new event cannot be left out of the AsyncAPI document or the contract tests."""

from __future__ import annotations

from danvan.contracts import contests, organisations, reception, registry, reporting, reports
from danvan.contracts.envelope import EventPayload

# Imported for their payload classes: each module's events register by subclassing.
_MODULES = (registry, organisations, contests, reception, reporting, reports)


def _concrete(cls: type[EventPayload]) -> bool:
    return not cls.__name__.startswith("_") and all(
        isinstance(getattr(cls, name, None), str) for name in ("service", "aggregate", "verb")
    )


def event_types() -> list[type[EventPayload]]:
    """Every concrete payload class, by service, aggregate and verb."""
    found: list[type[EventPayload]] = []
    pending = list(EventPayload.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if _concrete(cls) and cls not in found:
            found.append(cls)
    return sorted(found, key=lambda cls: (cls.service, cls.aggregate, cls.verb))


def events_of(service: str) -> list[type[EventPayload]]:
    return [cls for cls in event_types() if cls.service == service]
