"""Bearer tokens: HS256 for the embedded default (the gateway verifies, `danvan token` issues)."""

from __future__ import annotations

from datetime import timedelta

import jwt
from pydantic import ValidationError

from danvan.contracts.rpc import Message, Principal, Role
from danvan.messages import MessageError
from danvan.timeutil import utcnow

ISSUER = "danvan"
ALGORITHM = "HS256"


class InvalidToken(MessageError):
    pass


def issue_token(
    secret: str,
    *,
    unit: str,
    roles: list[Role],
    sub: str,
    name: str = "",
    ttl: timedelta = timedelta(hours=12),
) -> str:
    now = utcnow()
    claims = {
        "iss": ISSUER,
        "sub": sub,
        "name": name,
        "unit": unit,
        "roles": [role.value for role in roles],
        "iat": now,
        "exp": now + ttl,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(secret: str, token: str) -> Principal:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "sub", "iss"]},
        )
        return Principal.model_validate(claims)
    except jwt.PyJWTError as error:
        raise InvalidToken(
            Message(vi="mã truy cập không hợp lệ hoặc đã hết hạn", en=str(error))
        ) from error
    except ValidationError as error:
        problems = ", ".join(str(item["loc"][0]) for item in error.errors())
        raise InvalidToken(
            Message(
                vi=f"mã truy cập thiếu hoặc sai các thông tin: {problems}",
                en=f"token claims missing or invalid: {problems}",
            )
        ) from error
