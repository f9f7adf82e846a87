"""The consumer's guide in the README keeps up with the code: its table of streams names each
stream with its subjects and every event type the catalog finds in it."""

from __future__ import annotations

import re
from pathlib import Path

from danvan.bus import EVENT_STREAMS
from danvan.contracts.catalog import event_types

README = Path(__file__).resolve().parents[2] / "README.md"


def stream_rows() -> dict[str, str]:
    """The guide's table: each stream's row, by stream name."""
    rows: dict[str, str] = {}
    for line in README.read_text().splitlines():
        found = re.match(r"\| `([A-Z]+)` \| `evt\.", line)
        if found:
            rows[found.group(1)] = line
    return rows


def test_the_guide_names_each_event_stream_with_its_subjects() -> None:
    rows = stream_rows()
    assert sorted(rows) == sorted(EVENT_STREAMS.values())
    for service, stream in EVENT_STREAMS.items():
        assert f"| `evt.{service}.>` |" in rows[stream]


def test_the_guide_lists_every_event_type_in_its_streams_row() -> None:
    rows = stream_rows()
    missing = [
        f"{cls.service}.{cls.aggregate}.{cls.verb}"
        for cls in event_types()
        if not (
            re.search(rf"`{cls.aggregate}\.", rows[EVENT_STREAMS[cls.service]])
            and re.search(rf"[`.]{cls.verb}`", rows[EVENT_STREAMS[cls.service]])
        )
    ]
    assert missing == []
