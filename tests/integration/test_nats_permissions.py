"""What the NATS users of compose may not do, on a real nats-server that includes
deploy/nats/permissions.conf: a service cannot publish another service's events nor answer
another's requests, the gateway only asks, a subscriber from outside only reads.

The server refuses a publish or a subscription by telling the client asynchronously, through
its error callback: the tests wait for the refusal. That the message never arrives is shown by
the order the server keeps: what a connection receives comes in the order the server handled it,
so once a later message has arrived, a refused one handled before it never will.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from nats.aio.msg import Msg
from nats.errors import NoRespondersError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StreamConfig

from danvan.bus import stream_config
from services.reporting.app import CONSUMERS
from tests.secured_nats import (
    Connection,
    SecuredNats,
    connect_as,
    handled,
    refused,
    start_secured_nats,
)
from tests.waiting import eventually

SERVICES = ("registry", "reception", "reporting")
ANSWER = b'{"ok": true, "data": {}}'


@pytest.fixture(scope="module")
def secured_nats(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecuredNats]:
    server = start_secured_nats(tmp_path_factory.mktemp("secured-nats"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def connections(secured_nats: SecuredNats) -> AsyncIterator[dict[str, Connection]]:
    """One connection per user, closed after the test."""
    opened = {user: await connect_as(secured_nats, user) for user in secured_nats.passwords}
    try:
        yield opened
    finally:
        for connection in opened.values():
            await connection.client.close()


@pytest.fixture(scope="module")
async def streams(secured_nats: SecuredNats) -> None:
    """Each service's stream, declared by the service itself."""
    for service in SERVICES:
        owner = await connect_as(secured_nats, service)
        await owner.client.jetstream().add_stream(config=stream_config(service))
        await owner.client.close()


async def received_by_admin(
    connections: dict[str, Connection], sender: str, subject: str, *, control: str
) -> list[str]:
    """What an admin subscribed to every event receives when `sender` publishes at `subject`,
    up to the `control` event its owner publishes next (which does arrive): the server has
    handled the first publish before the owner publishes, and delivers to the admin in
    the order it handled them."""
    seen: list[str] = []

    async def keep(msg: Msg) -> None:
        seen.append(msg.subject)

    admin = connections["admin"].client
    await admin.subscribe("evt.>", cb=keep)
    await handled(admin)
    offender = connections[sender].client
    await offender.publish(subject, b"{}")
    await handled(offender)
    owner = connections[control.split(".")[1]].client
    await owner.publish(control, b"{}")

    async def control_arrived() -> bool:
        return control in seen

    await eventually(control_arrived)
    return seen


@pytest.mark.parametrize(
    ("sender", "subject"),
    [
        ("registry", "evt.reception.petition.received.01"),
        ("reception", "evt.registry.model.registered.01"),
        ("reporting", "evt.registry.model.registered.01"),
        ("registry", "evt.reporting.report.submitted.01"),
    ],
)
async def test_a_service_cannot_publish_another_services_events(
    connections: dict[str, Connection], sender: str, subject: str
) -> None:
    owner = subject.split(".")[1]
    seen = await received_by_admin(connections, sender, subject, control=f"evt.{owner}.control")
    assert seen == [f"evt.{owner}.control"]
    await connections[sender].told_refused(subject)


@pytest.mark.parametrize(
    ("answerer", "subject"),
    [
        ("registry", "rpc.reception.petitions.get"),
        ("reception", "rpc.registry.models.get"),
        ("reporting", "rpc.registry.models.get"),
        ("registry", "rpc.reporting.figures.get"),
    ],
)
async def test_a_service_cannot_answer_another_services_requests(
    connections: dict[str, Connection], answerer: str, subject: str
) -> None:
    impostor = connections[answerer].client

    async def answer(msg: Msg) -> None:
        await msg.respond(ANSWER)

    pattern = f"rpc.{subject.split('.')[1]}.>"
    await impostor.subscribe(pattern, queue=subject.split(".")[1], cb=answer)
    await handled(impostor)
    await connections[answerer].told_refused(pattern)
    gateway = connections["gateway"].client
    with pytest.raises(NoRespondersError):
        await gateway.request(subject, b"{}", timeout=5)

    # Its own requests it does answer.
    own = f"rpc.{answerer}.health.ping"
    await impostor.subscribe(own, cb=answer)
    await handled(impostor)
    assert (await gateway.request(own, b"{}", timeout=5)).data == ANSWER


async def test_a_service_cannot_reply_to_a_request_it_was_not_sent(
    connections: dict[str, Connection],
) -> None:
    # A reply is allowed to the one who asked this service, not to any inbox.
    registry = connections["registry"]
    await registry.client.publish("_INBOX.gateway.forged.1", b"{}")
    await registry.told_refused("_INBOX.gateway.forged.1")


async def test_no_one_reads_another_users_replies(connections: dict[str, Connection]) -> None:
    snoopers = [("gateway", "registry"), ("registry", "gateway"), ("subscriber", "gateway")]
    for user, other in snoopers:
        snoop = connections[user]
        await snoop.client.subscribe(f"_INBOX.{other}.>")
        await snoop.told_refused(f"_INBOX.{other}.>")


async def test_the_gateway_cannot_publish_an_event_nor_answer_a_request(
    connections: dict[str, Connection],
) -> None:
    subject = "evt.registry.model.registered.01"
    seen = await received_by_admin(connections, "gateway", subject, control="evt.registry.control")
    assert seen == ["evt.registry.control"]
    gateway = connections["gateway"]
    await gateway.told_refused(subject)

    await gateway.client.subscribe("rpc.registry.>", queue="registry")
    await handled(gateway.client)
    await gateway.told_refused("rpc.registry.>")
    with pytest.raises(NoRespondersError):
        await connections["admin"].client.request("rpc.registry.models.get", b"{}", timeout=5)


@pytest.mark.usefixtures("streams")
async def test_a_service_cannot_declare_or_delete_another_services_stream(
    connections: dict[str, Connection],
) -> None:
    reception = connections["reception"]
    js = reception.client.jetstream()
    await refused(reception, "$JS.API.STREAM.DELETE.REGISTRY", js.delete_stream("REGISTRY"))
    taken = StreamConfig(name="REGISTRY", subjects=["evt.reception.>"])
    await refused(reception, "$JS.API.STREAM.CREATE.REGISTRY", js.add_stream(config=taken))
    # Nor its own: the events outlive the service's deployments.
    await refused(reception, "$JS.API.STREAM.DELETE.RECEPTION", js.delete_stream("RECEPTION"))
    assert (await connections["admin"].client.jetstream().stream_info("REGISTRY")).config.subjects


@pytest.mark.usefixtures("streams")
async def test_the_subscriber_reads_the_events_through_its_own_durable_consumer(
    connections: dict[str, Connection],
) -> None:
    subscriber = connections["subscriber"]
    js = subscriber.client.jetstream()
    follow = await js.pull_subscribe(
        "evt.registry.>",
        durable="province-01-follower",
        stream="REGISTRY",
        config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, deliver_policy=DeliverPolicy.NEW),
    )
    registry = connections["registry"].client.jetstream()
    await registry.publish("evt.registry.model.registered.01", b'{"n": 1}')
    messages = await follow.fetch(1, timeout=5)
    assert [m.subject for m in messages] == ["evt.registry.model.registered.01"]
    await messages[0].ack_sync()
    assert (await js.consumer_info("REGISTRY", "province-01-follower")).num_ack_pending == 0
    assert subscriber.errors == []


@pytest.mark.usefixtures("streams")
async def test_the_subscriber_publishes_nothing(connections: dict[str, Connection]) -> None:
    subject = "evt.registry.model.registered.01"
    seen = await received_by_admin(
        connections, "subscriber", subject, control="evt.registry.control"
    )
    assert seen == ["evt.registry.control"]
    subscriber = connections["subscriber"]
    await subscriber.told_refused(subject)
    await subscriber.client.publish("rpc.registry.models.register", b"{}")
    await subscriber.told_refused("rpc.registry.models.register")


@pytest.mark.usefixtures("streams")
@pytest.mark.parametrize(("source", "durable"), sorted(CONSUMERS.items()))
async def test_the_subscriber_cannot_take_events_from_reportings_consumers(
    connections: dict[str, Connection], source: str, durable: str
) -> None:
    stream = stream_config(source).name
    assert stream is not None
    reporting = connections["reporting"].client.jetstream()
    await reporting.pull_subscribe(f"evt.{source}.>", durable=durable, stream=stream)
    subscriber = connections["subscriber"]
    js = subscriber.client.jetstream()
    info = f"$JS.API.CONSUMER.INFO.{stream}.{durable}"
    await refused(subscriber, info, js.consumer_info(stream, durable))
    # Fetching needs no lookup: bound to the consumer by name, the fetch itself is refused.
    taken = await js.pull_subscribe_bind(durable, stream=stream)
    fetch = f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{durable}"
    await refused(subscriber, fetch, taken.fetch(1, timeout=30))
    # Nor acknowledge for it, nor create it with another configuration (before reporting
    # does, it would start from there).
    forged_ack = f"$JS.ACK.{stream}.{durable}.1.1.1.0.0"
    await subscriber.client.publish(forged_ack, b"+ACK")
    await subscriber.told_refused(forged_ack)
    create = f"$JS.API.CONSUMER.CREATE.{stream}.{durable}.evt.{source}.>"
    hijack = ConsumerConfig(
        name=durable,
        durable_name=durable,
        filter_subject=f"evt.{source}.>",
        deliver_policy=DeliverPolicy.NEW,
    )
    await refused(subscriber, create, js.add_consumer(stream, config=hijack))
