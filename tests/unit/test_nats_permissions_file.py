"""deploy/nats/permissions.conf read without a server: every durable consumer of the kernel is
reporting's to use, its dead letters and their retries included, and no outside subscriber's
(tests/integration/test_nats_permissions.py tries the same on a real nats-server)."""

from __future__ import annotations

import pytest

from danvan.bus import stream_name
from services.reporting.app import CONSUMERS
from tests.nats_conf import parse_nats_conf
from tests.nats_permissions import Permissions, subject_matches
from tests.secured_nats import PERMISSIONS

DURABLES = sorted((stream_name(source), durable) for source, durable in CONSUMERS.items())


def permissions(text: str | None = None) -> Permissions:
    content = PERMISSIONS.read_text() if text is None else text
    return Permissions.of(parse_nats_conf("permissions.conf", lambda _: content))


def reporting_needs(stream: str, durable: str) -> list[str]:
    return [
        f"$JS.API.CONSUMER.CREATE.{stream}.{durable}.evt.{stream.lower()}.>",
        f"$JS.API.CONSUMER.INFO.{stream}.{durable}",
        f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{durable}",
        f"$JS.ACK.{stream}.{durable}.1.7.7.1700000000000000000.0",
        f"dlq.dead.{durable}",
        f"$JS.API.CONSUMER.CREATE.DLQ.{durable}-retry.dlq.retry.{durable}",
    ]


def test_subjects_match_as_nats_server_matches_them() -> None:
    assert subject_matches("evt.registry.>", "evt.registry.model.registered.01")
    assert not subject_matches("evt.registry.>", "evt.registry")
    assert subject_matches("rpc.*.>", "rpc.reception.petitions.get")
    assert not subject_matches("note.reporting.applied.*", "note.reporting.applied.01.x")
    assert subject_matches("$JS.API.CONSUMER.*.*.d", "$JS.API.CONSUMER.INFO.REGISTRY.d")


@pytest.mark.parametrize(("stream", "durable"), DURABLES)
def test_reporting_may_use_each_of_its_durable_consumers_and_their_dead_letters(
    stream: str, durable: str
) -> None:
    rules = permissions()
    refused = [
        s for s in reporting_needs(stream, durable) if not rules.may("reporting", "publish", s)
    ]
    assert refused == []


@pytest.mark.parametrize(("stream", "durable"), DURABLES)
def test_no_outside_subscriber_may_touch_reportings_durable_consumers(
    stream: str, durable: str
) -> None:
    rules = permissions()
    touching = [
        f"$JS.API.CONSUMER.CREATE.{stream}.{durable}.evt.>",
        f"$JS.API.CONSUMER.DURABLE.CREATE.{stream}.{durable}",
        f"$JS.API.CONSUMER.INFO.{stream}.{durable}",
        f"$JS.API.CONSUMER.DELETE.{stream}.{durable}",
        f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{durable}",
        f"$JS.ACK.{stream}.{durable}.1.7.7.1700000000000000000.0",
    ]
    assert [s for s in touching if rules.may("subscriber", "publish", s)] == []
    # Its own it may.
    assert rules.may("subscriber", "publish", f"$JS.API.CONSUMER.MSG.NEXT.{stream}.mine")


def test_a_durable_left_out_of_the_permissions_is_caught() -> None:
    stream, durable = DURABLES[0]
    text = PERMISSIONS.read_text()
    broken = permissions(text.replace(f'"dlq.dead.{durable}"', ""))
    assert not broken.may("reporting", "publish", f"dlq.dead.{durable}")
    broken = permissions(text.replace(f'"$JS.API.CONSUMER.*.*.*.{durable}"', ""))
    assert broken.may("subscriber", "publish", f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{durable}")
