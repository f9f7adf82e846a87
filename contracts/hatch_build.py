"""Where the wheel and the sdist take `danvan/contracts` from: the platform's own package in a
checkout (the folder beside this one), or the copy the sdist carries when a wheel is built
from it. The contracts are never copied into the repository."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PACKAGE = "danvan/contracts"


class ContractsSource(BuildHookInterface[Any]):
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        in_checkout = root.parent / PACKAGE
        source = in_checkout if (in_checkout / "envelope.py").is_file() else root / PACKAGE
        build_data["force_include"][str(source)] = PACKAGE
