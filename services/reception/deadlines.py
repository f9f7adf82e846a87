"""The legal deadlines of citizen reception, complaints and denunciations, and their computation.

The table below holds one entry per version of each rule of DOMAIN.md ("Legal rules for
reception and petitions"). A step uses the version in force on the day it happened, so a
complaint received on 2026-06-30 keeps the old acceptance period even if it is accepted later.
Figures the team read only in secondary copies are not literals here: they come from
:class:`DeadlineSettings`, whose defaults are the figures of DOMAIN.md.

Plain "ngày" in these laws is calendar days, "ngày làm việc" working days; both are counted by
:mod:`danvan.workdays` (Civil Code Arts. 147–148). Pure code: no I/O, no clock — the caller says
which day it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cache

from pydantic import BaseModel, ConfigDict, Field

from danvan.contracts.rpc import Message
from danvan.messages import MessageError
from danvan.workdays import DEFAULT_CALENDAR, VietnamCalendar

# When the laws took effect; a rule has no version before its law.
COMPLAINTS_LAW_2011 = date(2012, 7, 1)  # Luật Khiếu nại 02/2011/QH13
RECEPTION_LAW_2013 = date(2014, 7, 1)  # Luật Tiếp công dân 42/2013/QH13
DENUNCIATIONS_LAW_2018 = date(2019, 1, 1)  # Luật Tố cáo 25/2018/QH14
DECREE_124_2020 = date(2020, 12, 5)  # Nghị định 124/2020/NĐ-CP (replaced Decree 75/2012)
REFORM_2026 = date(2026, 7, 1)  # Law 136/2025/QH15; Decrees 154, 155, 156/2026
_ONE_DAY = timedelta(days=1)


class DeadlineError(MessageError):
    """A deadline that cannot be computed as asked."""


class UnknownRule(DeadlineError):
    """No rule has this code."""


class RuleNotInForce(DeadlineError):
    """The rule had no version in force on the day the step happened."""


class ExtensionNotAllowed(DeadlineError):
    """More extensions than the rule allows, or one the case does not qualify for."""


class RuleCode(StrEnum):
    COMPLAINT_LODGING = "complaint_lodging"
    COMPLAINT_ACCEPTANCE = "complaint_acceptance"
    COMPLAINT_FIRST_RESOLUTION = "complaint_first_resolution"
    COMPLAINT_SECOND_LODGING = "complaint_second_lodging"
    COMPLAINT_SECOND_RESOLUTION = "complaint_second_resolution"
    DISCIPLINARY_COMPLAINT_LODGING = "disciplinary_complaint_lodging"
    DISCIPLINARY_COMPLAINT_SECOND_LODGING = "disciplinary_complaint_second_lodging"
    DISCIPLINARY_COMPLAINT_ACCEPTANCE = "disciplinary_complaint_acceptance"
    DISCIPLINARY_COMPLAINT_RESOLUTION = "disciplinary_complaint_resolution"
    DENUNCIATION_INITIAL_HANDLING = "denunciation_initial_handling"
    DENUNCIATION_FORWARDING = "denunciation_forwarding"
    DENUNCIATION_ACCEPTANCE_NOTICE = "denunciation_acceptance_notice"
    DENUNCIATION_RESOLUTION = "denunciation_resolution"
    FURTHER_DENUNCIATION = "further_denunciation"
    FURTHER_DENUNCIATION_REPORT_REQUEST = "further_denunciation_report_request"
    FURTHER_DENUNCIATION_REPORT = "further_denunciation_report"
    RECEPTION_REPLY = "reception_reply"
    PETITION_UNHANDLED = "petition_unhandled"


class DayKind(StrEnum):
    CALENDAR = "calendar"  # "ngày"
    WORKING = "working"  # "ngày làm việc"


class Trigger(StrEnum):
    """The event whose day starts a period (that day itself is not counted)."""

    DECISION_RECEIVED = "decision_received"  # received or learnt of the contested decision/act
    DISCIPLINARY_DECISION = "disciplinary_decision"  # received the disciplinary decision
    RECEIVED = "received"  # the complaint, denunciation, petition or content was received
    ACCEPTED = "accepted"  # the acceptance decision (thụ lý)
    FIRST_DECISION = "first_decision"  # the first-resolution decision, or its period ran out
    REPORT_REQUESTED = "report_requested"  # the superior asked for a report


class Circumstance(StrEnum):
    """Facts of a case that select a rule's variant or allow an extension."""

    COMPLEX = "complex"  # "vụ việc phức tạp"
    ESPECIALLY_COMPLEX = "especially_complex"  # "đặc biệt phức tạp"; implies complex
    REMOTE = "remote"  # "vùng sâu, vùng xa đi lại khó khăn"
    SEVERAL_PLACES = "several_places"  # checks needed at several places
    DISMISSAL = "dismissal"  # the disciplinary decision is a dismissal ("buộc thôi việc")


#: How a case's circumstance reads in a Vietnamese sentence ("vụ việc phức tạp").
CIRCUMSTANCES_VI: dict[Circumstance, str] = {
    Circumstance.COMPLEX: "phức tạp",
    Circumstance.ESPECIALLY_COMPLEX: "đặc biệt phức tạp",
    Circumstance.REMOTE: "ở vùng sâu, vùng xa đi lại khó khăn",
    Circumstance.SEVERAL_PLACES: "cần xác minh ở nhiều nơi",
    Circumstance.DISMISSAL: "về quyết định kỷ luật buộc thôi việc",
}


class DeadlineSettings(BaseModel):
    """Figures read only in secondary copies ("unsure" in DOMAIN.md), with DOMAIN.md's values.

    Change them when the official text is checked; the rule table is rebuilt from them.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Decree 155/2026: accepting a first or second complaint, from 2026-07-01.
    acceptance_working_days_from_2026_07_01: int = Field(default=7, ge=1)
    # Decree 154/2026 Art. 41: a petition not handled within this many days of receipt is a
    # disciplinary ground.
    unhandled_petition_days: int = Field(default=45, ge=1)


DEFAULT_SETTINGS = DeadlineSettings()


@dataclass(frozen=True)
class Variant:
    """A different count when all of ``when`` hold; the most specific matching variant wins."""

    when: frozenset[Circumstance]
    days: int


@dataclass(frozen=True)
class Extension:
    """One extension, a step on its own (a written decision) that only ``needs`` allows."""

    days: int  # at most this many, counted from the end of the previous period
    needs: Circumstance


@dataclass(frozen=True)
class DeadlineRule:
    """One version of a legal rule, in force from ``effective_from`` to ``effective_to``."""

    code: RuleCode
    basis: str
    label_vi: str
    label_en: str
    days: int
    day_kind: DayKind
    trigger: Trigger
    starts_vi: str
    starts_en: str
    effective_from: date
    effective_to: date | None = None  # the last day in force, inclusive; None while in force
    variants: tuple[Variant, ...] = ()
    extensions: tuple[Extension, ...] = ()
    unsure: bool = False  # its figure comes from DeadlineSettings

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def variant_for(self, circumstances: frozenset[Circumstance]) -> Variant | None:
        """The most specific variant whose conditions all hold; ties go to the longer period."""
        matching = [v for v in self.variants if v.when <= circumstances]
        return max(matching, key=lambda v: (len(v.when), v.days), default=None)


@dataclass(frozen=True)
class Deadline:
    """A computed deadline: the step is late from the day after ``due_on``."""

    rule_code: RuleCode
    basis: str
    effective_from: date  # identifies the rule version applied
    started_on: date
    due_on: date
    days: int  # the count of the applied variant, before extensions
    day_kind: DayKind
    circumstances: frozenset[Circumstance]  # those that chose the variant or allowed extensions
    unsure: bool = False  # the rule's figure is configuration, not a checked text
    extensions_used: int = 0
    # The end of the base period, then of each extension; the last one is `due_on`.
    period_ends: tuple[date, ...] = ()


def _v(days: int, *when: Circumstance) -> Variant:
    return Variant(when=frozenset(when), days=days)


_COMPLEX, _REMOTE = Circumstance.COMPLEX, Circumstance.REMOTE

_FROM_DECISION_VI = "từ ngày nhận được hoặc biết được quyết định hành chính, hành vi hành chính"
_FROM_DECISION_EN = "from receiving or learning of the administrative decision or act"
_FROM_RECEIPT_VI = "từ ngày nhận được đơn"
_FROM_RECEIPT_EN = "from receipt"
_FROM_ACCEPTANCE_VI = "từ ngày thụ lý"
_FROM_ACCEPTANCE_EN = "from acceptance"
_FROM_FIRST_VI = (
    "từ ngày nhận được quyết định giải quyết lần đầu hoặc hết thời hạn giải quyết lần đầu"
)
_FROM_FIRST_EN = "from receiving the first decision, or from the end of the first period"


def _complaint_acceptance(settings: DeadlineSettings) -> tuple[DeadlineRule, ...]:
    def version(
        basis: str, days: int, kind: DayKind, start: date, end: date | None, *, unsure: bool
    ) -> DeadlineRule:
        return DeadlineRule(
            code=RuleCode.COMPLAINT_ACCEPTANCE,
            basis=basis,
            label_vi="Thụ lý khiếu nại lần đầu, lần hai",
            label_en="Accept a first or second complaint",
            days=days,
            day_kind=kind,
            trigger=Trigger.RECEIVED,
            starts_vi=_FROM_RECEIPT_VI,
            starts_en=_FROM_RECEIPT_EN,
            effective_from=start,
            effective_to=end,
            unsure=unsure,
        )

    law = "Luật Khiếu nại 2011 Arts. 27, 36"
    return (
        # The law says plain "10 ngày" until a decree reads it as working days.
        version(
            law,
            10,
            DayKind.CALENDAR,
            COMPLAINTS_LAW_2011,
            DECREE_124_2020 - _ONE_DAY,
            unsure=False,
        ),
        version(
            f"{law}; Nghị định 124/2020/NĐ-CP Art. 16",
            10,
            DayKind.WORKING,
            DECREE_124_2020,
            REFORM_2026 - _ONE_DAY,
            unsure=False,
        ),
        version(
            f"{law} as amended by Law 136/2025/QH15; Nghị định 155/2026/NĐ-CP",
            settings.acceptance_working_days_from_2026_07_01,
            DayKind.WORKING,
            REFORM_2026,
            None,
            unsure=True,
        ),
    )


def _complaint_rules(settings: DeadlineSettings) -> tuple[DeadlineRule, ...]:
    return (
        DeadlineRule(
            code=RuleCode.COMPLAINT_LODGING,
            basis="Luật Khiếu nại 2011 Art. 9",
            label_vi="Thời hiệu khiếu nại",
            label_en="Lodge a complaint",
            days=90,
            day_kind=DayKind.CALENDAR,
            trigger=Trigger.DECISION_RECEIVED,
            starts_vi=_FROM_DECISION_VI,
            starts_en=_FROM_DECISION_EN,
            effective_from=COMPLAINTS_LAW_2011,
        ),
        *_complaint_acceptance(settings),
        DeadlineRule(
            code=RuleCode.COMPLAINT_FIRST_RESOLUTION,
            basis="Luật Khiếu nại 2011 Art. 28",
            label_vi="Giải quyết khiếu nại lần đầu",
            label_en="Resolve a first complaint",
            days=30,
            day_kind=DayKind.CALENDAR,
            trigger=Trigger.ACCEPTED,
            starts_vi=_FROM_ACCEPTANCE_VI,
            starts_en=_FROM_ACCEPTANCE_EN,
            effective_from=COMPLAINTS_LAW_2011,
            variants=(_v(45, _COMPLEX), _v(45, _REMOTE), _v(60, _REMOTE, _COMPLEX)),
        ),
        DeadlineRule(
            code=RuleCode.COMPLAINT_SECOND_LODGING,
            basis="Luật Khiếu nại 2011 Art. 33; Nghị định 124/2020/NĐ-CP Art. 4",
            label_vi="Thời hạn khiếu nại lần hai",
            label_en="Lodge a second complaint",
            days=30,
            day_kind=DayKind.CALENDAR,
            trigger=Trigger.FIRST_DECISION,
            starts_vi=_FROM_FIRST_VI,
            starts_en=_FROM_FIRST_EN,
            effective_from=COMPLAINTS_LAW_2011,
            variants=(_v(45, _REMOTE),),
        ),
        DeadlineRule(
            code=RuleCode.COMPLAINT_SECOND_RESOLUTION,
            basis="Luật Khiếu nại 2011 Art. 37",
            label_vi="Giải quyết khiếu nại lần hai",
            label_en="Resolve a second complaint",
            days=45,
            day_kind=DayKind.CALENDAR,
            trigger=Trigger.ACCEPTED,
            starts_vi=_FROM_ACCEPTANCE_VI,
            starts_en=_FROM_ACCEPTANCE_EN,
            effective_from=COMPLAINTS_LAW_2011,
            variants=(_v(60, _COMPLEX), _v(60, _REMOTE), _v(70, _REMOTE, _COMPLEX)),
        ),
    )


def _disciplinary_rules() -> tuple[DeadlineRule, ...]:
    # Complaints of officials against disciplinary decisions (Luật Khiếu nại 2011, Chapter IV).
    # Arts. 48 and 50 say plain "ngày": calendar days. Acceptance and resolution apply to the
    # first and the second complaint alike.
    return (
        DeadlineRule(
            code=RuleCode.DISCIPLINARY_COMPLAINT_LODGING,
            basis="Luật Khiếu nại 2011 Art. 48",
            label_vi="Thời hiệu khiếu nại quyết định kỷ luật lần đầu",
            label_en="Lodge a first complaint against a disciplinary decision",
            days=15,
            day_kind=DayKind.CALENDAR,
            trigger=Trigger.DISCIPLINARY_DECISION,
            starts_vi="từ ngày nhận được quyết định kỷ luật",
            starts_en="from receiving the disciplinary decision",
            effective_from=COMPLAINTS_LAW_2011,
        ),
        DeadlineRule(
            code=RuleCode.DISCIPLINARY_COMPLAINT_SECOND_LODGING,
            basis="Luật Khiếu nại 2011 Art. 48",
            label_vi="Thời hiệu khiếu nại quyết định kỷ luật lần hai",
            label_en="Lodge a second complaint against a disciplinary decision",
            days=10,
            day_kind=DayKind.CALENDAR,
            trigger=Trigger.FIRST_DECISION,
            starts_vi="từ ngày nhận được quyết định giải quyết khiếu nại lần đầu",
            starts_en="from receiving the first-resolution decision",
            effective_from=COMPLAINTS_LAW_2011,
            variants=(_v(30, Circumstance.DISMISSAL),),
        ),
        DeadlineRule(
            code=RuleCode.DISCIPLINARY_COMPLAINT_ACCEPTANCE,
            basis="Luật Khiếu nại 2011 Art. 50",
            label_vi="Thụ lý khiếu nại quyết định kỷ luật",
            label_en="Accept a complaint against a disciplinary decision",
            days=10,
            day_kind=DayKind.CALENDAR,
            trigger=Trigger.RECEIVED,
            starts_vi=_FROM_RECEIPT_VI,
            starts_en=_FROM_RECEIPT_EN,
            effective_from=COMPLAINTS_LAW_2011,
        ),
        DeadlineRule(
            code=RuleCode.DISCIPLINARY_COMPLAINT_RESOLUTION,
            basis="Luật Khiếu nại 2011 Art. 50",
            label_vi="Giải quyết khiếu nại quyết định kỷ luật",
            label_en="Resolve a complaint against a disciplinary decision",
            days=30,
            day_kind=DayKind.CALENDAR,
            trigger=Trigger.ACCEPTED,
            starts_vi=_FROM_ACCEPTANCE_VI,
            starts_en=_FROM_ACCEPTANCE_EN,
            effective_from=COMPLAINTS_LAW_2011,
            variants=(_v(45, _COMPLEX),),
        ),
    )


def _denunciation_rules() -> tuple[DeadlineRule, ...]:
    return (
        DeadlineRule(
            code=RuleCode.DENUNCIATION_INITIAL_HANDLING,
            basis="Luật Tố cáo 2018 Art. 24",
            label_vi="Tiếp nhận, xử lý ban đầu thông tin tố cáo",
            label_en="Initial handling of a denunciation",
            days=7,
            day_kind=DayKind.WORKING,
            trigger=Trigger.RECEIVED,
            starts_vi="từ ngày nhận được tố cáo",
            starts_en="from receiving the denunciation",
            effective_from=DENUNCIATIONS_LAW_2018,
            variants=(_v(10, Circumstance.SEVERAL_PLACES),),
        ),
        DeadlineRule(
            code=RuleCode.DENUNCIATION_FORWARDING,
            basis="Luật Tố cáo 2018 Art. 24",
            label_vi="Chuyển tố cáo không thuộc thẩm quyền giải quyết",
            label_en="Forward a denunciation outside competence",
            days=5,
            day_kind=DayKind.WORKING,
            trigger=Trigger.RECEIVED,
            starts_vi="từ ngày nhận được tố cáo",
            starts_en="from receiving the denunciation",
            effective_from=DENUNCIATIONS_LAW_2018,
        ),
        DeadlineRule(
            code=RuleCode.DENUNCIATION_ACCEPTANCE_NOTICE,
            basis="Luật Tố cáo 2018 Art. 29",
            label_vi="Thông báo việc thụ lý tố cáo",
            label_en="Notify acceptance of a denunciation",
            days=5,
            day_kind=DayKind.WORKING,
            trigger=Trigger.ACCEPTED,
            starts_vi="từ ngày ra quyết định thụ lý",
            starts_en="from the acceptance decision",
            effective_from=DENUNCIATIONS_LAW_2018,
        ),
        DeadlineRule(
            code=RuleCode.DENUNCIATION_RESOLUTION,
            basis="Luật Tố cáo 2018 Art. 30; Nghị định 31/2019/NĐ-CP Art. 3",
            label_vi="Giải quyết tố cáo",
            label_en="Resolve a denunciation",
            days=30,
            day_kind=DayKind.CALENDAR,
            trigger=Trigger.ACCEPTED,
            starts_vi=_FROM_ACCEPTANCE_VI,
            starts_en=_FROM_ACCEPTANCE_EN,
            effective_from=DENUNCIATIONS_LAW_2018,
            extensions=(
                Extension(days=30, needs=_COMPLEX),
                Extension(days=30, needs=Circumstance.ESPECIALLY_COMPLEX),
            ),
        ),
        DeadlineRule(
            code=RuleCode.FURTHER_DENUNCIATION,
            basis="Luật Tố cáo 2018 Art. 37",
            label_vi="Xem xét tố cáo tiếp",
            label_en="Consider a further denunciation",
            days=20,
            day_kind=DayKind.CALENDAR,
            trigger=Trigger.RECEIVED,
            starts_vi="từ ngày nhận được tố cáo tiếp",
            starts_en="from receiving the further denunciation",
            effective_from=DENUNCIATIONS_LAW_2018,
        ),
        DeadlineRule(
            code=RuleCode.FURTHER_DENUNCIATION_REPORT_REQUEST,
            basis="Luật Tố cáo 2018 Art. 38",
            label_vi="Yêu cầu báo cáo về tố cáo quá hạn chưa giải quyết",
            label_en="Request a report on an overdue denunciation",
            days=5,
            day_kind=DayKind.WORKING,
            trigger=Trigger.RECEIVED,
            starts_vi="từ ngày nhận được tố cáo tiếp",
            starts_en="from receiving the further denunciation",
            effective_from=DENUNCIATIONS_LAW_2018,
        ),
        DeadlineRule(
            code=RuleCode.FURTHER_DENUNCIATION_REPORT,
            basis="Luật Tố cáo 2018 Art. 38",
            label_vi="Báo cáo về tố cáo quá hạn chưa giải quyết",
            label_en="Report on an overdue denunciation",
            days=5,
            day_kind=DayKind.WORKING,
            trigger=Trigger.REPORT_REQUESTED,
            starts_vi="từ ngày nhận được yêu cầu báo cáo",
            starts_en="from receiving the request for a report",
            effective_from=DENUNCIATIONS_LAW_2018,
        ),
    )


def _reception_rules(settings: DeadlineSettings) -> tuple[DeadlineRule, ...]:
    return (
        DeadlineRule(
            code=RuleCode.RECEPTION_REPLY,
            basis="Luật Tiếp công dân 2013 Art. 28",
            label_vi="Trả lời kiến nghị, phản ánh sau tiếp công dân",
            label_en="Reply after a reception session",
            days=10,
            day_kind=DayKind.WORKING,
            trigger=Trigger.RECEIVED,
            starts_vi="từ ngày nhận được nội dung kiến nghị, phản ánh",
            starts_en="from receiving the content",
            effective_from=RECEPTION_LAW_2013,
        ),
        DeadlineRule(
            code=RuleCode.PETITION_UNHANDLED,
            basis="Nghị định 154/2026/NĐ-CP Art. 41",
            label_vi="Đơn không được xử lý (căn cứ xử lý kỷ luật)",
            label_en="Petition left unhandled (a disciplinary ground)",
            days=settings.unhandled_petition_days,
            day_kind=DayKind.CALENDAR,
            trigger=Trigger.RECEIVED,
            starts_vi=_FROM_RECEIPT_VI,
            starts_en=_FROM_RECEIPT_EN,
            effective_from=REFORM_2026,
            unsure=True,
        ),
    )


@cache
def all_rules(settings: DeadlineSettings = DEFAULT_SETTINGS) -> tuple[DeadlineRule, ...]:
    """Every version of every rule, for documentation and views."""
    return (
        *_complaint_rules(settings),
        *_disciplinary_rules(),
        *_denunciation_rules(),
        *_reception_rules(settings),
    )


def rules_in_force(
    on: date, settings: DeadlineSettings = DEFAULT_SETTINGS
) -> tuple[DeadlineRule, ...]:
    """The version of each rule in force on ``on``; rules not (or no longer) law are left out."""
    return tuple(rule for rule in all_rules(settings) if rule.in_force_on(on))


def rule_in_force(
    code: RuleCode | str, on: date, settings: DeadlineSettings = DEFAULT_SETTINGS
) -> DeadlineRule:
    """The version of rule ``code`` in force on ``on``."""
    known = _rule_code(code)
    for rule in all_rules(settings):
        if rule.code is known and rule.in_force_on(on):
            return rule
    raise RuleNotInForce(
        Message(
            vi=f"quy định {known.value} không có phiên bản nào có hiệu lực vào ngày "
            f"{on.isoformat()}",
            en=f"rule {known.value} had no version in force on {on.isoformat()}",
        )
    )


def _rule_code(code: RuleCode | str) -> RuleCode:
    try:
        return RuleCode(code)
    except ValueError:
        raise UnknownRule(
            Message(vi=f"không có quy định thời hạn {code!r}", en=f"unknown deadline rule {code!r}")
        ) from None


def _circumstances(
    *, complex: bool, especially_complex: bool, remote: bool, several_places: bool, dismissal: bool
) -> frozenset[Circumstance]:
    flags = {
        Circumstance.COMPLEX: complex or especially_complex,
        Circumstance.ESPECIALLY_COMPLEX: especially_complex,
        Circumstance.REMOTE: remote,
        Circumstance.SEVERAL_PLACES: several_places,
        Circumstance.DISMISSAL: dismissal,
    }
    return frozenset(c for c, holds in flags.items() if holds)


def _check_extensions(
    rule: DeadlineRule, extensions: int, circumstances: frozenset[Circumstance]
) -> tuple[Extension, ...]:
    if extensions < 0:
        raise ExtensionNotAllowed(
            Message(
                vi=f"số lần gia hạn không được là số âm, đã ghi {extensions}",
                en=f"extensions cannot be negative, got {extensions}",
            )
        )
    allowed = len(rule.extensions)
    if extensions > allowed:
        code = rule.code.value
        raise ExtensionNotAllowed(
            Message(
                vi=f"quy định {code} "
                + (f"cho gia hạn tối đa {allowed} lần" if allowed else "không cho gia hạn")
                + f", yêu cầu gia hạn lần {extensions}",
                en=f"rule {code} allows "
                + (f"at most {allowed} extensions" if allowed else "no extension")
                + f", asked for {extensions}",
            )
        )
    used = rule.extensions[:extensions]
    for number, extension in enumerate(used, start=1):
        if extension.needs not in circumstances:
            raise ExtensionNotAllowed(
                Message(
                    vi=f"gia hạn lần {number} của quy định {rule.code.value} chỉ dành cho vụ "
                    f"việc {CIRCUMSTANCES_VI[extension.needs]}",
                    en=f"extension {number} of rule {rule.code.value} is only for a case that is "
                    f"{extension.needs.value.replace('_', ' ')}",
                )
            )
    return used


def _period_end(start: date, days: int, kind: DayKind, calendar: VietnamCalendar) -> date:
    if kind is DayKind.WORKING:
        return calendar.add_working_days(start, days)
    return calendar.add_calendar_days(start, days)


def deadline_for(
    rule_code: RuleCode | str,
    started_on: date,
    *,
    complex: bool = False,
    especially_complex: bool = False,
    remote: bool = False,
    several_places: bool = False,
    dismissal: bool = False,
    extensions: int = 0,
    settings: DeadlineSettings = DEFAULT_SETTINGS,
    calendar: VietnamCalendar = DEFAULT_CALENDAR,
) -> Deadline:
    """The deadline of a step started on ``started_on`` under the rule then in force.

    Circumstances a rule does not distinguish are ignored: they are facts of the case, and a
    caller can pass the same ones for every step. Extensions are acts, so asking for one the
    rule or the case does not allow raises :class:`ExtensionNotAllowed`. Each extension runs
    from the end of the period before it, as the decision granting it is a step of its own;
    its full length is assumed (the law allows "at most" so many days).
    """
    rule = rule_in_force(rule_code, started_on, settings)
    circumstances = _circumstances(
        complex=complex,
        especially_complex=especially_complex,
        remote=remote,
        several_places=several_places,
        dismissal=dismissal,
    )
    used = _check_extensions(rule, extensions, circumstances)
    variant = rule.variant_for(circumstances)
    days = variant.days if variant else rule.days
    ends = [_period_end(started_on, days, rule.day_kind, calendar)]
    for extension in used:
        ends.append(_period_end(ends[-1], extension.days, rule.day_kind, calendar))
    return Deadline(
        rule_code=rule.code,
        basis=rule.basis,
        effective_from=rule.effective_from,
        started_on=started_on,
        due_on=ends[-1],
        days=days,
        day_kind=rule.day_kind,
        circumstances=(variant.when if variant else frozenset()) | {e.needs for e in used},
        unsure=rule.unsure,
        extensions_used=len(used),
        period_ends=tuple(ends),
    )


def is_overdue(deadline: Deadline, today: date) -> bool:
    """Late from the day after the due day: the period runs to the end of ``due_on``."""
    return today > deadline.due_on


def days_left(deadline: Deadline, today: date) -> int:
    """Calendar days from ``today`` to the due day: 0 on the due day, negative once overdue."""
    return (deadline.due_on - today).days
