"""Which language a caller reads: Vietnamese unless `Accept-Language` prefers English."""

from __future__ import annotations

from fastapi import Request

from danvan.contracts.rpc import Language

_BY_TAG = {"vi": Language.VI, "en": Language.EN}


def negotiate(header: str | None) -> Language:
    """The language of the highest `q` among those we speak, the earlier listed on a tie;
    Vietnamese when the header names none of them or refuses them (`q=0`):
    `en-GB;q=0.8, vi;q=0.9` → vi, `fr, en;q=0.5` → en, `en;q=0` → vi."""
    best, best_q = Language.VI, 0.0
    for part in (header or "").split(","):
        tag, _, params = part.strip().partition(";")
        language = _BY_TAG.get(tag.strip().lower().split("-")[0])
        if language is None:
            continue
        q = _quality(params)
        # Only a higher q replaces: the caller listed equal ones in order of preference.
        if q > best_q:
            best, best_q = language, q
    return best


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip() == "q":
            try:
                return max(0.0, min(1.0, float(value)))
            except ValueError:
                return 0.0
    return 1.0


def request_language(request: Request) -> Language:
    return negotiate(request.headers.get("accept-language"))
