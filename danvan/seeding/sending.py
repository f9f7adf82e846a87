"""Sending a seed plan through the services' own rpc, many chains in flight at once.

Each request is its own transaction in its service: an interrupted seed leaves every record
it wrote whole (a chain may stop part-way through a record's life, as a real one does). A
refused request is counted with its reason, never dropped silently; the rest of its chain
is not sent (it would act on a record that does not exist or is not where it should be).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from danvan.contracts.rpc import ErrorCode, Principal, Role, ServiceError
from danvan.importing import Ask
from danvan.seeding.plans import Call, Chain
from danvan.seeding.volumes import Kind

#: Who writes the seeded records: the nation's officer and leader (leaders decide steps).
SEEDER = Principal(
    sub="danvan-seed",
    name="danvan seed",
    unit="VN",
    roles=(Role.OFFICER, Role.LEADER, Role.ADMIN),
)


@dataclass
class KindTally:
    created: int = 0
    steps: int = 0
    refused: int = 0
    not_sent: int = 0  # the rest of a chain after a refusal


@dataclass
class Tally:
    """What a seed wrote and what was refused, by kind; refusals by their reason."""

    kinds: dict[Kind, KindTally] = field(default_factory=lambda: {k: KindTally() for k in Kind})
    reasons: Counter[tuple[Kind, str, str]] = field(default_factory=Counter)
    #: Accepted requests by resource and action ("models.recognise"): what each figure counts.
    accepted: Counter[str] = field(default_factory=Counter)

    @property
    def refused(self) -> int:
        return sum(t.refused for t in self.kinds.values())

    @property
    def requests(self) -> int:
        return sum(t.created + t.steps for t in self.kinds.values())


Progress = Callable[[Kind, int], None]


def _dig(reply: Any, path: tuple[str | int, ...]) -> Any:
    for key in path:
        reply = reply[key]
    return reply


def _reason(error: ServiceError) -> str:
    """In English, the first detail's field and reason: what was refused, in one line."""
    text = error.message.en
    if error.details:
        detail = error.details[0]
        text = f"{detail.field or ''}: {detail.reason.en}" if detail.field else detail.reason.en
    if error.code is ErrorCode.UNAVAILABLE:
        text = f"no answer in time (it may have been written): {text}"
    return text


async def send_chain(ask: Ask, chain: Chain, tally: Tally, progress: Progress) -> None:
    replies: list[Any] = []
    counts = tally.kinds[chain.kind]
    for position, call in enumerate(chain.calls):
        body = dict(call.body)
        try:
            for fill in call.fills:
                body[fill.key] = _dig(replies[fill.call], fill.path)
            reply = await ask(call.service, call.resource, call.action, SEEDER, body)
        except (ServiceError, LookupError) as error:
            reason = (
                _reason(error)
                if isinstance(error, ServiceError)
                else f"an earlier reply had no {error} to send on"
            )
            counts.refused += 1
            tally.reasons[chain.kind, _label(call), reason] += 1
            counts.not_sent += len(chain.calls) - position - 1
            unsent = sum(1 for c in chain.calls[position:] if c.creates)
            if unsent:
                progress(chain.kind, unsent)
            return
        replies.append(reply)
        tally.accepted[_label(call)] += 1
        if call.creates:
            counts.created += 1
            progress(chain.kind, 1)
        else:
            counts.steps += 1


def _label(call: Call) -> str:
    return f"{call.resource}.{call.action}"


async def send_all(
    ask: Ask,
    chains: Iterable[Chain],
    *,
    concurrency: int,
    progress: Progress,
    tally: Tally | None = None,
) -> Tally:
    """Every chain sent, `concurrency` of them at once; each chain's calls in order."""
    if concurrency < 1:
        raise ValueError("the concurrency must be at least 1")
    tally = tally or Tally()
    source: Iterator[Chain] = iter(chains)

    async def worker() -> None:
        # One shared iterator: next() runs to its end between two awaits.
        for chain in source:
            await send_chain(ask, chain, tally, progress)

    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(concurrency):
                group.create_task(worker())
    except BaseExceptionGroup as group:
        # NATS gone, say: the first worker's error is the command's (the others are alike).
        raise group.exceptions[0] from None
    return tally
