"""`danvan seed` against a real platform: what the summary says was written is what the
lists hold and what the national figures count, across the 2025 reform."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from danvan.embedded import EmbeddedNats
from danvan.importing import Ask
from danvan.platform_client import services
from danvan.seed_command import LISTS, held, run_seed, seed
from danvan.seeding.plans import Call, Chain, Fill, SeedPlan
from danvan.seeding.sending import SEEDER, Tally, send_all
from danvan.seeding.volumes import Kind, Years
from tests.conftest import MakeDatabase
from tests.platform_stack import NOW, PlatformStack, platform_stack
from tests.waiting import eventually

YEARS = Years(2025, 2026)  # both sides of 2025-07-01


@pytest.fixture
async def stack(
    make_database: MakeDatabase, fresh_nats: EmbeddedNats, tmp_path: Path
) -> AsyncIterator[PlatformStack]:
    async with platform_stack(tmp_path, fresh_nats.url, make_database) as running:
        yield running


async def national(ask: Ask, year: int) -> dict[str, float]:
    view = await ask(
        "reporting", "figures", "get", SEEDER, {"unit_code": "VN", "period": str(year)}
    )
    return {f["indicator"]: f["amount"] for f in view["figures"]}


def entered(plan: SeedPlan, indicator: str) -> int:
    return sum(
        entry["value"]
        for chain in plan.chains()
        if chain.kind is Kind.FIGURES
        for entry in chain.calls[0].body["entries"]
        if entry["indicator"] == indicator
    )


async def test_the_lists_and_figures_count_what_the_seed_wrote_and_a_refusal_is_told(
    stack: PlatformStack,
) -> None:
    plan = SeedPlan(stack.units, scale=0.00006, years=YEARS, seed=5, today=NOW.date())
    tally = Tally()
    async with services(stack.settings, stack.settings.nats_url) as ask:
        assert set((await held(ask)).values()) == {0}
        await seed(ask, plan, concurrency=8, tally=tally)
        assert tally.refused == 0, tally.reasons
        written = {kind: counts.created for kind, counts in tally.kinds.items()}
        assert written == plan.totals()
        assert await held(ask) == {kind: written[kind] for kind in LISTS}

        wanted = {
            "models.registered": written[Kind.MODELS],
            "models.recognised": tally.accepted["models.recognise"],
            "exemplars.registered": written[Kind.EXEMPLARS],
            "visits.received": written[Kind.VISITS],
            "petitions.received": written[Kind.PETITIONS],
            "petitions.resolved": tally.accepted["petitions.conclude"],
            "dialogues.held": written[Kind.DIALOGUES],
            "supervision.sessions": entered(plan, "supervision.sessions"),
        }
        assert all(wanted.values()), wanted
        counted: dict[str, Any] = {}

        async def counted_alike() -> bool:
            years = [await national(ask, year) for year in YEARS]
            counted.update({name: sum(y.get(name) or 0 for y in years) for name in wanted})
            return counted == wanted

        # Each write's event reaches reporting a moment after it was answered.
        await eventually(counted_alike, timeout=30)
        # A refused request is counted with its reason; the rest of its record's life is not
        # sent, and nothing of it is written.
        tomorrow = (NOW.date() + timedelta(days=1)).isoformat()
        body = {"name": "Bóng đèn an ninh", "field": "defence_security", "unit_code": "00097"}
        refused = Chain(
            Kind.MODELS,
            (
                Call(
                    "registry",
                    "models",
                    "create",
                    body | {"registered_on": tomorrow},
                    NOW.date(),
                    creates=True,
                ),
                Call(
                    "registry", "models", "start", {}, NOW.date(), fills=(Fill("id", 0, ("id",)),)
                ),
            ),
        )
        after = Tally()
        await send_all(ask, [refused], concurrency=1, progress=lambda *_: None, tally=after)
        assert (after.kinds[Kind.MODELS].refused, after.kinds[Kind.MODELS].not_sent) == (1, 1)
        assert list(after.reasons) == [
            (
                Kind.MODELS,
                "models.create",
                f"registered_on: {tomorrow} is in the future (today is {NOW.date()})",
            )
        ]
        assert (await held(ask))[Kind.MODELS] == written[Kind.MODELS]
    # `make run DEMO=1` a second time: the command finds the data and writes nothing.
    console = Console(record=True, width=200)
    again = await asyncio.to_thread(
        run_seed,
        stack.settings,
        console,
        scale=0.00006,
        years=str(YEARS),
        random_seed=5,
        concurrency=8,
        if_empty=True,
        today=NOW.date(),
    )
    assert again == 0
    assert "the platform already holds data" in console.export_text()
    # Petitions left open past a deadline were marked overdue by the seed's deadline check.
    overdue = await stack.get("/api/v1/petitions", "VN", *SEEDER.roles, overdue="true")
    assert overdue.json()["total"] > 0
