"""Pydantic's validation errors as our error details, in both languages: the English is
pydantic's own `msg`; the Vietnamese comes from a table keyed by the error's `type`, filled
with its `ctx`, and always names the field. Services, the gateway and the imports all turn a
`ValidationError` into details here, so a refused field reads the same wherever it was caught.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from danvan.contracts.rpc import ErrorDetail, Message
from danvan.messages import MessageError

Location = tuple[int | str, ...]

#: The message of an answer whose details list what failed validation.
INVALID_REQUEST = Message(vi="yêu cầu không hợp lệ", en="invalid request")

#: What a validated thing is called in Vietnamese: a request's field, a query's parameter, a
#: spreadsheet's column.
FIELD = "trường"
PARAMETER = "tham số"
COLUMN = "cột"

#: The subject when an error concerns the whole request rather than one field.
WHOLE_REQUEST = "nội dung yêu cầu"

_DATE = "một ngày hợp lệ theo dạng YYYY-MM-DD"
_DATETIME = "một thời điểm hợp lệ theo dạng ISO 8601 (YYYY-MM-DDTHH:MM:SS, kèm múi giờ)"
_OBJECT = "một đối tượng JSON (dạng {{...}})"  # braces doubled: it goes into a template
_LIST = "một danh sách"

#: Vietnamese by pydantic error type (pydantic.dev/errors/validation_errors): `{subject}` is
#: "trường x" (or "nội dung yêu cầu"); the other names come from the error's `ctx`.
VIETNAMESE: dict[str, str] = {
    "missing": "thiếu {subject}, là thông tin bắt buộc",
    "extra_forbidden": "không nhận {subject}: yêu cầu này không có thông tin đó",
    "string_type": "{subject} phải là một chuỗi ký tự",
    "string_unicode": "{subject} phải là một chuỗi Unicode hợp lệ",
    "string_too_short": "{subject} phải có ít nhất {min_length} ký tự",
    "string_too_long": "{subject} chỉ được có tối đa {max_length} ký tự",
    "string_pattern_mismatch": "{subject} không đúng dạng quy định (mẫu {pattern})",
    "too_short": "{subject} phải có ít nhất {min_length} phần tử",
    "too_long": "{subject} chỉ được có tối đa {max_length} phần tử",
    "greater_than": "{subject} phải lớn hơn {gt}",
    "greater_than_equal": "{subject} phải lớn hơn hoặc bằng {ge}",
    "less_than": "{subject} phải nhỏ hơn {lt}",
    "less_than_equal": "{subject} phải nhỏ hơn hoặc bằng {le}",
    "multiple_of": "{subject} phải là bội số của {multiple_of}",
    "finite_number": "{subject} phải là một số hữu hạn",
    "int_type": "{subject} phải là một số nguyên",
    "int_parsing": "{subject} phải là một số nguyên",
    "int_parsing_size": "{subject} là một số quá lớn",
    "int_from_float": "{subject} phải là một số nguyên, không có phần thập phân",
    "float_type": "{subject} phải là một số",
    "float_parsing": "{subject} phải là một số",
    "decimal_type": "{subject} phải là một số thập phân",
    "decimal_parsing": "{subject} phải là một số thập phân",
    "bool_type": "{subject} phải là true hoặc false",
    "bool_parsing": "{subject} phải là true hoặc false",
    "date_type": "{subject} phải là " + _DATE,
    "date_parsing": "{subject} phải là " + _DATE,
    "date_from_datetime_parsing": "{subject} phải là " + _DATE,
    "date_from_datetime_inexact": "{subject} phải là một ngày, không kèm giờ",
    "date_past": "{subject} phải là một ngày trong quá khứ",
    "date_future": "{subject} phải là một ngày trong tương lai",
    "datetime_type": "{subject} phải là " + _DATETIME,
    "datetime_parsing": "{subject} phải là " + _DATETIME,
    "datetime_from_date_parsing": "{subject} phải là " + _DATETIME,
    "datetime_object_invalid": "{subject} phải là " + _DATETIME,
    "datetime_past": "{subject} phải là một thời điểm trong quá khứ",
    "datetime_future": "{subject} phải là một thời điểm trong tương lai",
    "timezone_aware": "{subject} phải ghi kèm múi giờ",
    "timezone_naive": "{subject} không được ghi kèm múi giờ",
    "time_type": "{subject} phải là một giờ hợp lệ theo dạng HH:MM:SS",
    "time_parsing": "{subject} phải là một giờ hợp lệ theo dạng HH:MM:SS",
    "time_delta_type": "{subject} phải là một khoảng thời gian hợp lệ",
    "time_delta_parsing": "{subject} phải là một khoảng thời gian hợp lệ",
    "uuid_type": "{subject} phải là một UUID hợp lệ",
    "uuid_parsing": "{subject} phải là một UUID hợp lệ",
    "uuid_version": "{subject} phải là một UUID phiên bản {expected_version}",
    "enum": "{subject} phải là một trong các giá trị {expected}",
    "literal_error": "{subject} phải là {expected}",
    "json_invalid": "{subject} không phải là JSON hợp lệ",
    "json_type": "{subject} phải là một chuỗi JSON",
    "model_type": "{subject} phải là " + _OBJECT,
    "model_attributes_type": "{subject} phải là " + _OBJECT,
    "dict_type": "{subject} phải là " + _OBJECT,
    "list_type": "{subject} phải là " + _LIST,
    "tuple_type": "{subject} phải là " + _LIST,
    "set_type": "{subject} phải là " + _LIST + " không trùng lặp",
    "frozen_set_type": "{subject} phải là " + _LIST + " không trùng lặp",
    "iterable_type": "{subject} phải là " + _LIST,
    "none_required": "{subject} phải để trống (null)",
    "url_type": "{subject} phải là một địa chỉ URL hợp lệ",
    "url_parsing": "{subject} phải là một địa chỉ URL hợp lệ",
    "url_syntax_violation": "{subject} phải là một địa chỉ URL hợp lệ",
    "url_scheme": "{subject} phải là một địa chỉ URL theo giao thức {expected_schemes}",
    "url_too_long": "{subject} là địa chỉ URL dài quá {max_length} ký tự",
    "union_tag_invalid": "{subject} có {discriminator} là {tag}, không phải một trong "
    "các giá trị {expected_tags}",
    "union_tag_not_found": "{subject} cần có {discriminator}",
    "frozen_field": "không được thay đổi {subject}",
    "frozen_instance": "không được thay đổi {subject}",
    "assertion_error": "giá trị của {subject} không đạt điều kiện kiểm tra",
}

#: For a type the table does not know: still names the field.
UNKNOWN = "giá trị của {subject} không hợp lệ"

_FIELDS = string.Formatter()


def dotted(location: Location) -> str | None:
    """`("petitioner", "address", "unit_code")` → `"petitioner.address.unit_code"`."""
    return ".".join(str(part) for part in location) or None


def vietnamese(item: Mapping[str, Any], subject: str) -> str:
    """The Vietnamese sentence for one pydantic error item about `subject`."""
    kind = str(item.get("type", ""))
    context = dict(item.get("ctx") or {})
    if kind == "value_error":
        error = context.get("error")
        if isinstance(error, MessageError):
            return f"{subject}: {error.message.vi}"
        # A library's validator, which says it only in English: name the field in Vietnamese.
        return f"giá trị của {subject} không hợp lệ: {error or item.get('msg', '')}"
    template = VIETNAMESE.get(kind, UNKNOWN)
    values = {name: _shown(name, value) for name, value in context.items()}
    names = {name for _, name, _, _ in _FIELDS.parse(template) if name}
    if not names <= {"subject", *values}:
        template = UNKNOWN
    return template.format(subject=subject, **values)


def _shown(name: str, value: Any) -> str:
    text = str(value)
    if name in ("expected", "expected_tags", "expected_schemes"):
        # Pydantic lists choices as "'a', 'b' or 'c'".
        head, sep, tail = text.rpartition(" or ")
        return f"{head} hoặc {tail}" if sep else text
    return text


def validation_detail(item: Mapping[str, Any], field: str | None, noun: str = FIELD) -> ErrorDetail:
    """One pydantic error item as a detail about `field` (a `noun`: field, parameter, column)."""
    subject = f"{noun} {field}" if field else WHOLE_REQUEST
    return ErrorDetail(
        field=field,
        reason=Message(vi=vietnamese(item, subject), en=str(item.get("msg", ""))),
    )


def validation_details(
    errors: Iterable[Mapping[str, Any]],
    *,
    field_of: Callable[[Location], str | None] = dotted,
    noun: str = FIELD,
) -> list[ErrorDetail]:
    """Every error item of a `ValidationError.errors()` (or FastAPI's request validation), with
    `field_of` turning its location into the field the caller knows."""
    return [validation_detail(item, field_of(tuple(item.get("loc", ()))), noun) for item in errors]
