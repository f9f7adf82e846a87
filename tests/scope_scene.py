"""What a scope probe aims at: a target unit, the units around it, and one record of every kind
the gateway's routes act on, created in that unit through the gateway by the unit's own
principals, each in the state that lets its route's step go ahead."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from danvan.contracts.rpc import Role
from danvan.units.model import NATION_ID
from tests.platform_stack import PlatformStack


class Relation(StrEnum):
    """Where a principal's unit stands from the target's."""

    SELF = "self"
    PARENT = "parent"
    SIBLING = "sibling"
    CHILD = "child"


INSIDE = (Relation.SELF, Relation.PARENT)
OUTSIDE = (Relation.SIBLING, Relation.CHILD)
ROLES = tuple(Role)


@dataclass(frozen=True)
class Target:
    name: str
    # The level of the unit, as a contest, a dialogue and a recognition name it.
    level: str
    relatives: Mapping[Relation, str]

    @property
    def unit(self) -> str:
        return self.relatives[Relation.SELF]

    def around(self, *relations: Relation) -> list[tuple[Relation, str]]:
        """The units standing in those relations to the target (a commune has no child)."""
        return [(r, self.relatives[r]) for r in relations if r in self.relatives]


# Hà Nội: under the nation, beside Hồ Chí Minh City, over Phường Hồng Hà.
PROVINCE = Target(
    "province",
    "province",
    {
        Relation.SELF: "01",
        Relation.PARENT: NATION_ID,
        Relation.SIBLING: "79",
        Relation.CHILD: "00097",
    },
)
# Phường Hồng Hà: under Hà Nội, beside Phường Ba Đình; a commune has no unit below it.
COMMUNE = Target(
    "commune",
    "commune",
    {Relation.SELF: "00097", Relation.PARENT: "01", Relation.SIBLING: "00004"},
)

# The steps a registry record takes before each step route can go ahead.
RECORD_STEPS: dict[str, list[str]] = {
    "start": [],
    "appraise": ["start"],
    "evaluate": ["start", "appraise"],
    "recognise": ["start", "appraise", "evaluate"],
    "not-recognise": ["start", "appraise", "evaluate"],
    "withdraw": [],
}
# The steps a petition takes before each step route can go ahead; `extend` needs a
# denunciation accepted as complex.
PETITION_STEPS: dict[str, list[str]] = {
    "classify": [],
    "reject": [],
    "forward": [],
    "withdraw": [],
    "accept": ["classify"],
    "verify": ["classify", "accept"],
    "conclude": ["classify", "accept"],
    "enforce": ["classify", "accept", "conclude"],
    "extend": ["classify", "accept-complex", "verify"],
}
# Reports the target sent its parent, by the review step each is kept for; `submit` probes
# a period of its own.
REPORT_PERIODS = {"return": "2026Q2", "approve": "2026Q3", "submit": "2026Q1"}


def model_body(target: Target, name: str = "Dân vận khéo trong xây dựng nông thôn mới") -> Any:
    return {"name": name, "field": "economy", "unit_code": target.unit}


def exemplar_body(target: Target, name: str = "Nguyễn Thị Lan") -> Any:
    return {
        "kind": "individual",
        "name": name,
        "field": "economy",
        "unit_code": target.unit,
        "achievement": "Vận động 40 hộ hiến đất mở rộng ngõ",
    }


def organisation_body(target: Target) -> Any:
    return {"name": "Hội Nông dân", "kind": "front_or_mass_organisation", "unit_code": target.unit}


def contest_body(target: Target) -> Any:
    return {
        "name": "Hội thi Dân vận khéo năm 2026",
        "level": target.level,
        "year": 2026,
        "unit_code": target.unit,
    }


def visit_body(target: Target, visitor: str = "Nguyễn Văn An") -> Any:
    return {
        "unit_code": target.unit,
        "mode": "regular",
        "receiver_name": "Trần Văn Bình",
        "receiver_role": "officer",
        "headcount": 1,
        "visitors": [{"name": visitor}],
        "matter": "Hỏi về cấp giấy chứng nhận quyền sử dụng đất",
        "new_case": True,
    }


def petition_body(
    target: Target, petitioner: str = "Lê Thị Hoa", petition_class: str = "complaint"
) -> Any:
    denunciation = petition_class == "denunciation"
    return {
        "unit_code": target.unit,
        "source": "in_person",
        "petition_class": petition_class,
        "sector": "corruption" if denunciation else "land",
        "petitioner": {"name": petitioner, "kind": "individual", "id_number": "001190012345"},
        "respondent": "Ủy ban nhân dân",
        "summary": "Tố cáo cán bộ địa chính"
        if denunciation
        else "Khiếu nại quyết định thu hồi đất",
        "new_case": True,
    }


def dialogue_body(target: Target) -> Any:
    return {
        "unit_code": target.unit,
        "level": target.level,
        "held_on": "2026-11-10",
        "chair": "Trần Văn Bình",
        "participants": 50,
        "opinions_raised": 5,
        "topic": "Trật tự vỉa hè",
        "follow_ups": [
            {"description": "Lắp đèn ngõ 12", "owner": "Phòng Kinh tế", "due_on": "2026-12-31"}
        ],
    }


def report_body(target: Target, period: str) -> Any:
    return {
        "unit_code": target.unit,
        "period": period,
        "kind": "work",
        "results": "Tổ chức 2 hội nghị đối thoại.",
        "limitations": "Một số tổ dân phố báo cáo chậm.",
        "tasks": "Nhân rộng mô hình.",
    }


def recognition_body(target: Target) -> Any:
    return {"level": target.level, "decision_number": "12/QĐ-UBND"}


RECORD_STEP_BODIES: dict[str, Any] = {
    "start": None,
    "appraise": {"appraiser": "Ban Dân vận", "findings": "Đạt", "score": 90},
    "evaluate": {"proposed": True},
    "not-recognise": {"reason": "Chưa đạt"},
    "withdraw": {"reason": "Trùng lặp"},
}
PETITION_STEP_BODIES: dict[str, Any] = {
    "classify": {},
    "reject": {"reason": "Không đủ điều kiện thụ lý"},
    "forward": {"to_body": "Thanh tra Thành phố", "dispatch_number": "1/PC"},
    "accept": {},
    "accept-complex": {"complex": True},
    "verify": None,
    "extend": {"decision_number": "9/QĐ"},
    "conclude": {"conclusion": "partly_upheld", "decision_number": "45/QĐ-UBND"},
    "enforce": {},
    "withdraw": {"reason": "Rút đơn"},
}


def record_step_body(target: Target, step: str) -> Any:
    return recognition_body(target) if step == "recognise" else RECORD_STEP_BODIES[step]


@dataclass
class Scene:
    """The target's records by name ("models", "models.start", "petition.extend", …), and
    the path each is read at (a contest's entry and a dialogue's follow-up have none)."""

    stack: PlatformStack
    target: Target
    ids: dict[str, str] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> str:
        return self.ids[name]

    def in_collection(self, collection: str) -> set[str]:
        """The ids of the records read under `collection` (such as /api/v1/models)."""
        return {
            self.ids[name] for name, path in self.paths.items() if path.startswith(collection + "/")
        }

    def auth(self, relation: Relation, role: Role) -> dict[str, str]:
        return self.stack.auth(self.target.relatives[relation], role)


class _Builder:
    def __init__(self, stack: PlatformStack, target: Target) -> None:
        self.scene = Scene(stack, target)
        self.client = stack.client

    async def send(self, method: str, path: str, body: Any, role: Role = Role.LEADER) -> Any:
        reply = await self.client.request(
            method, path, json=body, headers=self.scene.auth(Relation.SELF, role)
        )
        assert reply.status_code in (200, 201), f"{method} {path}: {reply.text}"
        return reply.json()

    async def create(
        self, name: str, path: str, body: Any, role: Role = Role.LEADER, *, readable: bool = True
    ) -> str:
        created = await self.send("POST", path, body, role)
        record = str(created["id"])
        self.scene.ids[name] = record
        if readable:
            self.scene.paths[name] = f"{path}/{record}"
        return record

    async def registry_records(self, resource: str, body: Any) -> None:
        target = self.scene.target
        await self.create(resource, f"/api/v1/{resource}", body(target))
        await self.create(f"{resource}.entrant", f"/api/v1/{resource}", body(target, "Dự thi"))

        async def ready_for(step: str) -> None:
            record = await self.create(f"{resource}.{step}", f"/api/v1/{resource}", body(target))
            for earlier in RECORD_STEPS[step]:
                body_of = record_step_body(target, earlier)
                await self.send("POST", f"/api/v1/{resource}/{record}/{earlier}", body_of)

        await asyncio.gather(*(ready_for(step) for step in RECORD_STEPS))

    async def contest(self) -> None:
        target = self.scene.target
        contest = await self.create("contest", "/api/v1/contests", contest_body(target))
        entry = {"kind": "model", "record_id": self.scene["models"]}
        path = f"/api/v1/contests/{contest}/entries"
        await self.create("contest.entry", path, entry, readable=False)

    async def petitions(self) -> None:
        target = self.scene.target
        await self.create("petition", "/api/v1/petitions", petition_body(target))
        # An officer of the unit reads the petitioner's personal data: an audit entry.
        await self.send("GET", f"/api/v1/petitions/{self.scene['petition']}", None, Role.OFFICER)

        async def ready_for(step: str) -> None:
            kind = "denunciation" if step == "extend" else "complaint"
            body = petition_body(target, f"Người gửi đơn {step}", kind)
            petition = await self.create(f"petition.{step}", "/api/v1/petitions", body)
            for earlier in PETITION_STEPS[step]:
                path = f"/api/v1/petitions/{petition}/{earlier.removesuffix('-complex')}"
                await self.send("POST", path, PETITION_STEP_BODIES[earlier])

        await asyncio.gather(*(ready_for(step) for step in PETITION_STEPS))

    async def dialogue(self) -> None:
        dialogue = await self.create(
            "dialogue", "/api/v1/dialogues", dialogue_body(self.scene.target)
        )
        detail = await self.send("GET", f"/api/v1/dialogues/{dialogue}", None)
        self.scene.ids["dialogue.follow_up"] = detail["follow_ups"][0]["id"]

    async def reports(self) -> None:
        for step in ("return", "approve"):
            body = report_body(self.scene.target, REPORT_PERIODS[step])
            await self.create(f"report.{step}", "/api/v1/reports", body, Role.OFFICER)


async def build_scene(stack: PlatformStack, target: Target) -> Scene:
    """Every record the probes aim at, in the target unit; the services' records are made
    side by side."""
    builder = _Builder(stack, target)

    async def registry() -> None:
        await builder.registry_records("models", model_body)
        await builder.contest()

    await asyncio.gather(
        registry(),
        builder.registry_records("exemplars", exemplar_body),
        builder.create(
            "organisation", "/api/v1/organisations", organisation_body(target), Role.ADMIN
        ),
        builder.create("visit", "/api/v1/visits", visit_body(target)),
        builder.petitions(),
        builder.dialogue(),
        builder.reports(),
    )
    return builder.scene
