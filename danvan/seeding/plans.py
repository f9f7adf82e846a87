"""The seeded data set as chains of rpc requests: a record's creation and the steps of its
life, each dated, in the order a unit would send them.

Every chain draws from a random generator of its own, seeded by (seed, kind, year, index):
the same arguments give the same requests whatever order they are sent in. A step dated
after today is not planned: the record stays where it is today (open, pending, overdue).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar

from faker import Faker

from danvan.contracts.reception import (
    Conclusion,
    DialogueLevel,
    FollowUpStatus,
    PetitionAction,
    PetitionClass,
    PetitionerKind,
    PetitionSource,
    ReceiverRole,
    ReceptionMode,
    Sector,
)
from danvan.contracts.registry import (
    Action,
    AwardKind,
    ExemplarKind,
    RecipientKind,
    RecognitionLevel,
)
from danvan.seeding import texts
from danvan.seeding.people import People, nfc
from danvan.seeding.places import Place, Places
from danvan.seeding.volumes import (
    SUPERVISION_ANNUAL,
    Kind,
    Years,
    count_for,
    half_years,
)
from danvan.units import REFORM_DATE, Unit, UnitTree

#: From this day online reception is recognised and a head may no longer delegate
#: periodic reception (Law 136/2025/QH15).
REFORM_2026 = date(2026, 7, 1)


@dataclass(frozen=True, slots=True)
class Fill:
    """A value of an earlier reply the request needs: `key` = reply[`call`] at `path`."""

    key: str
    call: int
    path: tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Call:
    service: str
    resource: str
    action: str
    body: dict[str, Any]
    on: date
    creates: bool = False  # a new record (counted as written), else a step of one
    fills: tuple[Fill, ...] = ()


@dataclass(frozen=True, slots=True)
class Chain:
    kind: Kind
    calls: tuple[Call, ...]

    @property
    def records(self) -> int:
        return sum(1 for call in self.calls if call.creates)


T = TypeVar("T")


def _weekday(day: date) -> date:
    """The Monday after a weekend day: offices receive on working days."""
    if day.weekday() >= 5:
        return day + timedelta(days=7 - day.weekday())
    return day


def _pick(rng: random.Random, weighted: dict[T, float]) -> T:
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


@dataclass
class _Builder:
    """Collects a chain's calls, dropping those after today (and, with them, the rest)."""

    kind: Kind
    today: date
    calls: list[Call] = field(default_factory=list)
    closed: bool = False

    def add(self, call: Call) -> int | None:
        """The call's index in the chain, or None when it is not planned (after today)."""
        if self.closed or call.on > self.today:
            self.closed = True
            return None
        self.calls.append(call)
        return len(self.calls) - 1

    def chain(self) -> Chain:
        return Chain(self.kind, tuple(self.calls))


class SeedPlan:
    """What `danvan seed` sends for a scale, years and seed, as of `today`."""

    def __init__(
        self, tree: UnitTree, *, scale: float, years: Years, seed: int, today: date
    ) -> None:
        if scale <= 0:
            raise ValueError("the scale must be above 0")
        self.tree = tree
        self.places = Places(tree)
        self.scale = scale
        self.years = years
        self.seed = seed
        self.today = today
        self.faker = Faker("vi_VN")
        self.people = People(self.faker)
        self.shares = {
            generation: pool.province_shares()
            for generation, pool in (
                ("legacy", self.places.legacy),
                ("current", self.places.current),
            )
        }
        self.counts: dict[tuple[Kind, int], int] = {}
        for year in years:
            for kind in Kind:
                self.counts[kind, year] = (
                    sum(len(self._provinces(start)) for _, start, _ in half_years(year, today))
                    if kind is Kind.FIGURES
                    else count_for(kind, year, scale, today)
                )

    # ---- the whole plan ------------------------------------------------------------------------

    def totals(self) -> dict[Kind, int]:
        """How many records of each kind the plan creates (before any refusal)."""
        totals = dict.fromkeys(Kind, 0)
        for (kind, _), count in self.counts.items():
            totals[kind] += count
        return totals

    def chains(self) -> Iterator[Chain]:
        """Year by year, the kinds interleaved in proportion: an interrupted seed leaves a
        smaller data set of the same shape."""
        for year in self.years:
            streams = {kind: self._chains(kind, year) for kind in Kind}
            planned = {kind: self.counts[kind, year] for kind in Kind}
            made = dict.fromkeys(Kind, 0)
            while streams:
                kind = min(streams, key=lambda k: (made[k] + 1) / max(planned[k], 1))
                chain = next(streams[kind], None)
                if chain is None:
                    del streams[kind]
                    continue
                made[kind] += max(chain.records, 1)
                yield chain

    def _chains(self, kind: Kind, year: int) -> Iterator[Chain]:
        count = self.counts[kind, year]
        if kind is Kind.VISITS:
            yield from self._visit_chains(year, count)
            return
        if kind is Kind.FIGURES:
            yield from self._figure_chains(year)
            return
        build = {
            Kind.MODELS: self._model,
            Kind.EXEMPLARS: self._exemplar,
            Kind.PETITIONS: self._petition,
            Kind.DIALOGUES: self._dialogue,
        }[kind]
        for index in range(count):
            rng = self._rng(kind, year, index)
            yield build(rng, self._day(rng, year))

    # ---- randomness and dates ------------------------------------------------------------------

    def _rng(self, kind: Kind, year: int, index: int) -> random.Random:
        self.faker.seed_instance(f"{self.seed}/{kind.value}/{year}/{index}")
        rng: random.Random = self.faker.random
        return rng

    def _day(self, rng: random.Random, year: int) -> date:
        """A working day of `year`, not after today."""
        first = date(year, 1, 1)
        last = min(date(year, 12, 31), self.today)
        while True:
            day = first + timedelta(days=rng.randint(0, (last - first).days))
            if day.weekday() < 5:
                return day

    # ---- units ---------------------------------------------------------------------------------

    def _unit_at(self, place: Place, level: str) -> Unit:
        if level == "province":
            return place.province
        if level == "district" and place.district is not None:
            return place.district
        return place.commune

    def _granting_unit(self, place: Place, level: RecognitionLevel, on: date) -> Unit:
        unit = self._unit_at(place, level.value)
        if unit.is_legacy and on >= REFORM_DATE:
            return self.tree.default_successor(unit.id)
        return unit

    # ---- models and exemplars ------------------------------------------------------------------

    def _model(self, rng: random.Random, day: date) -> Chain:
        place = self.places.draw(rng, day)
        level = _pick(rng, {"commune": 0.85, "district": 0.10, "province": 0.05})
        unit = self._unit_at(place, level)
        idea = rng.choice(texts.MODEL_IDEAS)
        locality = f"{rng.choice(texts.LOCALITY_KINDS)} {rng.randint(1, 30)}"
        name = idea.name if rng.random() < 0.6 else f"{idea.name} ({locality})"
        cycle = self._cycle(rng, day)
        start = min(day + timedelta(days=rng.randint(5, 30)), cycle.appraise)
        body: dict[str, Any] = {
            "name": name,
            "field": idea.field.value,
            "topics": list(idea.topics),
            "unit_code": unit.id,
            "locality": locality if unit is place.commune else "",
            "target_group": idea.target_group,
            "objectives": idea.criterion,
            "criteria": [idea.criterion],
            "implementing_forces": rng.choice(texts.IMPLEMENTING_FORCES),
            "registered_on": day.isoformat(),
        }
        # A ceased unit's model carries only dates on which the unit was in force.
        if unit.in_force_on(start):
            body["start_date"] = start.isoformat()
            planned = date(cycle.recognise.year, 10, 1)
            if unit.in_force_on(planned) and planned >= start:
                body["planned_evaluation_date"] = planned.isoformat()
        builder = _Builder(Kind.MODELS, self.today)
        builder.add(Call("registry", "models", "create", body, day, creates=True))
        self._lifecycle(builder, "models", rng, place, unit, start, cycle, appraised=0.55)
        return builder.chain()

    def _exemplar(self, rng: random.Random, day: date) -> Chain:
        place = self.places.draw(rng, day)
        unit = self._unit_at(
            place, _pick(rng, {"commune": 0.9, "district": 0.07, "province": 0.03})
        )
        template, model_field = rng.choice(texts.ACHIEVEMENTS)
        achievement = template.format(n=rng.randint(5, 120), m=rng.randint(50, 2000))
        if rng.random() < 0.7:
            kind, name = ExemplarKind.INDIVIDUAL, self.people.name()
        else:
            kind = ExemplarKind.COLLECTIVE
            name = f"{rng.choice(texts.COLLECTIVES)} {rng.choice(texts.LOCALITY_KINDS)} "
            name += f"{rng.randint(1, 30)}, {place.commune.name}"
        body = {
            "kind": kind.value,
            "name": name,
            "field": model_field.value,
            "unit_code": unit.id,
            "achievement": achievement,
            "registered_on": day.isoformat(),
        }
        cycle = self._cycle(rng, day)
        start = min(day + timedelta(days=rng.randint(3, 20)), cycle.appraise)
        builder = _Builder(Kind.EXEMPLARS, self.today)
        builder.add(Call("registry", "exemplars", "create", body, day, creates=True))
        self._lifecycle(builder, "exemplars", rng, place, unit, start, cycle, appraised=0.40)
        return builder.chain()

    @dataclass(frozen=True, slots=True)
    class _Cycle:
        appraise: date
        evaluate: date
        recognise: date

    def _cycle(self, rng: random.Random, registered: date) -> SeedPlan._Cycle:
        """Recognition comes around 15 October (the mass-mobilisation tradition day) of the
        registration year, or of the next for a record registered after July."""
        year = registered.year if registered.month <= 7 else registered.year + 1
        recognise = _weekday(date(year, 10, 15) + timedelta(days=rng.randint(-5, 10)))
        evaluate = recognise - timedelta(days=rng.randint(5, 12))
        appraise = max(evaluate - timedelta(days=rng.randint(10, 30)), registered)
        return SeedPlan._Cycle(appraise, evaluate, recognise)

    def _lifecycle(
        self,
        builder: _Builder,
        resource: str,
        rng: random.Random,
        place: Place,
        unit: Unit,
        start: date,
        cycle: SeedPlan._Cycle,
        *,
        appraised: float,
    ) -> None:
        """Registered → implementing → appraised → evaluated → recognised or not, in the
        proportions of Tây Hồ (66 models registered, 17 recognised; 72 exemplars, 11)."""

        def step(action: Action, on: date, **body: Any) -> bool:
            call = Call(
                "registry",
                resource,
                action.value,
                {**body, "on": on.isoformat()},
                on,
                fills=(Fill("id", 0, ("id",)),),
            )
            return builder.add(call) is not None

        if rng.random() > 0.9 or not step(Action.START, start):
            return
        if rng.random() < 0.04:
            noun = "mô hình" if resource == "models" else "hồ sơ điển hình"
            reason = f"Đơn vị sáp nhập, {noun} không tiếp tục triển khai"
            step(Action.WITHDRAW, max(start, cycle.appraise), reason=reason)
            return
        if rng.random() > appraised or not step(
            Action.APPRAISE,
            cycle.appraise,
            appraiser=f"Ban Dân vận {place.province.name}",
            findings="Mô hình được duy trì, Nhân dân đồng tình hưởng ứng",
            score=round(rng.uniform(60, 98), 1),
        ):
            return
        if rng.random() > 0.95:
            return
        is_proposed = rng.random() < 0.6
        remarks = "Đề nghị công nhận" if is_proposed else "Chưa đủ tiêu chí công nhận"
        if not step(Action.EVALUATE, cycle.evaluate, proposed=is_proposed, remarks=remarks):
            return
        if not is_proposed:
            if rng.random() < 0.8:
                step(Action.NOT_RECOGNISE, cycle.recognise, reason="Chưa duy trì đủ thời gian")
            return
        if rng.random() > 0.9:
            return
        level = self._recognition_level(rng, unit, cycle.recognise)
        granting = self._granting_unit(place, level, cycle.recognise)
        awards = []
        if rng.random() < 0.35:
            awards.append(self._award(rng, level, granting, unit, place))
        step(
            Action.RECOGNISE,
            cycle.recognise,
            level=level.value,
            decision_number=f"{rng.randint(100, 9999)}/QĐ-UBND",
            awards=awards,
        )

    def _recognition_level(self, rng: random.Random, unit: Unit, on: date) -> RecognitionLevel:
        """At the record's own level or above; districts only before 2025-07-01."""
        before = on < REFORM_DATE
        if unit.level.value == "province":
            return RecognitionLevel.PROVINCE
        if unit.level.value == "district":
            if before and rng.random() < 0.7:
                return RecognitionLevel.DISTRICT
            return RecognitionLevel.PROVINCE
        if before:
            return _pick(
                rng,
                {
                    RecognitionLevel.COMMUNE: 0.55,
                    RecognitionLevel.DISTRICT: 0.30,
                    RecognitionLevel.PROVINCE: 0.15,
                },
            )
        return _pick(rng, {RecognitionLevel.COMMUNE: 0.75, RecognitionLevel.PROVINCE: 0.25})

    def _award(
        self, rng: random.Random, level: RecognitionLevel, granting: Unit, unit: Unit, place: Place
    ) -> dict[str, Any]:
        if rng.random() < 0.5:
            recipient_kind, recipient = RecipientKind.INDIVIDUAL, self.people.name()
        else:
            recipient_kind = RecipientKind.COLLECTIVE
            recipient = f"{rng.choice(texts.COLLECTIVES)} {place.commune.name}"
        if level is RecognitionLevel.PROVINCE:
            kind, title = AwardKind.CERTIFICATE_OF_MERIT, "Bằng khen của Chủ tịch UBND"
        else:
            kind, title = AwardKind.CERTIFICATE, "Giấy khen của Chủ tịch UBND"
        return {
            "kind": kind.value,
            "title": f"{title} {granting.name}",
            "recipient_kind": recipient_kind.value,
            "recipient_name": recipient,
            "granting_body": f"Ủy ban nhân dân {granting.name}",
        }

    # ---- visits --------------------------------------------------------------------------------

    def _visit_chains(self, year: int, count: int) -> Iterator[Chain]:
        """Cases of one to three visits (a visit is not a case); about 0.22 % of visits are
        crowd delegations, two to a case (Hà Nội: 75 delegations about 37 cases)."""
        made = index = 0
        while made < count:
            rng = self._rng(Kind.VISITS, year, index)
            index += 1
            crowd = rng.random() < 0.0016
            length = 2 if crowd else _pick(rng, {1: 0.7, 2: 0.2, 3: 0.1})
            chain = self._visit_case(rng, self._day(rng, year), min(length, count - made), crowd)
            made += chain.records  # a later visit after today or the reform is not planned
            yield chain

    def _visit_case(self, rng: random.Random, day: date, length: int, crowd: bool) -> Chain:
        place = self.places.draw(rng, day)
        if day < REFORM_DATE:
            level = _pick(rng, {"commune": 0.6, "district": 0.3, "province": 0.1})
        else:
            level = _pick(rng, {"commune": 0.8, "province": 0.2})
        unit = self._unit_at(place, level)
        sector = _pick(
            rng,
            {
                Sector.LAND: 0.40,
                Sector.COMPENSATION: 0.18,
                Sector.SOCIAL_POLICY: 0.12,
                Sector.ADMINISTRATION: 0.15,
                Sector.CORRUPTION: 0.05,
                Sector.JUSTICE: 0.05,
                Sector.OTHER: 0.05,
            },
        )
        matter = rng.choice(texts.MATTERS[sector])
        people = [self._person(rng, place, day) for _ in range(rng.randint(2, 5) if crowd else 1)]
        headcount = rng.randint(10, 60) if crowd else _pick(rng, {1: 0.75, 2: 0.15, 3: 0.1})
        builder = _Builder(Kind.VISITS, self.today)
        for number in range(length):
            if builder.closed:
                break
            received = day if number == 0 else _weekday(day + timedelta(days=rng.randint(14, 60)))
            if received >= REFORM_DATE and unit.is_legacy:
                break  # the case's unit ceased: a later visit goes to its successor, unplanned
            day = received
            mode, role = self._mode(rng, received)
            body: dict[str, Any] = {
                "unit_code": unit.id,
                "mode": mode.value,
                "received_on": received.isoformat(),
                "receiver_name": self.people.name(),
                "receiver_role": role.value,
                "headcount": headcount,
                "visitors": people,
                "representatives": people if crowd else [],
                "matter": matter,
                "content": f"Công dân trình bày về việc {matter[0].lower()}{matter[1:]}",
            }
            fills: tuple[Fill, ...] = ()
            if number == 0:
                body["new_case"] = True
            else:
                fills = (Fill("case_id", 0, ("case_id",)),)
            visit = builder.add(
                Call("reception", "visits", "create", body, received, creates=True, fills=fills)
            )
            if visit is None or rng.random() > 0.9:
                continue
            late = rng.random() < 0.15
            replied = received + timedelta(days=rng.randint(20, 40) if late else rng.randint(2, 12))
            reply = {"on": replied.isoformat(), "summary": "Đã trả lời bằng văn bản cho công dân"}
            reply_call = Call(
                "reception", "visits", "reply", reply, replied, fills=(Fill("id", visit, ("id",)),)
            )
            if replied <= self.today:
                builder.calls.append(reply_call)  # a reply does not hold the next visit back
        return builder.chain()

    def _mode(self, rng: random.Random, day: date) -> tuple[ReceptionMode, ReceiverRole]:
        if day < REFORM_2026:
            modes = {
                ReceptionMode.REGULAR: 0.62,
                ReceptionMode.PERIODIC: 0.20,
                ReceptionMode.PERIODIC_DELEGATED: 0.06,
                ReceptionMode.AD_HOC: 0.10,
                ReceptionMode.DEPUTIES: 0.02,
            }
        else:
            modes = {
                ReceptionMode.REGULAR: 0.55,
                ReceptionMode.ONLINE: 0.08,
                ReceptionMode.PERIODIC: 0.24,
                ReceptionMode.AD_HOC: 0.11,
                ReceptionMode.DEPUTIES: 0.02,
            }
        mode = _pick(rng, modes)
        role = {
            ReceptionMode.REGULAR: ReceiverRole.OFFICER,
            ReceptionMode.ONLINE: ReceiverRole.OFFICER,
            ReceptionMode.PERIODIC: ReceiverRole.HEAD,
            ReceptionMode.PERIODIC_DELEGATED: ReceiverRole.DEPUTY_HEAD,
            ReceptionMode.AD_HOC: rng.choice((ReceiverRole.HEAD, ReceiverRole.DEPUTY_HEAD)),
            ReceptionMode.DEPUTIES: ReceiverRole.ELECTED_DEPUTY,
        }[mode]
        return mode, role

    def _person(self, rng: random.Random, place: Place, day: date) -> dict[str, Any]:
        return {
            "name": self.people.name(),
            "id_number": self.people.id_number(place.province.code),
            "address": {"unit_code": place.commune.id, "street": self.people.street()},
            "phone": self.people.phone(),
        }

    # ---- petitions -----------------------------------------------------------------------------

    def _petition(self, rng: random.Random, day: date) -> Chain:
        place = self.places.draw(rng, day)
        if day < REFORM_DATE:
            level = _pick(rng, {"commune": 0.55, "district": 0.3, "province": 0.15})
        else:
            level = _pick(rng, {"commune": 0.75, "province": 0.25})
        unit = self._unit_at(place, level)
        petition_class = _pick(
            rng,
            {
                PetitionClass.COMPLAINT: 0.22,
                PetitionClass.DENUNCIATION: 0.08,
                PetitionClass.RECOMMENDATION: 0.40,
                PetitionClass.FEEDBACK: 0.28,
                PetitionClass.MIXED: 0.02,
            },
        )
        sector = _pick(
            rng,
            {
                Sector.LAND: 0.40,
                Sector.COMPENSATION: 0.15,
                Sector.SOCIAL_POLICY: 0.12,
                Sector.ADMINISTRATION: 0.15,
                Sector.CORRUPTION: 0.08 if petition_class is PetitionClass.DENUNCIATION else 0.03,
                Sector.JUSTICE: 0.05,
                Sector.OTHER: 0.10,
            },
        )
        source = _pick(
            rng,
            {
                PetitionSource.IN_PERSON: 0.35,
                PetitionSource.POST: 0.40,
                PetitionSource.FORWARDED: 0.15,
                PetitionSource.ONLINE: 0.10,
            },
        )
        kind = _pick(
            rng,
            {
                PetitionerKind.INDIVIDUAL: 0.85,
                PetitionerKind.CROWD: 0.10,
                PetitionerKind.ORGANISATION: 0.05,
            },
        )
        person = self._person(rng, place, day)
        if kind is PetitionerKind.CROWD:
            person["name"] = f"{person['name']} và {rng.randint(4, 30)} hộ dân"
        elif kind is PetitionerKind.ORGANISATION:
            person["name"] = f"Công ty TNHH {self.faker.last_name()} {rng.randint(1, 99)}"
            person.pop("id_number")
        matter = rng.choice(texts.MATTERS[sector])
        body: dict[str, Any] = {
            "unit_code": unit.id,
            "received_on": day.isoformat(),
            "source": source.value,
            "petition_class": petition_class.value,
            "sector": sector.value,
            "petitioner": {**person, "kind": kind.value},
            "respondent": rng.choice(texts.RESPONDENTS)
            if petition_class in (PetitionClass.COMPLAINT, PetitionClass.DENUNCIATION)
            else "",
            "summary": nfc(f"{texts.CLASS_VERBS[petition_class]} {matter[0].lower()}{matter[1:]}"),
            "remote_area": place.commune.kind == "Xã" and rng.random() < 0.05,
            "new_case": True,
        }
        if source is PetitionSource.FORWARDED:
            body["forwarded_by"] = rng.choice(texts.FORWARDING_BODIES)
        builder = _Builder(Kind.PETITIONS, self.today)
        builder.add(Call("reception", "petitions", "create", body, day, creates=True))
        self._handling(builder, rng, petition_class, day)
        return builder.chain()

    def _handling(
        self, builder: _Builder, rng: random.Random, petition_class: PetitionClass, received: date
    ) -> None:
        """Classified, then not eligible, forwarded or accepted; an accepted one resolved on
        time, late, or still open (overdue once its deadline passed)."""

        def step(action: PetitionAction, on: date, **body: Any) -> bool:
            call = Call(
                "reception",
                "petitions",
                action.value,
                {**body, "on": on.isoformat()},
                on,
                fills=(Fill("id", 0, ("id",)),),
            )
            return builder.add(call) is not None

        def later(on: date, low: int, high: int) -> date:
            return _weekday(on + timedelta(days=rng.randint(low, high)))

        classified = later(received, 0, 3)
        if rng.random() < 0.03 or not step(PetitionAction.CLASSIFY, classified):
            return  # a few wait to be classified
        legal = petition_class in (
            PetitionClass.COMPLAINT,
            PetitionClass.DENUNCIATION,
            PetitionClass.MIXED,
        )
        branch = _pick(
            rng,
            {"reject": 0.08, "forward": 0.15, "accept": 0.77}
            if legal
            else {"reject": 0.03, "forward": 0.30, "accept": 0.55, "open": 0.12},
        )
        if branch == "open":
            return
        if branch == "reject":
            step(
                PetitionAction.REJECT,
                later(classified, 1, 5),
                reason=rng.choice(texts.NOT_ELIGIBLE_REASONS),
            )
            return
        if branch == "forward":
            step(
                PetitionAction.FORWARD,
                later(classified, 1, 4),
                to_body=rng.choice(texts.COMPETENT_BODIES),
                dispatch_number=f"{rng.randint(10, 999)}/PC-UBND",
            )
            return
        late_acceptance = rng.random() < 0.1
        accepted = later(received, 12, 25) if late_acceptance else later(classified, 1, 5)
        complex_case = rng.random() < 0.2
        if not step(PetitionAction.ACCEPT, accepted, complex=complex_case):
            return
        last = accepted
        if petition_class is PetitionClass.DENUNCIATION:
            last = later(accepted, 1, 4)
            if not step(PetitionAction.VERIFY, last):
                return
        if rng.random() < 0.03:
            step(
                PetitionAction.WITHDRAW,
                later(last, 2, 10),
                reason=rng.choice(texts.WITHDRAW_REASONS),
            )
            return
        outcome = _pick(rng, {"on_time": 0.80, "late": 0.12, "open": 0.08})
        if outcome == "open":
            return
        if petition_class is PetitionClass.DENUNCIATION and complex_case and rng.random() < 0.5:
            last = max(last, accepted + timedelta(days=rng.randint(20, 27)))
            if not step(
                PetitionAction.EXTEND, last, decision_number=f"{rng.randint(10, 999)}/QĐ-GH"
            ):
                return
            resolved = later(last, 5, 25)
        elif outcome == "on_time":
            resolved = max(later(accepted, 8, 26), last)
        else:
            resolved = max(later(accepted, 50, 110), last)
        conclusion = _pick(
            rng,
            {Conclusion.REJECTED: 0.55, Conclusion.PARTLY_UPHELD: 0.27, Conclusion.UPHELD: 0.18},
        )
        if not step(
            PetitionAction.CONCLUDE,
            resolved,
            conclusion=conclusion.value,
            decision_number=f"{rng.randint(10, 9999)}/QĐ-UBND",
        ):
            return
        if legal and rng.random() < 0.7:
            step(PetitionAction.ENFORCE, later(resolved, 10, 40), remarks="Đã tổ chức thực hiện")

    # ---- supervision figures --------------------------------------------------------------------

    def _provinces(self, day: date) -> dict[Unit, float]:
        return self.shares["legacy" if day < REFORM_DATE else "current"]

    def _figure_chains(self, year: int) -> Iterator[Chain]:
        """Each province enters its half-year's supervision, critique and inspections (the
        Front's and the inspectorate's counts, not records of the services), at its share."""
        for number, (half, start, end) in enumerate(half_years(year, self.today)):
            for index, (province, share) in enumerate(self._provinces(start).items()):
                rng = self._rng(Kind.FIGURES, year, number * 1000 + index)
                entries = []
                for indicator, annual in SUPERVISION_ANNUAL.items():
                    expected = annual / 2 * self.scale * share
                    # Rounded up or down at random, in proportion: small scales keep their sum.
                    value = int(expected) + (rng.random() < expected - int(expected))
                    entries.append(
                        {
                            "unit_code": province.id,
                            "period": half,
                            "indicator": indicator,
                            "value": value,
                        }
                    )
                body = {"source": "manual", "entries": entries}
                call = Call("reporting", "figures", "enter", body, end, creates=True)
                yield Chain(Kind.FIGURES, (call,))

    # ---- dialogues -----------------------------------------------------------------------------

    def _dialogue(self, rng: random.Random, day: date) -> Chain:
        """Hà Nội, six months of 2024: 2 at city, 35 at district, 525 at commune level."""
        place = self.places.draw(rng, day)
        if day < REFORM_DATE:
            levels = {
                DialogueLevel.COMMUNE: 0.934,
                DialogueLevel.DISTRICT: 0.062,
                DialogueLevel.PROVINCE: 0.004,
            }
        else:
            levels = {DialogueLevel.COMMUNE: 0.99, DialogueLevel.PROVINCE: 0.01}
        level = _pick(rng, levels)
        unit = self._unit_at(place, level.value)
        participants = {
            DialogueLevel.COMMUNE: (40, 200),
            DialogueLevel.DISTRICT: (100, 400),
            DialogueLevel.PROVINCE: (200, 600),
        }[level]
        # Distinct due days in order: the reply lists follow-ups by due day, so the index of
        # one here is its index there.
        promised = rng.sample(texts.FOLLOW_UPS, rng.randint(0, 3))
        offsets = sorted(rng.sample(range(30, 91), len(promised)))
        follow_ups = [
            {"description": what, "owner": owner, "due_on": (day + timedelta(days=d)).isoformat()}
            for (what, owner), d in zip(promised, offsets, strict=True)
        ]
        body = {
            "unit_code": unit.id,
            "level": level.value,
            "held_on": day.isoformat(),
            "chair": f"{self.people.name()}, Chủ tịch Ủy ban nhân dân {unit.name}",
            "participants": rng.randint(*participants),
            "opinions_raised": rng.randint(3, 30),
            "topic": rng.choice(texts.DIALOGUE_TOPICS),
            "follow_ups": follow_ups,
        }
        builder = _Builder(Kind.DIALOGUES, self.today)
        builder.add(Call("reception", "dialogues", "create", body, day, creates=True))
        for index, follow_up in enumerate(follow_ups):
            status = _pick(rng, {FollowUpStatus.DONE: 0.6, FollowUpStatus.DROPPED: 0.1, None: 0.3})
            if status is None:
                continue  # still pending; overdue once its day has passed
            due = date.fromisoformat(follow_up["due_on"])
            on = max(day, due + timedelta(days=rng.randint(-25, 20)))
            if on > self.today:
                continue
            update = {"status": status.value, "on": on.isoformat()}
            fills = (
                Fill("dialogue_id", 0, ("id",)),
                Fill("follow_up_id", 0, ("follow_ups", index, "id")),
            )
            builder.calls.append(
                Call("reception", "dialogues", "follow_up", update, on, fills=fills)
            )
        return builder.chain()
