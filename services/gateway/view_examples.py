"""Examples of the gateway's views for the OpenAPI document: Hà Nội's year 2026, shortened
to one item of each list. `tests/unit/test_openapi_document.py` checks them against the
views' schemas."""

from __future__ import annotations

from typing import Any

from danvan.contracts.reports import COMPLETENESS_EXAMPLE

YEAR_2026 = {"vi": "Năm 2026", "en": "Year 2026"}
VIETNAM = {
    "code": "VN",
    "name": "Việt Nam",
    "kind": "Quốc gia",
    "level": "nation",
    "generation": "current",
    "parent_code": None,
    "valid_from": None,
    "valid_to": None,
}
HA_NOI = {
    "code": "01",
    "name": "Thành phố Hà Nội",
    "kind": "Thành phố",
    "level": "province",
    "generation": "current",
    "parent_code": "VN",
    "valid_from": "2025-07-01",
    "valid_to": None,
}
REGISTERED = {"vi": "Mô hình đăng ký", "en": "Models registered"}
MODELS_REGISTERED = {
    "indicator": "models.registered",
    "area": "models",
    "kind": "count",
    "labels": REGISTERED,
    "amount": 83.0,
    "numerator": None,
    "denominator": None,
    "change": {"previous": 61.0, "absolute": 22.0, "percent": 36.1},
    "imported": 0.0,
    "manual": 0.0,
    "attributed": 0.0,
    "breakdown": [
        {
            "dimension": "field",
            "value": "economy",
            "labels": {"vi": "Kinh tế", "en": "Economy"},
            "amount": 34.0,
            "change": {"previous": 30.0, "absolute": 4.0, "percent": 13.3},
        }
    ],
}
HONG_HA_FIGURES = {"models.registered": {"amount": 7.0, "previous": 3.0, "percent": 133.3}}
PERIOD = {
    "period": "2026",
    "period_label": YEAR_2026,
    "basis": "calendar",
    "boundaries": "current",
    "start": "2026-01-01",
    "end": "2026-12-31",
    "previous_start": "2025-01-01",
    "previous_end": "2025-12-31",
}
READ_AT = "2026-12-03T15:41:12+07:00"

DASHBOARD_EXAMPLE: dict[str, Any] = {
    "unit": HA_NOI,
    "level": "province",
    "parents": [VIETNAM],
    **PERIOD,
    "areas": [
        {
            "area": "models",
            "labels": {
                "vi": "Mô hình, điển hình “Dân vận khéo”",
                "en": "“Dân vận khéo” models",
            },
            "indicators": ["models.registered", "models.recognised", "exemplars.recognised"],
        }
    ],
    "figures": [MODELS_REGISTERED],
    "children": [
        {
            "unit_code": "00097",
            "name": "Phường Hồng Hà",
            "level": "commune",
            "figures": HONG_HA_FIGURES,
            "ranks": {"models.registered": 4},
        }
    ],
    "completeness": COMPLETENESS_EXAMPLE,
    "pipeline": {
        "unit_code": "01",
        "models": [
            {"status": "registered", "labels": {"vi": "Đăng ký", "en": "Registered"}, "count": 52}
        ],
        "exemplars": [
            {"status": "registered", "labels": {"vi": "Đăng ký", "en": "Registered"}, "count": 17}
        ],
    },
    "deadlines": {
        "unit_code": "01",
        "on": "2026-12-03",
        "nearly_due": 3,
        "overdue": 1,
        "by_class": [
            {
                "petition_class": "complaint",
                "labels": {"vi": "Khiếu nại", "en": "Complaint"},
                "nearly_due": 2,
                "overdue": 1,
            }
        ],
    },
    "freshness": [
        {
            "part": "figures",
            "service": "reporting",
            "answered": True,
            "as_of": READ_AT,
            "streams": [
                {
                    "stream": "REGISTRY",
                    "applied_sequence": 271,
                    "last_sequence": 271,
                    "pending": 0,
                    "last_event_time": "2026-12-03T08:39:47Z",
                }
            ],
        }
    ],
    "warnings": [],
}

UNIT_FIGURES_EXAMPLE: dict[str, Any] = {
    "unit_code": "01",
    "name": "Thành phố Hà Nội",
    "level": "province",
    **PERIOD,
    "figures": [MODELS_REGISTERED],
    "at_this_level": [
        MODELS_REGISTERED
        | {
            "amount": 10.0,
            "change": {"previous": 8.0, "absolute": 2.0, "percent": 25.0},
            "breakdown": [],
        }
    ],
    "children": [
        {
            "unit_code": "00097",
            "name": "Phường Hồng Hà",
            "level": "commune",
            "figures": HONG_HA_FIGURES,
        }
    ],
    "current_as_of": [
        {
            "stream": "REGISTRY",
            "sequence": 271,
            "event_time": "2026-12-03T08:39:47Z",
            "applied_at": "2026-12-03T08:39:48Z",
        }
    ],
    "unit": HA_NOI,
    "parents": [VIETNAM],
}
