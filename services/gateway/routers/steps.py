"""A lifecycle step as an HTTP route: `POST …/{id}/{step}` with the step's own body, the
role it needs checked here and again in the service. Registry records and petitions share it.

This module keeps its annotations evaluated (no `from __future__ import annotations`): the
routes are built in a factory, and FastAPI reads their types from the functions.
"""

import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Body, Path
from pydantic import BaseModel

from danvan.access import require_role
from danvan.contracts.rpc import Role
from services.gateway.deps import CurrentPrincipal, ServicesDep


def step_route(
    *,
    service: str,
    resource: str,
    action: str,
    body_type: type[BaseModel],
    roles: Sequence[Role],
    id_name: str,
) -> Any:
    """The route function for one step; the path names the record `{id_name}`."""
    RecordId = Annotated[uuid.UUID, Path(alias=id_name)]

    async def take_step(
        record_id: uuid.UUID, principal: CurrentPrincipal, services: ServicesDep, body: Any
    ) -> Any:
        require_role(principal, *roles)
        values = body.model_dump(mode="json", exclude_unset=True) if body is not None else {}
        data = {"id": str(record_id), **values}
        return await services.ask(service, resource, action, principal, data)

    if all(not field.is_required() for field in body_type.model_fields.values()):
        # Nothing that must be stated (starting implementation, verification): no body needed.
        async def step_without_body(
            record_id: RecordId,
            principal: CurrentPrincipal,
            services: ServicesDep,
            body: Annotated[body_type | None, Body()] = None,  # type: ignore[valid-type]
        ) -> Any:
            return await take_step(record_id, principal, services, body)

        step: Any = step_without_body
    else:

        async def step_with_body(
            record_id: RecordId,
            principal: CurrentPrincipal,
            services: ServicesDep,
            body: Annotated[body_type, Body()],  # type: ignore[valid-type]
        ) -> Any:
            return await take_step(record_id, principal, services, body)

        step = step_with_body
    step.__name__ = f"{resource}_{action}"
    return step
