"""The OpenAPI document portal builders read: every operation says what it does, shows an
example of what it takes and gives, documents its errors in the one error shape, and lives
under the versioned prefix `/api/v1`; every example in it is valid for its own schema."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from danvan.config import Settings
from danvan.units import load_units
from services.gateway.app import create_app

UNVERSIONED = {"/healthz", "/readyz", "/asyncapi.json", "/asyncapi"}
AUTHENTICATED_ERRORS = {"401", "403", "422", "429", "503"}
ERROR_SCHEMA = "#/components/schemas/ErrorResponse"
METHODS = {"get", "post", "put", "patch", "delete"}

Operation = tuple[str, str, dict[str, Any]]


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    settings = Settings(
        home=Path(tmp_path_factory.mktemp("openapi")),
        jwt_secret="a-secret-long-enough-for-the-settings-check-0123456789",
        nats_url="nats://127.0.0.1:4222",
    )
    return create_app(settings, units_tree=load_units()).openapi()


def operations(document: dict[str, Any]) -> Iterator[Operation]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def schema_name(schema: dict[str, Any]) -> str | None:
    """The component a schema refers to, also through an array or an optional (`X | None`)."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return schema_name(schema.get("items", {}))
    for option in schema.get("anyOf", []):
        if option.get("type") != "null":
            return schema_name(option)
    return None


def has_example(document: dict[str, Any], media: dict[str, Any]) -> bool:
    if media.get("example") is not None or media.get("examples"):
        return True
    name = schema_name(media.get("schema", {}))
    return name is not None and bool(document["components"]["schemas"][name].get("examples"))


def test_every_path_is_under_the_versioned_prefix_but_health_and_the_events_document(
    document: dict[str, Any],
) -> None:
    outside = {path for path in document["paths"] if not path.startswith("/api/v1/")}
    assert outside == UNVERSIONED


def _made_up_summary(path: str, method: str, operation: dict[str, Any]) -> str:
    """The summary FastAPI makes of the function's name when a route gives none: its
    operation id is the name, then the path and the method."""
    suffix = re.sub(r"\W", "_", path) + "_" + method
    name = str(operation["operationId"]).removesuffix(suffix)
    return name.replace("_", " ").title()


def test_every_operation_says_what_it_does(document: dict[str, Any]) -> None:
    """A summary of its own or a description: not only the title FastAPI makes of the name
    of the function."""
    silent = [
        f"{method} {path}"
        for path, method, operation in operations(document)
        if not operation.get("description")
        and operation.get("summary", "") in ("", _made_up_summary(path, method, operation))
    ]
    assert not silent, "\n".join(silent)


def test_a_made_up_summary_is_recognised(document: dict[str, Any]) -> None:
    """The check above would let everything through if it could not tell."""
    operation = document["paths"]["/healthz"]["get"]
    assert _made_up_summary("/healthz", "get", operation) == operation["summary"] == "Healthz"


def test_every_authenticated_operation_documents_its_errors_in_the_one_error_shape(
    document: dict[str, Any],
) -> None:
    wrong = []
    for path, method, operation in operations(document):
        if path in UNVERSIONED:
            continue
        if operation.get("security") != [{"HTTPBearer": []}]:
            wrong.append(f"{method} {path}: no bearer security")
        missing = AUTHENTICATED_ERRORS - set(operation["responses"])
        if missing:
            wrong.append(f"{method} {path}: lacks {sorted(missing)}")
        for status, response in operation["responses"].items():
            if status[0] in "45":
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                if schema != {"$ref": ERROR_SCHEMA}:
                    wrong.append(f"{method} {path} {status}: {schema}")
    assert not wrong, "\n".join(wrong)


def test_the_429_says_when_to_try_again_and_the_401_how_to_authenticate(
    document: dict[str, Any],
) -> None:
    responses = document["paths"]["/api/v1/models"]["get"]["responses"]
    assert "Retry-After" in responses["429"]["headers"]
    assert "WWW-Authenticate" in responses["401"]["headers"]


def test_the_bearer_scheme_is_declared(document: dict[str, Any]) -> None:
    scheme = document["components"]["securitySchemes"]["HTTPBearer"]
    assert scheme["type"] == "http"
    assert scheme["scheme"] == "bearer"
    assert scheme["bearerFormat"] == "JWT"


def test_every_request_body_has_an_example_and_every_upload_its_file_types(
    document: dict[str, Any],
) -> None:
    lacking = []
    for path, method, operation in operations(document):
        for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
            if media_type == "multipart/form-data":
                if not media.get("encoding", {}).get("file", {}).get("contentType"):
                    lacking.append(f"{method} {path}: the file's content types")
            elif not has_example(document, media):
                lacking.append(f"{method} {path}: {media_type}")
    assert not lacking, "\n".join(lacking)


def test_every_json_answer_has_an_example(document: dict[str, Any]) -> None:
    lacking = []
    for path, method, operation in operations(document):
        for status, response in operation["responses"].items():
            media = response.get("content", {}).get("application/json")
            if media is not None and not has_example(document, media):
                lacking.append(f"{method} {path} {status}")
    assert not lacking, "\n".join(lacking)


def test_file_downloads_declare_their_content_types(document: dict[str, Any]) -> None:
    download = document["paths"]["/api/v1/units/{code}/report.{fmt}"]["get"]["responses"]["200"]
    assert set(download["content"]) == {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }


def _examples(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """(where, schema, example) for every example the document gives."""
    for name, schema in document["components"]["schemas"].items():
        for example in schema.get("examples", []):
            yield f"components.schemas.{name}", schema, example
    for path, method, operation in operations(document):
        contents = [("body", operation.get("requestBody", {}).get("content", {}))] + [
            (status, response.get("content", {}))
            for status, response in operation["responses"].items()
        ]
        for where, content in contents:
            for media_type, media in content.items():
                if "example" in media and "schema" in media:
                    yield f"{method} {path} {where} {media_type}", media["schema"], media["example"]


def test_every_example_is_valid_for_its_own_schema(document: dict[str, Any]) -> None:
    invalid = []
    components = {"components": document["components"]}
    for where, schema, example in _examples(document):
        validator = jsonschema_rs.validator_for({**schema, **components})
        invalid += [f"{where}: {error.message}" for error in validator.iter_errors(example)]
    assert not invalid, "\n".join(invalid)


def test_the_examples_are_checked_at_all(document: dict[str, Any]) -> None:
    """The check above reads examples from both places the document keeps them."""
    places = {where.split(" ")[0].split(".")[0] for where, _, _ in _examples(document)}
    assert places >= {"components", "get", "post"}
