"""Request/reply contracts: the one reply shape, error codes, and the caller's identity."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class ErrorCode(StrEnum):
    VALIDATION = "validation_error"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    FORBIDDEN = "forbidden"
    UNAUTHENTICATED = "unauthenticated"
    UNAVAILABLE = "unavailable"
    INTERNAL = "internal_error"
    TOO_LARGE = "too_large"
    RATE_LIMITED = "rate_limited"
    METHOD_NOT_ALLOWED = "method_not_allowed"


class Role(StrEnum):
    VIEWER = "viewer"
    OFFICER = "officer"
    LEADER = "leader"
    ADMIN = "admin"


#: Who records (officers and up) and who decides (leaders and admins).
WRITERS = (Role.OFFICER, Role.LEADER, Role.ADMIN)
DECIDERS = (Role.LEADER, Role.ADMIN)


class Principal(BaseModel):
    """Who acts: the verified claims of a bearer token, passed on to every service."""

    model_config = ConfigDict(frozen=True)

    sub: str
    name: str = ""
    unit: str = Field(description="a current unit's code: the principal acts on its subtree")
    roles: tuple[Role, ...] = ()

    def has_any(self, *roles: Role) -> bool:
        return any(role in self.roles for role in roles)


class Language(StrEnum):
    """The languages people read the platform's messages in: Vietnamese unless they ask."""

    VI = "vi"
    EN = "en"


class Message(BaseModel):
    """A sentence for people, in Vietnamese (the default) and in English. Services answer with
    both; the gateway gives the caller the one its `Accept-Language` asks for."""

    model_config = ConfigDict(frozen=True)

    vi: str
    en: str

    def in_language(self, language: Language) -> str:
        return self.vi if language is Language.VI else self.en

    def __str__(self) -> str:
        return self.en


class ErrorDetail(BaseModel):
    """One thing wrong with a request; `field` is a dotted path into the request body."""

    field: str | None = None
    reason: Message
    hint: Message | None = None
    row: int | None = Field(
        default=None, description="the spreadsheet row (header is row 1), for imports"
    )


class RpcError(BaseModel):
    code: ErrorCode
    message: Message
    details: list[ErrorDetail] = []


class RpcOk(BaseModel, Generic[T]):
    ok: Literal[True] = True
    data: T


class RpcFailed(BaseModel):
    ok: Literal[False] = False
    error: RpcError


class RpcRequest(BaseModel, Generic[T]):
    """Every command or query carries the principal, so services check scope again."""

    principal: Principal
    data: T
    timeout: float | None = Field(
        default=None, gt=0, description="how many seconds the caller waits for the answer"
    )
    sent_at: datetime | None = Field(default=None, description="when the caller sent it (UTC)")


# An error reply must fit one NATS message (1 MB by default) whatever the request held.
MAX_REPLY_DETAILS = 1000


class ServiceError(Exception):
    """Raised by a handler to answer with an error reply instead of a result."""

    def __init__(
        self, code: ErrorCode, message: Message, details: list[ErrorDetail] | None = None
    ) -> None:
        super().__init__(message.en)
        self.code = code
        self.message = message
        self.details = details or []

    def to_reply(self) -> dict[str, Any]:
        return RpcFailed(
            error=RpcError(code=self.code, message=self.message, details=self._shown_details())
        ).model_dump(mode="json")

    def _shown_details(self) -> list[ErrorDetail]:
        if len(self.details) <= MAX_REPLY_DETAILS:
            return self.details
        kept = self.details[: MAX_REPLY_DETAILS - 1]
        more = len(self.details) - len(kept)
        return [
            *kept,
            ErrorDetail(
                reason=Message(vi=f"… và {more} lỗi khác không liệt kê", en=f"… and {more} more")
            ),
        ]
