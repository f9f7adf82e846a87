"""Asking several services at once for the parts of one view, within one deadline: a part
whose service does not answer becomes a warning naming what is missing, and the rest of the
view still comes. A refusal (a bad request, a scope the caller lacks) is not a missing part:
it answers the whole request."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from danvan.contracts.rpc import ErrorCode, Message, ServiceError

log = logging.getLogger(__name__)

# What a service answers when it cannot give its part now; anything else is the caller's.
MISSING = frozenset({ErrorCode.UNAVAILABLE, ErrorCode.INTERNAL})


@dataclass(frozen=True)
class Part:
    name: str
    service: str
    # Asks the service, given the seconds it may take.
    ask: Callable[[float], Awaitable[Any]]


@dataclass(frozen=True)
class MissingPart:
    part: str
    service: str
    error: ServiceError


@dataclass
class Composed:
    results: dict[str, Any] = field(default_factory=dict)
    missing: list[MissingPart] = field(default_factory=list)


def _late(service: str, seconds: float) -> ServiceError:
    return ServiceError(
        ErrorCode.UNAVAILABLE,
        Message(
            vi=f"dịch vụ {service} không trả lời trong {seconds:g} giây",
            en=f"{service} did not answer in {seconds:g} s",
        ),
    )


async def _ask(part: Part, budget: float) -> Any:
    try:
        async with asyncio.timeout(budget):
            return await part.ask(budget)
    except TimeoutError as error:
        raise _late(part.service, budget) from error


async def compose(parts: Sequence[Part], budget: float) -> Composed:
    """Every part asked at once; none waited for longer than `budget` seconds."""
    outcomes = await asyncio.gather(*(_ask(part, budget) for part in parts), return_exceptions=True)
    composed = Composed()
    for part, outcome in zip(parts, outcomes, strict=True):
        if isinstance(outcome, ServiceError):
            if outcome.code not in MISSING:
                raise outcome
            composed.missing.append(MissingPart(part.name, part.service, outcome))
        elif isinstance(outcome, Exception):
            log.error("part %s of a view failed", part.name, exc_info=outcome)
            error = ServiceError(
                ErrorCode.INTERNAL,
                Message(vi=f"không lấy được phần {part.name}", en=f"{part.name} failed"),
            )
            composed.missing.append(MissingPart(part.name, part.service, error))
        elif isinstance(outcome, BaseException):
            raise outcome
        else:
            composed.results[part.name] = outcome
    return composed
