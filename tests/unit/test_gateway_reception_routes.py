"""The gateway's reception routes: who may call them, what they send the reception service, and
what the API document shows. The reception service is a fake that records what it is asked."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from danvan.config import Settings
from danvan.contracts.reception import PETITION_STEP_BODIES, PetitionAction
from danvan.contracts.rpc import Principal, Role
from danvan.tokens import SecretVerifier, issue_token
from danvan.units import load_units
from services.gateway.deps import get_services
from services.gateway.errors import install_error_handlers
from services.gateway.protection import RateLimiter
from services.gateway.routers import reception

SECRET = "x" * 40
PETITION_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")
DIALOGUE_ID = uuid.UUID("00000000-0000-4000-8000-000000000002")
FOLLOW_UP_ID = uuid.UUID("00000000-0000-4000-8000-000000000003")
CASE_ID = uuid.UUID("00000000-0000-4000-8000-000000000004")
AT = "2026-11-16T08:00:00Z"

PETITION: dict[str, Any] = {
    "id": str(PETITION_ID),
    "unit_code": "00097",
    "received_on": "2026-11-16",
    "source": "in_person",
    "forwarded_by": None,
    "petition_class": "complaint",
    "sector": "compensation",
    "status": "concluded",
    "version": 4,
    "petitioner": {"name": "Lê Thị Hoa", "kind": "individual"},
    "respondent": "",
    "summary": "Khiếu nại đơn giá bồi thường",
    "remote_area": False,
    "case_id": str(CASE_ID),
    "first_instance_id": None,
    "next_due_on": None,
    "overdue": False,
    "conclusion": "upheld",
    "created_by": "officer",
    "updated_at": AT,
}
DIALOGUE: dict[str, Any] = {
    "id": str(DIALOGUE_ID),
    "unit_code": "00097",
    "level": "commune",
    "held_on": "2026-11-10",
    "chair": "Trần Văn Bình",
    "participants": 120,
    "opinions_raised": 14,
    "topic": "Trật tự vỉa hè",
    "follow_ups": [
        {
            "id": str(FOLLOW_UP_ID),
            "description": "Lắp đèn ngõ 12",
            "owner": "Phòng Kinh tế",
            "due_on": "2026-12-31",
            "status": "done",
            "done_on": "2026-12-01",
            "overdue": False,
        }
    ],
}
REPLIES: dict[tuple[str, str], Any] = {
    ("petitions", action.value): PETITION for action in PetitionAction
} | {
    ("dialogues", "follow_up"): DIALOGUE,
    ("digest", "get"): {"unit_code": "00097", "on": "2026-11-16", "nearly_due": [], "overdue": []},
    ("audit", "list"): {"data": [], "total": 0, "next_cursor": None},
    ("petitions", "list"): {"data": [PETITION], "total": 1, "next_cursor": None},
    ("deadlines", "check"): {"overdue_marked": 2, "digests_published": 3, "anonymised": 1},
}

VISIT_BODY: dict[str, Any] = {
    "unit_code": "00097",
    "mode": "regular",
    "receiver_name": "Trần Văn Bình",
    "receiver_role": "officer",
    "headcount": 1,
    "matter": "Đơn giá bồi thường",
}
PETITION_BODY: dict[str, Any] = {
    "unit_code": "00097",
    "source": "in_person",
    "petition_class": "complaint",
    "sector": "compensation",
    "petitioner": {"name": "Lê Thị Hoa"},
    "summary": "Khiếu nại đơn giá bồi thường",
}
DIALOGUE_BODY: dict[str, Any] = {
    "unit_code": "00097",
    "level": "commune",
    "held_on": "2026-11-10",
    "chair": "Trần Văn Bình",
    "participants": 120,
    "opinions_raised": 14,
    "topic": "Trật tự vỉa hè",
}
CREATES = [
    pytest.param("/api/v1/visits", VISIT_BODY, id="visit"),
    pytest.param("/api/v1/petitions", PETITION_BODY, id="petition"),
    pytest.param("/api/v1/dialogues", DIALOGUE_BODY, id="dialogue"),
]
DECISIONS = [
    PetitionAction.REJECT,
    PetitionAction.ACCEPT,
    PetitionAction.EXTEND,
    PetitionAction.CONCLUDE,
    PetitionAction.ENFORCE,
]


@dataclass
class Asked:
    service: str
    resource: str
    action: str
    principal: Principal
    data: dict[str, Any]
    timeout: float | None


@dataclass
class FakeServices:
    """Records what the gateway asks and answers with canned replies."""

    asked: list[Asked] = field(default_factory=list)

    async def ask(
        self,
        service: str,
        resource: str,
        action: str,
        principal: Principal,
        data: BaseModel | dict[str, Any],
        *,
        timeout: float | None = None,
    ) -> Any:
        values = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
        self.asked.append(Asked(service, resource, action, principal, values, timeout))
        return REPLIES[(resource, action)]


@pytest.fixture
def services() -> FakeServices:
    return FakeServices()


@pytest.fixture
def app(services: FakeServices) -> FastAPI:
    app = FastAPI()
    app.include_router(reception.router)
    app.state.units = load_units()
    app.state.settings = Settings(jwt_secret=SECRET)
    app.state.token_verifier = SecretVerifier(SECRET)
    app.state.rate_limiter = RateLimiter(app.state.settings.rate_limit)
    app.dependency_overrides[get_services] = lambda: services
    install_error_handlers(app)
    return app


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


def auth(role: Role, unit: str = "01") -> dict[str, str]:
    token = issue_token(SECRET, unit=unit, roles=[role], sub=f"{role.value}-{unit}")
    return {"Authorization": f"Bearer {token}"}


def step_body(action: PetitionAction) -> dict[str, Any]:
    """A valid body for a step: the fields its class requires."""
    details = {
        "reason": "Không thuộc thẩm quyền",
        "to_body": "Sở Tài nguyên và Môi trường",
        "dispatch_number": "125/PC-UBND",
        "decision_number": "12/QĐ-UBND",
        "conclusion": "upheld",
    }
    fields = PETITION_STEP_BODIES[action].model_fields
    return {name: value for name, value in details.items() if name in fields}


def step_path(action: PetitionAction) -> str:
    return f"/api/v1/petitions/{PETITION_ID}/{action.value.replace('_', '-')}"


def error_code(response: Any) -> str:
    code: str = response.json()["error"]["code"]
    return code


# ---- the API document --------------------------------------------------------------------------


def test_the_api_document_lists_every_reception_route(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    expected = {
        "/api/v1/visits": {"get", "post"},
        "/api/v1/visits/{visit_id}": {"get"},
        "/api/v1/visits/{visit_id}/reply": {"post"},
        "/api/v1/petitions": {"get", "post"},
        "/api/v1/petitions/{petition_id}": {"get"},
        "/api/v1/dialogues": {"get", "post"},
        "/api/v1/dialogues/{dialogue_id}": {"get"},
        "/api/v1/dialogues/{dialogue_id}/follow-ups/{follow_up_id}": {"put"},
        "/api/v1/units/{code}/reception-digest": {"get"},
        "/api/v1/units/{code}/reception-schedule": {"get"},
        "/api/v1/audit/personal-data": {"get"},
        "/api/v1/admin/deadline-check": {"post"},
    } | {f"/api/v1/petitions/{{petition_id}}/{action.value}": {"post"} for action in PetitionAction}
    assert {path: set(operations) for path, operations in paths.items()} == expected
    assert paths["/api/v1/visits"]["post"]["responses"].keys() >= {"201", "403", "422"}


def test_each_petition_step_shows_its_own_body_in_the_api_document(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    for action, body_type in PETITION_STEP_BODIES.items():
        request = paths[f"/api/v1/petitions/{{petition_id}}/{action.value}"]["post"]["requestBody"]
        schema = request["content"]["application/json"]["schema"]
        ref = f"#/components/schemas/{body_type.__name__}"
        needs_body = any(field.is_required() for field in body_type.model_fields.values())
        if needs_body:
            assert schema == {"$ref": ref}, action
            assert request["required"] is True, action
        else:
            assert {"$ref": ref} in schema["anyOf"], action
            assert not request.get("required", False), action


def test_the_schedule_asks_for_a_period_in_the_api_document(app: FastAPI) -> None:
    operation = app.openapi()["paths"]["/api/v1/units/{code}/reception-schedule"]["get"]
    period = next(p for p in operation["parameters"] if p["name"] == "period")
    assert period["required"] is True
    assert period["in"] == "query"


# ---- roles and scope ---------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "body"), CREATES)
def test_a_viewer_cannot_record_anything_and_the_service_is_never_asked(
    client: TestClient, services: FakeServices, path: str, body: dict[str, Any]
) -> None:
    response = client.post(path, json=body, headers=auth(Role.VIEWER))
    assert response.status_code == 403
    assert error_code(response) == "forbidden"
    assert services.asked == []


def test_a_viewer_cannot_take_a_petition_step_or_update_a_follow_up(
    client: TestClient, services: FakeServices
) -> None:
    for action in PetitionAction:
        response = client.post(step_path(action), json=step_body(action), headers=auth(Role.VIEWER))
        assert response.status_code == 403, action
    verify = client.post(step_path(PetitionAction.VERIFY), headers=auth(Role.VIEWER))
    assert verify.status_code == 403
    follow_up = client.put(
        f"/api/v1/dialogues/{DIALOGUE_ID}/follow-ups/{FOLLOW_UP_ID}",
        json={"status": "done"},
        headers=auth(Role.VIEWER),
    )
    assert follow_up.status_code == 403
    assert services.asked == []


@pytest.mark.parametrize("action", DECISIONS)
def test_an_officer_cannot_take_a_leaders_decision_on_a_petition(
    client: TestClient, services: FakeServices, action: PetitionAction
) -> None:
    response = client.post(step_path(action), json=step_body(action), headers=auth(Role.OFFICER))
    assert response.status_code == 403
    assert "leader" in response.json()["error"]["message"]
    assert services.asked == []


def test_a_leader_is_refused_the_personal_data_audit_and_the_deadline_check(
    client: TestClient, services: FakeServices
) -> None:
    audit = client.get("/api/v1/audit/personal-data", headers=auth(Role.LEADER))
    check = client.post("/api/v1/admin/deadline-check", headers=auth(Role.LEADER))
    assert (audit.status_code, check.status_code) == (403, 403)
    assert services.asked == []


@pytest.mark.parametrize(("path", "body"), CREATES)
def test_recording_for_a_unit_outside_ones_own_is_forbidden_before_the_service_is_asked(
    client: TestClient, services: FakeServices, path: str, body: dict[str, Any]
) -> None:
    # An officer of Hồ Chí Minh City records for Phường Hồng Hà, Hà Nội.
    response = client.post(path, json=body, headers=auth(Role.OFFICER, unit="79"))
    assert response.status_code == 403
    assert "00097" in response.json()["error"]["message"]
    assert services.asked == []


def test_an_unknown_unit_has_no_reception_digest(
    client: TestClient, services: FakeServices
) -> None:
    response = client.get("/api/v1/units/nowhere/reception-digest", headers=auth(Role.VIEWER))
    assert response.status_code == 404
    assert error_code(response) == "not_found"
    assert services.asked == []


def test_another_provinces_reception_schedule_is_forbidden(
    client: TestClient, services: FakeServices
) -> None:
    response = client.get(
        "/api/v1/units/00097/reception-schedule",
        params={"period": "2026Q3"},
        headers=auth(Role.VIEWER, unit="79"),
    )
    assert response.status_code == 403
    assert services.asked == []


def test_a_request_without_a_token_is_unauthenticated(client: TestClient) -> None:
    assert client.get("/api/v1/petitions").status_code == 401


# ---- what the reception service is asked -------------------------------------------------------


def test_a_petition_step_is_sent_with_the_petition_id_from_the_path(
    client: TestClient, services: FakeServices
) -> None:
    response = client.post(
        step_path(PetitionAction.CONCLUDE),
        json={"conclusion": "upheld", "decision_number": "12/QĐ-UBND", "on": "2026-12-01"},
        headers=auth(Role.LEADER),
    )
    assert response.status_code == 200
    assert response.json()["status"] == "concluded"
    [asked] = services.asked
    assert (asked.service, asked.resource, asked.action) == ("reception", "petitions", "conclude")
    assert asked.data == {
        "id": str(PETITION_ID),
        "conclusion": "upheld",
        "decision_number": "12/QĐ-UBND",
        "on": "2026-12-01",
    }
    assert asked.principal.unit == "01"


def test_a_step_with_nothing_to_state_can_be_taken_without_a_body(
    client: TestClient, services: FakeServices
) -> None:
    response = client.post(step_path(PetitionAction.VERIFY), headers=auth(Role.OFFICER))
    assert response.status_code == 200
    [asked] = services.asked
    assert (asked.resource, asked.action, asked.data) == (
        "petitions",
        "verify",
        {"id": str(PETITION_ID)},
    )


def test_a_step_that_needs_details_says_which_are_missing(
    client: TestClient, services: FakeServices
) -> None:
    response = client.post(step_path(PetitionAction.FORWARD), json={}, headers=auth(Role.OFFICER))
    assert response.status_code == 422
    fields = {detail["field"] for detail in response.json()["error"]["details"]}
    assert fields == {"to_body", "dispatch_number"}
    assert services.asked == []


def test_a_follow_up_update_carries_the_dialogue_and_follow_up_from_the_path(
    client: TestClient, services: FakeServices
) -> None:
    response = client.put(
        f"/api/v1/dialogues/{DIALOGUE_ID}/follow-ups/{FOLLOW_UP_ID}",
        json={"status": "done", "on": "2026-12-01"},
        headers=auth(Role.OFFICER),
    )
    assert response.status_code == 200
    [asked] = services.asked
    assert (asked.resource, asked.action) == ("dialogues", "follow_up")
    assert asked.data == {
        "dialogue_id": str(DIALOGUE_ID),
        "follow_up_id": str(FOLLOW_UP_ID),
        "status": "done",
        "on": "2026-12-01",
        "remarks": "",
    }


def test_a_units_digest_is_asked_for_by_the_unit_in_the_path(
    client: TestClient, services: FakeServices
) -> None:
    response = client.get("/api/v1/units/00097/reception-digest", headers=auth(Role.VIEWER))
    assert response.status_code == 200
    assert response.json()["unit_code"] == "00097"
    [asked] = services.asked
    assert (asked.resource, asked.action, asked.data) == ("digest", "get", {"unit_code": "00097"})


def test_petitions_can_be_listed_by_several_statuses(
    client: TestClient, services: FakeServices
) -> None:
    response = client.get(
        "/api/v1/petitions",
        params=[("status", "accepted"), ("status", "verifying"), ("overdue", "true")],
        headers=auth(Role.VIEWER),
    )
    assert response.status_code == 200
    assert response.json()["total"] == 1
    [asked] = services.asked
    assert asked.data["status"] == ["accepted", "verifying"]
    assert asked.data["overdue"] is True


def test_an_admin_reads_the_personal_data_audit_and_runs_the_deadline_check(
    client: TestClient, services: FakeServices
) -> None:
    audit = client.get(
        "/api/v1/audit/personal-data", params={"unit_code": "00097"}, headers=auth(Role.ADMIN)
    )
    check = client.post("/api/v1/admin/deadline-check", headers=auth(Role.ADMIN, "VN"))
    assert audit.status_code == 200
    assert check.json() == {"overdue_marked": 2, "digests_published": 3, "anonymised": 1}
    assert [(asked.resource, asked.action) for asked in services.asked] == [
        ("audit", "list"),
        ("deadlines", "check"),
    ]
    assert services.asked[0].data["unit_code"] == "00097"
    assert services.asked[1].data == {}
