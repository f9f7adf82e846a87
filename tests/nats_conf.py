"""A reader of nats-server configuration files, for the checks of deploy/nats/ (the format is
not YAML): maps (`{}`), arrays (`[]`), quoted and bare values, `$NAME` references, comments and
`include`. Enough to read what the checks look at; `nats-server -c FILE -t` validates the rest.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

_BARE_VALUE_END = re.compile(r"[\s,\]\}]")
_KEY_END = re.compile(r"[\s:=\{\[]")
_VARIABLE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


class NatsConfError(ValueError):
    pass


@dataclass(frozen=True)
class Variable:
    """`$NAME`: a variable of the file, or else of the server's environment."""

    name: str


@dataclass
class NatsConf:
    """A configuration as read: its values, and the name of every file that went into it."""

    values: dict[str, Any]
    files: list[str] = field(default_factory=list)

    def get(self, *path: str) -> Any:
        """The value at `path` (keys are case-insensitive, as nats-server reads them)."""
        node: Any = self.values
        for key in path:
            if not isinstance(node, dict):
                return None
            node = {k.lower(): v for k, v in node.items()}.get(key.lower())
        return node


def variables(node: Any) -> set[str]:
    """The names of every `$NAME` the value refers to."""
    if isinstance(node, Variable):
        return {node.name}
    if isinstance(node, dict):
        return {name for value in node.values() for name in variables(value)}
    if isinstance(node, list):
        return {name for value in node for name in variables(value)}
    return set()


def read_nats_conf(path: Path) -> NatsConf:
    """The configuration in the file at `path`, with the files it includes."""
    return parse_nats_conf(str(path), lambda name: Path(name).read_text())


def parse_nats_conf(name: str, read: Callable[[str], str]) -> NatsConf:
    """The configuration in the file `name`, whose text (and that of the files it includes,
    named relative to the including file, as nats-server does) `read` gives; `read` raises
    KeyError or OSError for a file that does not exist."""
    conf = NatsConf(values={})
    conf.values = _Reader(posixpath.normpath(name), read, conf.files).read()
    return conf


class _Reader:
    def __init__(self, name: str, read: Callable[[str], str], files: list[str]) -> None:
        self.name = name
        self.read_file = read
        self.text = read(name)
        self.at = 0
        self.files = files
        files.append(name)

    def read(self) -> dict[str, Any]:
        values = self._entries(closing=None)
        self._blank()
        if self.at < len(self.text):
            self._fail("unexpected text")
        return values

    def _fail(self, what: str) -> NoReturn:
        line = self.text.count("\n", 0, self.at) + 1
        raise NatsConfError(f"{self.name}:{line}: {what}")

    def _blank(self, *, newlines: bool = True) -> None:
        """Skip spaces, comments and (when `newlines`) line ends."""
        while self.at < len(self.text):
            char = self.text[self.at]
            if char == "\n" and not newlines:
                return
            if char.isspace():
                self.at += 1
            elif char == "#" or self.text.startswith("//", self.at):
                end = self.text.find("\n", self.at)
                self.at = len(self.text) if end < 0 else end
            else:
                return

    def _entries(self, closing: str | None) -> dict[str, Any]:
        values: dict[str, Any] = {}
        while True:
            self._blank()
            if self.at >= len(self.text):
                if closing is not None:
                    self._fail(f"missing {closing!r}")
                return values
            if closing is not None and self.text[self.at] == closing:
                self.at += 1
                return values
            if self.text[self.at] in ",;":
                self.at += 1
                continue
            key = self._key()
            if key == "include":
                self._blank(newlines=False)
                values.update(self._include(str(self._scalar())))
                continue
            self._blank(newlines=False)
            if self.at < len(self.text) and self.text[self.at] in ":=":
                self.at += 1
            self._blank(newlines=False)
            values[key] = self._value()

    def _key(self) -> str:
        if self.text[self.at] in "\"'":
            return str(self._quoted())
        match = _KEY_END.search(self.text, self.at)
        end = match.start() if match else len(self.text)
        if end == self.at:
            self._fail("expected a key")
        key = self.text[self.at : end]
        self.at = end
        return key

    def _include(self, name: str) -> dict[str, Any]:
        included = posixpath.normpath(posixpath.join(posixpath.dirname(self.name), name))
        try:
            return _Reader(included, self.read_file, self.files).read()
        except (KeyError, OSError):
            self._fail(f"includes {name}, which does not exist")

    def _value(self) -> Any:
        if self.at >= len(self.text):
            self._fail("expected a value")
        char = self.text[self.at]
        if char == "{":
            self.at += 1
            return self._entries(closing="}")
        if char == "[":
            self.at += 1
            return self._array()
        return self._scalar()

    def _array(self) -> list[Any]:
        items: list[Any] = []
        while True:
            self._blank()
            if self.at >= len(self.text):
                self._fail("missing ']'")
            if self.text[self.at] == "]":
                self.at += 1
                return items
            if self.text[self.at] == ",":
                self.at += 1
                continue
            items.append(self._value())

    def _scalar(self) -> Any:
        if self.text[self.at] in "\"'":
            return self._quoted()
        match = _BARE_VALUE_END.search(self.text, self.at)
        end = match.start() if match else len(self.text)
        word = self.text[self.at : end]
        self.at = end
        variable = _VARIABLE.fullmatch(word)
        if variable:
            return Variable(variable[1])
        if word.lower() in ("true", "yes", "on"):
            return True
        if word.lower() in ("false", "no", "off"):
            return False
        if re.fullmatch(r"-?\d+", word):
            return int(word)
        return word

    def _quoted(self) -> str:
        quote = self.text[self.at]
        end = self.text.find(quote, self.at + 1)
        if end < 0:
            self._fail("unterminated string")
        value = self.text[self.at + 1 : end]
        self.at = end + 1
        return value
