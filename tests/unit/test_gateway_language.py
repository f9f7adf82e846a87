"""Which language the gateway answers in: Vietnamese unless `Accept-Language` prefers English,
with q-values honoured."""

from __future__ import annotations

import pytest

from danvan.contracts.rpc import Language
from services.gateway.language import negotiate


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, Language.VI),
        ("", Language.VI),
        ("vi", Language.VI),
        ("en", Language.EN),
        ("en-US", Language.EN),
        ("EN-gb", Language.EN),
        ("vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7", Language.VI),
        ("en-US,en;q=0.9,vi;q=0.8", Language.EN),
        ("en;q=0.3, vi", Language.VI),
        ("fr, en;q=0.5", Language.EN),
        ("fr-FR, de;q=0.9", Language.VI),
        ("en-GB;q=0.8, vi;q=0.9", Language.VI),
        ("en;q=0.5, vi;q=0.5", Language.EN),
        ("vi;q=0.5, en;q=0.5", Language.VI),
        ("en;q=0", Language.VI),
        ("en;q=abc", Language.VI),
        ("*", Language.VI),
        ("%%%, ;;;=", Language.VI),
        ("en;q=2", Language.EN),
    ],
)
def test_the_answer_is_in_the_language_accept_language_prefers(
    header: str | None, language: Language
) -> None:
    assert negotiate(header) is language
