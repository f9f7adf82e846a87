"""The gateway's OpenAPI document is its contract with portal builders: schemathesis generates
requests from it and sends them to the whole platform (`danvan run`: real nats-server, SQLite),
and the test fails on any server error and on any response the document does not describe
(its status, its content type, its body).

Requests go out with a token of every role at `VN`, then (fewer of them) with a commune
officer's, so that scope and role refusals are answered too. Besides ids that do not exist,
many requests on a path with ids name records that do (those the document's own examples
create) or units that do (the commune, and the province it is not allowed to see).

Generation is derandomized so CI repeats the same requests. A longer hunt for rarer bugs:
`DANVAN_CONTRACT_EXAMPLES=200 DANVAN_CONTRACT_MODES=positive,negative pytest tests/e2e/...`
(negative: requests that break the document, which must be refused with a documented 4xx).

schemathesis's pytest integration does not run under pytest 9, so hypothesis drives it here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.errors import SerializationNotPossible
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from danvan.contracts.catalog import event_types
from danvan.contracts.rpc import Role
from tests.e2e.platform import RunningPlatform, start_platform

# Requests per operation: about 65 s for both passes on 2 cores, 80 s with the start-up.
EXAMPLES_PER_OPERATION = int(os.environ.get("DANVAN_CONTRACT_EXAMPLES", "30"))
COMMUNE_EXAMPLES_PER_OPERATION = max(1, EXAMPLES_PER_OPERATION // 3)
MODES = [
    GenerationMode(mode) for mode in os.environ.get("DANVAN_CONTRACT_MODES", "positive").split(",")
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
COMMUNE = "00097"  # Phường Hồng Hà, Hà Nội
PROVINCE = "01"  # Hà Nội
REQUEST_TIMEOUT_SECONDS = 60
FAILURE_TEXT = 3000


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    running = start_platform(
        tmp_path_factory.mktemp("contract"), settings={"DANVAN_RATE_LIMIT": "1000000/minute"}
    )
    try:
        yield running
    finally:
        assert running.stop() == 0, running.log()


@pytest.fixture(scope="module")
def document(platform: RunningPlatform) -> dict[str, Any]:
    answer = httpx.get(f"{platform.base_url}/openapi.json", timeout=30)
    answer.raise_for_status()
    result: dict[str, Any] = answer.json()
    return result


def body_example(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    """The first example the document gives for an operation's JSON body."""
    content = document["paths"][path][method]["requestBody"]["content"]["application/json"]
    schema = content["schema"]
    if "examples" in content:
        return dict(next(iter(content["examples"].values()))["value"])
    if "example" in content:
        return dict(content["example"])
    name = schema["$ref"].rsplit("/", 1)[-1]
    return dict(document["components"]["schemas"][name]["examples"][0])


CREATED_FROM_EXAMPLES = (
    "models",
    "exemplars",
    "organisations",
    "contests",
    "visits",
    "petitions",
    "dialogues",
    "reports",
)


@pytest.fixture(scope="module")
def made(
    platform: RunningPlatform, document: dict[str, Any]
) -> dict[str, tuple[Any, httpx.Response]]:
    """Each create operation's documented example, posted as it stands: (example, answer)."""
    admin = platform.client("VN", *Role)
    answers = {}
    for resource in CREATED_FROM_EXAMPLES:
        path = f"/api/v1/{resource}"
        example = body_example(document, "post", path)
        answers[resource] = (example, admin.post(path, json=example))
    return answers


def test_every_create_example_in_the_document_makes_what_it_shows(
    made: dict[str, tuple[Any, httpx.Response]],
) -> None:
    for resource, (example, answer) in made.items():
        assert answer.status_code == 201, (resource, answer.text)
        record = answer.json()
        shown = {k: v for k, v in example.items() if isinstance(v, str | int) and k in record}
        assert shown, resource
        assert {k: record[k] for k in shown} == shown, resource


@pytest.fixture(scope="module")
def known_ids(
    platform: RunningPlatform,
    document: dict[str, Any],
    made: dict[str, tuple[Any, httpx.Response]],
) -> dict[str, list[dict[str, str]]]:
    """Path parameters naming what exists, by the path's first part: one or more sets."""
    ids = {}
    for resource, (_, answer) in made.items():
        assert answer.status_code == 201, (resource, answer.text)
        ids[resource] = answer.json()
    entry_path = "/api/v1/contests/{contest_id}/entries"
    entry = platform.client("VN", *Role).post(
        entry_path.format(contest_id=ids["contests"]["id"]),
        json=body_example(document, "post", entry_path) | {"record_id": ids["models"]["id"]},
    )
    assert entry.status_code == 201, entry.text
    return {
        "models": [{"record_id": ids["models"]["id"]}],
        "exemplars": [{"record_id": ids["exemplars"]["id"]}],
        "organisations": [{"organisation_id": ids["organisations"]["id"]}],
        "contests": [{"contest_id": ids["contests"]["id"], "entry_id": entry.json()["id"]}],
        "visits": [{"visit_id": ids["visits"]["id"]}],
        "petitions": [{"petition_id": ids["petitions"]["id"]}],
        "dialogues": [
            {
                "dialogue_id": ids["dialogues"]["id"],
                "follow_up_id": ids["dialogues"]["follow_ups"][0]["id"],
            }
        ],
        "reports": [{"report_id": ids["reports"]["id"]}],
        "units": [{"code": COMMUNE}, {"code": PROVINCE}],
    }


def _path_parameters(path: str) -> list[str]:
    return re.findall(r"{(\w+)}", path)


def _known_for(path: str, known_ids: dict[str, list[dict[str, str]]]) -> list[dict[str, str]]:
    """Sets of path parameters naming what exists, for every id the path names."""
    resource = path.removeprefix("/api/v1/").split("/", 1)[0]
    names = [name for name in _path_parameters(path) if name != "fmt"]  # fmt: an enum
    if not names:
        return []
    return [
        {name: known[name] for name in names}
        for known in known_ids.get(resource, [])
        if all(name in known for name in names)
    ]


def _first_failure(error: BaseException) -> str:
    if isinstance(error, BaseExceptionGroup) and error.exceptions:
        return str(error.exceptions[0])
    return f"{type(error).__name__}: {error}"


def exercise(
    schema: Any,
    token: str,
    examples: int,
    known_ids: dict[str, list[dict[str, str]]],
) -> list[str]:
    """Every operation of the document, `examples` requests each; one line per failure."""
    failures: list[str] = []
    headers = {"Authorization": f"Bearer {token}"}
    with requests.Session() as session:
        for result in schema.get_all_operations():
            operation = result.ok()
            for mode in MODES:
                strategies = [operation.as_strategy(generation_mode=mode)] + [
                    operation.as_strategy(generation_mode=mode, path_parameters=fixed)
                    for fixed in _known_for(operation.path, known_ids)
                ]

                @given(case=st.one_of(strategies))
                @settings(
                    max_examples=examples,
                    deadline=None,
                    suppress_health_check=list(HealthCheck),
                    derandomize=True,
                    database=None,
                )
                def run(case: Any) -> None:
                    case.call_and_validate(
                        session=session,
                        headers=headers,
                        checks=CHECKS,
                        timeout=REQUEST_TIMEOUT_SECONDS,
                    )

                try:
                    run()
                except (Exception, BaseExceptionGroup) as error:
                    if mode is GenerationMode.NEGATIVE and isinstance(
                        error, Unsatisfiable | SerializationNotPossible
                    ):
                        # As schemathesis's own runner: an operation with no input has no
                        # negative request, and a file part no generic wrong form.
                        continue
                    failures.append(
                        f"{mode.value} {operation.label}: {_first_failure(error)}"[:FAILURE_TEXT]
                    )
    return failures


def test_no_request_the_document_allows_gets_a_server_error_or_an_undocumented_answer(
    platform: RunningPlatform, known_ids: dict[str, list[dict[str, str]]]
) -> None:
    schema = schemathesis.openapi.from_url(f"{platform.base_url}/openapi.json")
    everything = platform.token("VN", *Role, sub="contract-admin")
    commune_officer = platform.token(COMMUNE, Role.OFFICER, sub="contract-commune")
    failures = exercise(schema, everything, EXAMPLES_PER_OPERATION, known_ids)
    failures += exercise(schema, commune_officer, COMMUNE_EXAMPLES_PER_OPERATION, known_ids)
    assert not failures, f"{len(failures)} operation(s) failed:\n\n" + "\n\n".join(failures)


def test_the_events_viewer_page_loads_the_document_of_every_event(
    platform: RunningPlatform,
) -> None:
    page = httpx.get(f"{platform.base_url}/asyncapi", timeout=30)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    scripts = re.findall(r'<script\s+src="([^"]+)"', page.text)
    assert scripts
    assert all(src.startswith("https://unpkg.com/@asyncapi/") for src in scripts)
    assert "https://unpkg.com" in page.headers["content-security-policy"]
    (document_url,) = re.findall(r'url: "([^"]+)"', page.text)
    events = httpx.get(urljoin(f"{platform.base_url}/asyncapi", document_url), timeout=30)
    assert events.status_code == 200
    assert set(events.json()["channels"]) == {
        f"evt.{payload.service}.{payload.aggregate}.{payload.verb}" for payload in event_types()
    }
