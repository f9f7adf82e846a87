"""The CloudEvents 1.0 envelope (structured JSON mode) every event travels in.

Contracts import only pydantic and the standard library, so that an outside consumer can
install them without the platform.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, ClassVar, Generic, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class EventPayload(BaseModel):
    """Base of every event's `data`. A subclass names where it belongs and its version."""

    model_config = ConfigDict(frozen=True)

    service: ClassVar[str]
    aggregate: ClassVar[str]
    verb: ClassVar[str]
    version: ClassVar[int] = 1

    @classmethod
    def event_type(cls) -> str:
        return f"vn.danvan.{cls.service}.{cls.aggregate}.{cls.verb}.v{cls.version}"

    @classmethod
    def subject_for(cls, province_code: str) -> str:
        """`evt.<service>.<aggregate>.<verb>.<province>`: the *current* province's code."""
        return f"evt.{cls.service}.{cls.aggregate}.{cls.verb}.{province_code}"

    @classmethod
    def subject_pattern(cls) -> str:
        return f"evt.{cls.service}.{cls.aggregate}.{cls.verb}.*"


P = TypeVar("P")


class CloudEvent(BaseModel, Generic[P]):
    """An event as it travels: CloudEvents attributes plus our two extensions."""

    model_config = ConfigDict(frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    source: str = Field(description="danvan/<service>")
    type: str = Field(description="vn.danvan.<service>.<aggregate>.<verb>.v<N>")
    time: AwareDatetime
    subject: str = Field(description="the aggregate's id")
    datacontenttype: Literal["application/json"] = "application/json"
    unitcode: str = Field(description="the unit the fact was recorded against, as recorded")
    occurredon: date = Field(description="the local date the fact happened; decides its period")
    data: P


class RawCloudEvent(CloudEvent[dict[str, Any]]):
    """An envelope whose data is not parsed yet: what a consumer reads first."""


def make_event(
    payload: EventPayload,
    *,
    subject: str,
    unit_code: str,
    occurred_on: date,
    time: datetime,
) -> CloudEvent[EventPayload]:
    cls = type(payload)
    # Parametrised with the concrete payload class, so the payload's own fields serialise.
    return CloudEvent[cls](  # type: ignore[valid-type]
        source=f"danvan/{cls.service}",
        type=cls.event_type(),
        time=time,
        subject=subject,
        unitcode=unit_code,
        occurredon=occurred_on,
        data=payload,
    )
