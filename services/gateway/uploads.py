"""Refusals of an uploaded spreadsheet before any service sees it, shared by the upload routes."""

from __future__ import annotations

from danvan.contracts.rpc import ErrorCode, Message, ServiceError
from danvan.spreadsheets import SpreadsheetError


def file_too_large(limit_bytes: int) -> ServiceError:
    megabytes = limit_bytes // 2**20
    return ServiceError(
        ErrorCode.VALIDATION,
        Message(
            vi=f"tệp lớn hơn {megabytes} MB cho phép", en=f"the file is larger than {megabytes} MB"
        ),
    )


def unreadable_file(error: SpreadsheetError) -> ServiceError:
    """A 422 saying why the file cannot be read (its message names the row when known)."""
    return ServiceError(ErrorCode.VALIDATION, error.message)
