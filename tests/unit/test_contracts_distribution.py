"""`danvan-contracts` stands alone: the event contracts import only the standard library,
pydantic and themselves, so the wheel installs and imports without the platform; and it is
built with the backend the project pins."""

from __future__ import annotations

import ast
import shutil
import sys
import tomllib
from pathlib import Path

import pytest

import danvan.contracts

CONTRACTS = Path(danvan.contracts.__file__).parent
PACKAGE = "danvan.contracts"


def _allowed(module: str) -> bool:
    top = module.split(".")[0]
    return (
        top in sys.stdlib_module_names
        or top == "pydantic"
        or module == PACKAGE
        or module.startswith(PACKAGE + ".")
    )


def imported_modules(source: str, package: str = PACKAGE) -> list[str]:
    """Every module a source of `package` imports, anywhere in it (a function's body too),
    as an absolute name."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # `.` is the module's own package, `..` the one above it
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                module = f"{base}.{module}" if module else base
            if PACKAGE.startswith(module + "."):
                # `from danvan import contracts`: the names are modules of that package.
                found.extend(f"{module}.{alias.name}" for alias in node.names)
            else:
                found.append(module)
    return found


def foreign_imports(folder: Path) -> dict[str, list[str]]:
    """Each module of `folder` (the contracts package) that imports something else, with
    what it imports."""
    foreign: dict[str, list[str]] = {}
    for path in sorted(folder.rglob("*.py")):
        package = ".".join([PACKAGE, *path.relative_to(folder).parent.parts])
        outside = [m for m in imported_modules(path.read_text(), package) if not _allowed(m)]
        if outside:
            foreign[str(path.relative_to(folder))] = outside
    return foreign


def test_every_contract_module_imports_only_the_standard_library_pydantic_and_the_contracts() -> (
    None
):
    assert sorted(path.name for path in CONTRACTS.glob("*.py"))  # the folder is the real one
    assert foreign_imports(CONTRACTS) == {}


def test_an_import_of_the_platform_planted_in_the_contracts_is_found(tmp_path: Path) -> None:
    copy = tmp_path / "contracts"
    shutil.copytree(CONTRACTS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "planted.py").write_text(
        "from danvan.contracts.rpc import Message\n"
        "\n"
        "def later() -> None:\n"
        "    from danvan.messages import not_found\n"
    )
    assert foreign_imports(copy) == {"planted.py": ["danvan.messages"]}


@pytest.mark.parametrize(
    ("source", "foreign"),
    [
        ("import danvan.bus", ["danvan.bus"]),
        ("from danvan import config", ["danvan.config"]),
        ("from .. import messages", ["danvan.messages"]),
        ("from ..units import UnitTree", ["danvan.units"]),
        ("import sqlalchemy", ["sqlalchemy"]),
        ("from faststream.nats import NatsBroker", ["faststream.nats"]),
        ("import pydantic_settings", ["pydantic_settings"]),
        ("import services.reception.domain", ["services.reception.domain"]),
    ],
)
def test_an_import_from_outside_the_standard_library_pydantic_and_the_contracts_is_foreign(
    source: str, foreign: list[str]
) -> None:
    assert [m for m in imported_modules(source) if not _allowed(m)] == foreign


@pytest.mark.parametrize(
    "source",
    [
        "import uuid",
        "from datetime import date",
        "from collections.abc import Mapping",
        "from pydantic import BaseModel",
        "from pydantic.json_schema import GenerateJsonSchema",
        "from danvan.contracts.rpc import Message",
        "from danvan import contracts",
        "from . import rpc",
        "from .envelope import EventPayload",
    ],
)
def test_the_standard_library_pydantic_and_the_contracts_themselves_are_allowed(
    source: str,
) -> None:
    assert [m for m in imported_modules(source) if not _allowed(m)] == []


def test_the_wheel_is_built_with_the_backend_the_project_installs() -> None:
    """`make contracts` builds without isolation, with the hatchling of the dev extra: the
    distribution's own pin must be that one."""
    root = CONTRACTS.parents[1]
    distribution = tomllib.loads((root / "contracts" / "pyproject.toml").read_text())
    platform = tomllib.loads((root / "pyproject.toml").read_text())
    (backend,) = distribution["build-system"]["requires"]
    assert backend.startswith("hatchling==")
    assert backend in platform["project"]["optional-dependencies"]["dev"]
    assert distribution["project"]["dependencies"] == ["pydantic>=2"]
