"""The AsyncAPI document outside subscribers build on: every event type, its subject pattern,
its stream and its envelope's schema."""

from __future__ import annotations

from typing import Any

from danvan.asyncapi import asyncapi_document
from danvan.contracts.catalog import event_types, events_of
from danvan.contracts.registry import ModelRecognised


def test_every_event_type_has_a_channel_with_its_subject_pattern() -> None:
    channels: dict[str, Any] = asyncapi_document()["channels"]
    for payload in event_types():
        name = f"evt.{payload.service}.{payload.aggregate}.{payload.verb}"
        assert channels[name]["address"] == name + ".{province}"


def test_the_registry_publishes_every_step_of_models_and_exemplars() -> None:
    verbs = {"registered", "updated", "started", "appraised", "evaluated", "recognised"}
    verbs |= {"not_recognised", "withdrawn"}
    for aggregate in ("model", "exemplar"):
        found = {cls.verb for cls in events_of("registry") if cls.aggregate == aggregate}
        assert found == verbs, aggregate


def test_a_message_schema_is_the_cloudevents_envelope_with_the_payload_as_data() -> None:
    document = asyncapi_document()
    schemas = document["components"]["schemas"]
    envelope = schemas[f"CloudEvent[{ModelRecognised.__name__}]"]
    assert {"id", "type", "subject", "unitcode", "occurredon", "data"} <= set(
        envelope["properties"]
    )
    recognised = schemas[ModelRecognised.__name__]
    assert {"model_id", "level", "decision_number", "awards"} <= set(recognised["properties"])


def test_the_document_names_no_deployment_server() -> None:
    document = asyncapi_document()
    assert "servers" not in document
    assert all("servers" not in channel for channel in document["channels"].values())
