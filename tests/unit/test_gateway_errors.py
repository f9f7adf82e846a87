"""Every error the gateway answers with has the one shape, `{"error": {"code", "message",
"details"}}`, also those the framework raises itself and those of a bug."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from services.gateway.errors import install_error_handlers


class Note(BaseModel):
    text: str


def app() -> FastAPI:
    made = FastAPI()
    install_error_handlers(made)

    @made.post("/notes")
    async def add(note: Note) -> Note:
        return note

    @made.get("/broken")
    async def broken() -> None:
        raise KeyError("a secret detail")

    return made


def test_a_method_the_path_does_not_have_is_405_with_the_methods_it_has() -> None:
    answer = TestClient(app()).put("/notes", json={"text": "x"})
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"
    assert answer.json()["error"]["code"] == "method_not_allowed"


def test_a_body_that_is_not_json_is_invalid_input_like_any_other() -> None:
    answer = TestClient(app()).post(
        "/notes", content=b"\x08\xff{", headers={"content-type": "application/json"}
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "validation_error"


def test_an_unknown_path_is_404_in_the_callers_language() -> None:
    answer = TestClient(app()).get("/nowhere", headers={"accept-language": "en"})
    assert answer.status_code == 404
    assert answer.json() == {
        "error": {"code": "not_found", "message": "no such path", "details": []}
    }


def test_a_bug_answers_500_in_the_one_shape_without_its_details() -> None:
    answer = TestClient(app(), raise_server_exceptions=False).get("/broken")
    assert answer.status_code == 500
    error = answer.json()["error"]
    assert error["code"] == "internal_error"
    assert error["message"].startswith("lỗi không lường trước")
    assert "secret" not in answer.text
