"""Every sentence for people is written in both languages: a scan of each `Message(...)` the
source builds, so a Vietnamese text left empty, copied from the English or left in English
fails here rather than in front of a user."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((*ROOT.glob("danvan/**/*.py"), *ROOT.glob("services/**/*.py")))


@dataclass(frozen=True)
class Built:
    where: str
    vi: ast.expr | None
    en: ast.expr | None


def _is_message(call: ast.Call) -> bool:
    func = call.func
    return (isinstance(func, ast.Name) and func.id == "Message") or (
        isinstance(func, ast.Attribute) and func.attr == "Message"
    )


def messages_built() -> Iterator[Built]:
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _is_message(node):
                given = {keyword.arg: keyword.value for keyword in node.keywords}
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                yield Built(where, given.get("vi"), given.get("en"))


def literal_text(node: ast.expr | None) -> str | None:
    """The text a string literal (plain, f-string or a `+` of them) writes itself; None when
    the expression is not one (a variable, a call)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value
            for part in node.values
            if isinstance(part, ast.Constant) and isinstance(part.value, str)
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        parts = [literal_text(node.left), literal_text(node.right)]
        if all(part is None for part in parts):
            return None
        return "".join(part or "" for part in parts)
    return None


BUILT = list(messages_built())


def test_the_scan_finds_the_messages_of_every_service() -> None:
    places = {built.where.split("/")[0] for built in BUILT}
    assert places == {"danvan", "services"}
    assert len(BUILT) > 150


@pytest.mark.parametrize("built", BUILT, ids=[built.where for built in BUILT])
def test_every_message_has_its_own_vietnamese(built: Built) -> None:
    assert built.vi is not None, "a Message names vi="
    assert built.en is not None, "a Message names en="
    vi, en = literal_text(built.vi), literal_text(built.en)
    if vi is not None:
        assert vi.strip(), "the Vietnamese is empty"
        if en is not None:
            assert ast.dump(built.vi) != ast.dump(built.en), "the Vietnamese copies the English"
        words = [word for word in vi.split() if word.isalpha()]
        if len(words) >= 2:
            assert not vi.isascii(), f"the Vietnamese reads like English: {vi!r}"
