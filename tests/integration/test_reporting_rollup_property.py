"""Property: for random events over random units, delivered in any order, in any batches and
with duplicates, every unit's figure equals what a plain count of the distinct events gives,
what was recorded at its own level equals the facts placed exactly there, and a parent's
figure is the sum of its children's plus its own level's — in both boundaries, for every
period tried. Runs the real projection on a real SQLite database."""

from __future__ import annotations

import asyncio
import random
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from danvan.clock import VIETNAM, FixedClock
from danvan.contracts.envelope import EventPayload, RawCloudEvent, make_event
from danvan.contracts.reception import (
    PetitionClass,
    PetitionerKind,
    PetitionReceived,
    PetitionSource,
    PetitionStatus,
    ReceiverRole,
    ReceptionMode,
    Sector,
    VisitRecorded,
)
from danvan.contracts.registry import ModelField, ModelRegistered
from danvan.contracts.reporting import Boundaries, FiguresQuery, FiguresView
from danvan.db import create_engine, session_factory, transaction
from danvan.inbox import inbox_table
from danvan.migrate import upgrade
from danvan.periods import Basis, Period
from danvan.pull import Delivered
from danvan.units import load_units
from services.reporting.builds import BUILD_TABLES
from services.reporting.figures import FiguresReader
from services.reporting.projection import Projector
from services.reporting.rollup import Placer

UNITS = load_units()
# Former and current units of Hà Nội and of Hồ Chí Minh City: a commune merged whole
# (old-00001 into 00097), split ones (old-00244, old-00097), a former district and province,
# current communes and provinces, the nation.
POOL = [
    "old-00001",
    "old-00244",
    "old-00097",
    "old-003",
    "old-01",
    "00097",
    "00256",
    "01",
    "VN",
    "old-27334",
    "27316",
    "79",
]
START = date(2024, 6, 1)
DAYS = (date(2026, 3, 31) - START).days
PERIODS = [
    ("2024", "calendar"),
    ("2025", "calendar"),
    ("2025", "cutoff"),
    ("2025S1", "cutoff"),
    ("202507", "calendar"),
    ("2026Q1", "cutoff"),
]
INDICATORS = ("models.registered", "petitions.received", "crowd.cases", "reception.head_days")


@dataclass(frozen=True)
class Fact:
    kind: str  # model, petition, visit
    unit: str
    day: date
    case: int  # for visits: which crowd case; head-mode when even
    detail: int


facts = st.builds(
    Fact,
    kind=st.sampled_from(["model", "petition", "visit"]),
    unit=st.sampled_from(POOL),
    day=st.integers(0, DAYS).map(lambda n: START + timedelta(days=n)),
    case=st.integers(0, 5),
    detail=st.integers(0, 3),
)


def _event(fact: Fact) -> RawCloudEvent:
    payload: EventPayload
    if fact.kind == "model":
        payload = ModelRegistered(
            model_id=uuid.uuid4(),
            name="Mô hình",
            field=list(ModelField)[fact.detail],
            unit_code=fact.unit,
            registered_on=fact.day,
            registered_by="t",
        )
    elif fact.kind == "petition":
        payload = PetitionReceived(
            petition_id=uuid.uuid4(),
            unit_code=fact.unit,
            petition_class=list(PetitionClass)[fact.detail],
            sector=list(Sector)[fact.detail],
            status=PetitionStatus.RECEIVED,
            record_version=1,
            on=fact.day,
            by="t",
            case_id=uuid.uuid4(),
            source=list(PetitionSource)[fact.detail],
            petitioner_kind=PetitionerKind.INDIVIDUAL,
            petitioner_unit_code=None,
            remote_area=False,
            first_instance_id=None,
            due_on=None,
        )
    else:
        payload = VisitRecorded(
            visit_id=uuid.uuid4(),
            case_id=uuid.UUID(int=fact.case + 1),
            unit_code=fact.unit,
            mode=ReceptionMode.PERIODIC if fact.case % 2 == 0 else ReceptionMode.REGULAR,
            received_on=fact.day,
            receiver_role=ReceiverRole.HEAD,
            headcount=6,
            crowd=True,
            representatives=2,
            repeat=False,
            matter="đất đai",
            by="t",
        )
    event = make_event(
        payload,
        subject="x",
        unit_code=fact.unit,
        occurred_on=fact.day,
        time=datetime(2026, 4, 1, tzinfo=UTC),
    )
    return RawCloudEvent.model_validate_json(event.model_dump_json())


# ---- the oracle: plain counts of the distinct events ------------------------------------------


def chain(unit: str, boundaries: Boundaries) -> list[str]:
    placed = unit if boundaries is Boundaries.HISTORICAL else UNITS.default_successor(unit).id
    return [u.id for u in UNITS.chain(placed)]


def oracle(
    events: list[tuple[Fact, RawCloudEvent]], boundaries: Boundaries, start: date, end: date
) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
    """(unit, indicator) → its figure, and → what was placed exactly at it."""
    total: dict[tuple[str, str], int] = {}
    own: dict[tuple[str, str], int] = {}
    counted: list[tuple[str, str, date]] = []  # (indicator, unit, day)
    first_case: dict[int, tuple[date, str, str]] = {}
    head_days: set[tuple[str, date]] = set()
    for fact, event in events:
        if fact.kind == "model":
            counted.append(("models.registered", fact.unit, fact.day))
        elif fact.kind == "petition":
            counted.append(("petitions.received", fact.unit, fact.day))
        else:
            rank = (fact.day, fact.unit, str(event.id))
            if fact.case not in first_case or rank < first_case[fact.case]:
                first_case[fact.case] = rank
            if fact.case % 2 == 0:
                head_days.add((fact.unit, fact.day))
    counted += [("crowd.cases", unit, day) for day, unit, _ in first_case.values()]
    counted += [("reception.head_days", unit, day) for unit, day in head_days]
    for indicator, unit, day in counted:
        if not start <= day <= end:
            continue
        placed = chain(unit, boundaries)
        for holder in placed:
            total[(holder, indicator)] = total.get((holder, indicator), 0) + 1
        own[(placed[-1], indicator)] = own.get((placed[-1], indicator), 0) + 1
    return total, own


def amount(view: FiguresView, indicator: str, part: str = "figures") -> float:
    figures = view.figures if part == "figures" else view.at_this_level
    found = next(f for f in figures if f.indicator == indicator)
    assert found.amount is not None
    return found.amount


# ---- the run ---------------------------------------------------------------------------------


class Harness:
    def __init__(self, folder: Path) -> None:
        self.url = f"sqlite+aiosqlite:///{folder / 'reporting.db'}"
        self.engine = create_engine(self.url)
        self.sessions = session_factory(self.engine)
        clock = FixedClock(datetime(2026, 4, 1, 9, tzinfo=VIETNAM))
        placer = Placer(UNITS)
        self.projector = Projector(placer)
        self.reader = FiguresReader(self.sessions, UNITS, clock, placer)

    async def reset(self) -> None:
        async with transaction(self.sessions) as session:
            for table in BUILD_TABLES:
                await session.execute(delete(table))
            await session.execute(delete(inbox_table))

    async def deliver(self, batches: list[list[RawCloudEvent]]) -> None:
        sequence = 0
        for batch in batches:
            delivered = []
            for event in batch:
                sequence += 1
                delivered.append(
                    Delivered(event, "RECEPTION", sequence, None, "evt.reception.x.01")  # type: ignore[arg-type]
                )
            async with transaction(self.sessions) as session:
                await self.projector.apply(session, delivered, [1])


def _deliveries(
    events: list[RawCloudEvent], shuffle: Callable[[list[RawCloudEvent]], None], seed: int
) -> list[list[RawCloudEvent]]:
    rng = random.Random(seed)
    stream = events + [rng.choice(events) for _ in range(len(events) // 3 + 1)]
    shuffle(stream)
    batches: list[list[RawCloudEvent]] = []
    while stream:
        size = rng.randint(1, 7)
        batches.append(stream[:size])
        stream = stream[size:]
    return batches


def check_unit(
    view: FiguresView, unit: str, total: dict[tuple[str, str], int], own: dict[tuple[str, str], int]
) -> None:
    for indicator in INDICATORS:
        assert amount(view, indicator) == total.get((unit, indicator), 0), (unit, indicator)
        assert amount(view, indicator, "own") == own.get((unit, indicator), 0), (unit, indicator)
        # Each child against the plain count too: "own" is the total less the children's rows,
        # so only this shows that the children's rows are right one by one.
        for row in view.children:
            wanted = total.get((row.unit_code, indicator), 0)
            assert (row.figures[indicator].amount or 0) == (wanted or 0), (row.unit_code, indicator)
        children = sum(row.figures[indicator].amount or 0 for row in view.children)
        assert children + amount(view, indicator, "own") == amount(view, indicator)


def units_to_check(generated: list[Fact], boundaries: Boundaries) -> set[str]:
    """The units the facts touch, with their ancestors, and one untouched sibling branch."""
    found = {u for fact in generated for u in chain(fact.unit, boundaries)} | {"79"}
    if boundaries is Boundaries.CURRENT:
        found = {u for u in found if not UNITS.get(u).is_legacy}
    return found


_FOLDER = Path(tempfile.mkdtemp(prefix="reporting-property-"))
_HARNESS: Harness | None = None


def harness() -> Harness:
    global _HARNESS
    if _HARNESS is None:
        asyncio.run(upgrade("reporting", f"sqlite+aiosqlite:///{_FOLDER / 'reporting.db'}"))
        _HARNESS = Harness(_FOLDER)
    return _HARNESS


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    st.lists(facts, min_size=1, max_size=25),
    st.randoms(use_true_random=False),
    st.integers(0, 10_000),
)
def test_every_parent_is_its_childrens_sum_plus_its_own_level_in_any_order_with_duplicates(
    generated: list[Fact], shuffler: random.Random, seed: int
) -> None:
    events = [(fact, _event(fact)) for fact in generated]
    run = harness()

    async def scenario() -> None:
        await run.reset()
        await run.deliver(_deliveries([e for _, e in events], shuffler.shuffle, seed))
        for code, basis in PERIODS:
            for boundaries in Boundaries:
                query = FiguresQuery(
                    unit_code="VN", period=code, basis=basis, boundaries=boundaries
                )
                start, end = Period.parse(code).date_range(Basis(basis))
                total, own = oracle(events, boundaries, start, end)
                for unit in sorted(units_to_check(generated, boundaries)):
                    view = await run.reader.view(query.model_copy(update={"unit_code": unit}))
                    check_unit(view, unit, total, own)
        await run.engine.dispose()

    asyncio.run(scenario())
