"""Path and query parameters several routers share, declared once so the OpenAPI document
states their limits and the gateway refuses what breaks them before asking a service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from danvan.contracts.reports import PERIOD_PATTERN

UnitCodePath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=20,
        examples=["00097"],
        description="a unit's code: `VN`, a province (`01`) or a commune (`00097`); a unit "
        "that ceased on 2025-07-01 carries the prefix `old-` (`old-003`)",
    ),
]
PeriodQuery = Annotated[
    str,
    Query(
        pattern=PERIOD_PATTERN,
        max_length=10,
        examples=["2026"],
        description="2026, 2026S1 (half), 2026Q3, 202605 (month) or 2026NM (nine months)",
    ),
]
