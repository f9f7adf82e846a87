"""Sentences for people in Vietnamese and English: the error that carries one, the refusals
every service words alike, and the language a terminal user reads."""

from __future__ import annotations

import os
from collections.abc import Mapping

from danvan.contracts.messages import NOT_BLANK, MessageError
from danvan.contracts.rpc import ErrorCode, Language, Message, ServiceError

__all__ = [
    "LOCALE_VARIABLES",
    "NOT_BLANK",
    "MessageError",
    "not_found",
    "terminal_language",
]

#: The locale variables that choose a terminal's language, strongest first (POSIX order).
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")


def not_found(noun: Message, key: object) -> ServiceError:
    """A 404: "không có hồ sơ X" / "no record X"."""
    return ServiceError(
        ErrorCode.NOT_FOUND, Message(vi=f"không có {noun.vi} {key}", en=f"no {noun.en} {key}")
    )


def terminal_language(environ: Mapping[str, str] | None = None) -> Language:
    """The language of a command's messages: the first locale variable set decides; English
    when it names English (`en_US.UTF-8`), Vietnamese otherwise and when none is set."""
    env = os.environ if environ is None else environ
    for name in LOCALE_VARIABLES:
        value = env.get(name)
        if value:
            return Language.EN if value.lower().startswith("en") else Language.VI
    return Language.VI
