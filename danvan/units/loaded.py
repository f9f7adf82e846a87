"""Reorganisations an admin has loaded: one JSON file each in the units folder.

A file is named after the day it takes effect and a digest of its content
(``2027-01-01-3f2a9c1d0b7e.json``), so the set in effect on a day, and a key that changes
with it, come from the folder's listing alone: services compare that key every minute.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from danvan.units.model import BASE_KEY
from danvan.units.reorganisation import Reorganisation, ReorganisationError, apply, parse
from danvan.units.tree import UnitTree

_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-([0-9a-f]{12})\.json$")


@dataclass(frozen=True, slots=True)
class LoadedFile:
    path: Path
    effective_on: date
    digest: str

    @property
    def key(self) -> str:
        return f"{self.effective_on.isoformat()}-{self.digest}"


def digest_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:12]


def loaded_files(folder: Path) -> list[LoadedFile]:
    """The loaded reorganisations, in the order they take effect."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if match:
            found.append(LoadedFile(path, date.fromisoformat(match[1]), match[2]))
    return sorted(found, key=lambda item: item.effective_on)


def in_effect(folder: Path, on: date) -> list[LoadedFile]:
    return [item for item in loaded_files(folder) if item.effective_on <= on]


def key_of(files: Sequence[LoadedFile]) -> str:
    """The key of the tree of the package's data with `files` applied."""
    return "+".join([BASE_KEY, *(item.key for item in files)])


def units_key(folder: Path, on: date) -> str:
    """The key of the tree in force on `on`, from the folder's listing alone."""
    return key_of(in_effect(folder, on))


def read(item: LoadedFile) -> Reorganisation:
    """The reorganisation kept in `item`; refused when the file changed after it was loaded,
    since its name (and so every service's key) still says what was loaded."""
    content = item.path.read_bytes()
    if digest_of(content) != item.digest:
        raise ReorganisationError(
            [f"{item.path}: changed since it was loaded; load the new version instead"]
        )
    return parse(content)


def tree_with(base: UnitTree, files: list[LoadedFile]) -> UnitTree:
    """`base` with the reorganisations of `files` applied in order (cached per set)."""
    return _tree_with(base, tuple(files))


@cache
def _tree_with(base: UnitTree, files: tuple[LoadedFile, ...]) -> UnitTree:
    tree = base
    for index, item in enumerate(files):
        tree = apply(tree, read(item), key=key_of(files[: index + 1]))
    return tree


def save(folder: Path, base: UnitTree, content: bytes) -> tuple[LoadedFile, Reorganisation]:
    """Check a reorganisation against the units with every loaded one applied, then keep it.

    Raises ReorganisationError (nothing written) when it does not apply. Loading the same
    content again is allowed and changes nothing.
    """
    reorganisation = parse(content)
    existing = loaded_files(folder)
    digest = digest_of(content)
    for item in existing:
        if item.digest == digest and item.effective_on == reorganisation.effective_on:
            return item, reorganisation
    apply(tree_with(base, existing), reorganisation, key="check")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{reorganisation.effective_on.isoformat()}-{digest}.json"
    partial = target.with_suffix(".part")
    partial.write_bytes(content)
    os.replace(partial, target)  # a service never lists a half-written file
    return LoadedFile(target, reorganisation.effective_on, digest), reorganisation


def withdraw(folder: Path, effective_on: date, today: date) -> LoadedFile:
    """Remove a loaded reorganisation that has not taken effect and has none after it."""
    files = loaded_files(folder)
    matching = [item for item in files if item.effective_on == effective_on]
    if not matching:
        raise ReorganisationError([f"no reorganisation effective on {effective_on} is loaded"])
    if effective_on <= today:
        raise ReorganisationError(
            [f"the reorganisation of {effective_on} is in effect already; load a new one instead"]
        )
    if files[-1].effective_on != effective_on:
        raise ReorganisationError(
            [f"withdraw the reorganisation of {files[-1].effective_on} first: it builds on this"]
        )
    matching[0].path.unlink()
    return matching[0]
