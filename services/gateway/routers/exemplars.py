"""Exemplars ("điển hình"): a person or a collective, with the same lifecycle as models."""

from __future__ import annotations

from danvan.contracts.registry import (
    ExemplarChangesBody,
    ExemplarCreate,
    ExemplarDetail,
    ExemplarPublic,
    ExemplarQuery,
)
from services.gateway.routers.records import record_router

router = record_router(
    resource="exemplars",
    noun="exemplar",
    create_type=ExemplarCreate,
    changes_type=ExemplarChangesBody,
    query_type=ExemplarQuery,
    public_type=ExemplarPublic,
    detail_type=ExemplarDetail,
)
