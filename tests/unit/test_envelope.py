"""The CloudEvents envelope every event travels in."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta, timezone

from danvan.contracts.catalog import event_types
from danvan.contracts.envelope import CloudEvent, RawCloudEvent, make_event
from danvan.contracts.registry import ModelField, ModelRegistered

VIETNAM = timezone(timedelta(hours=7))


def registered() -> ModelRegistered:
    return ModelRegistered(
        model_id=uuid.uuid4(),
        name="Hàng cây đại đoàn kết",
        field=ModelField.POLITICAL_SYSTEM,
        unit_code="old-00097",
        registered_on=date(2024, 1, 1),
        registered_by="officer-1",
    )


def envelope(payload: ModelRegistered) -> CloudEvent[ModelRegistered]:
    return make_event(  # type: ignore[return-value]
        payload,
        subject=str(payload.model_id),
        unit_code=payload.unit_code,
        occurred_on=payload.registered_on,
        time=datetime(2024, 1, 1, 6, 30, tzinfo=VIETNAM),
    )


def test_event_carries_cloudevents_attributes_and_our_extensions() -> None:
    payload = registered()
    event = envelope(payload)
    body = json.loads(event.model_dump_json())
    assert body["specversion"] == "1.0"
    assert uuid.UUID(body["id"])
    assert body["source"] == "danvan/registry"
    assert body["type"] == "vn.danvan.registry.model.registered.v1"
    assert body["subject"] == str(payload.model_id)
    assert body["unitcode"] == "old-00097"
    assert body["occurredon"] == "2024-01-01"
    assert body["time"] == "2024-01-01T06:30:00+07:00"
    assert body["datacontenttype"] == "application/json"


def test_payload_survives_the_round_trip_through_json() -> None:
    payload = registered()
    raw = RawCloudEvent.model_validate_json(envelope(payload).model_dump_json())
    assert ModelRegistered.model_validate(raw.data) == payload
    assert raw.data["name"] == "Hàng cây đại đoàn kết"


def test_subject_ends_with_the_province_code() -> None:
    assert ModelRegistered.subject_for("01") == "evt.registry.model.registered.01"
    assert ModelRegistered.subject_pattern() == "evt.registry.model.registered.*"


def test_each_event_gets_its_own_id() -> None:
    payload = registered()
    first, second = (
        make_event(
            payload,
            subject="s",
            unit_code="01",
            occurred_on=date(2026, 1, 1),
            time=datetime(2026, 1, 1, tzinfo=VIETNAM),
        )
        for _ in range(2)
    )
    assert first.id != second.id


def test_a_reader_ignores_what_a_later_v1_event_adds() -> None:
    """A change within `.v1` only adds: a consumer built on older contracts reads the newer
    event, its envelope's new attributes and its payload's new fields left aside."""
    payload = registered()
    body = json.loads(envelope(payload).model_dump_json())
    body["partitionkey"] = "01"
    body["data"]["added_later"] = "a field a later v1 carries"
    typed = CloudEvent[ModelRegistered].model_validate(body)
    assert typed.data == payload
    assert ModelRegistered.model_validate(RawCloudEvent.model_validate(body).data) == payload


def test_no_event_payload_refuses_a_field_it_does_not_know() -> None:
    strict = [cls.__name__ for cls in event_types() if cls.model_config.get("extra") == "forbid"]
    assert strict == []
    assert CloudEvent.model_config.get("extra") != "forbid"
