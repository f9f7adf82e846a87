"""What every reception handler holds: the service, the units, the clock and the settings
that shape its rules."""

from __future__ import annotations

from dataclasses import dataclass

from danvan.clock import Clock
from danvan.service import ServiceRuntime
from danvan.units import UnitTree
from services.reception.deadlines import DeadlineSettings


@dataclass(frozen=True, slots=True)
class ReceptionContext:
    runtime: ServiceRuntime
    units: UnitTree
    clock: Clock
    deadlines: DeadlineSettings
    crowd_threshold: int
    nearly_due_days: int
