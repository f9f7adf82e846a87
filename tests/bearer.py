"""The Authorization header a test sends as a principal of a unit with some roles."""

from __future__ import annotations

from danvan.contracts.rpc import Role
from danvan.tokens import issue_token


def bearer(secret: str, unit: str, *roles: Role, sub: str | None = None) -> dict[str, str]:
    """Officer when no role is given; the subject names the unit and the roles."""
    token = issue_token(
        secret,
        unit=unit,
        roles=list(roles) or [Role.OFFICER],
        sub=sub or f"{unit}-{'-'.join(r.value for r in roles) or 'officer'}",
    )
    return {"Authorization": f"Bearer {token}"}
