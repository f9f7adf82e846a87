"""`danvan import models FILE` against a running registry, as an operator runs it."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from danvan.embedded import EmbeddedNats
from danvan.messages import LOCALE_VARIABLES
from danvan.spreadsheets import write_csv
from tests.registry_stack import RegistryStack, registry_stack

HEADER = ["Tên mô hình", "Lĩnh vực", "Mã đơn vị", "Ngày đăng ký"]


@pytest.fixture
async def stack(fresh_nats: EmbeddedNats, tmp_path: Path) -> AsyncIterator[RegistryStack]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'registry.db'}"
    async with registry_stack(tmp_path / "service", fresh_nats.url, url) as running:
        yield running


async def run_command(
    stack: RegistryStack, home: Path, *args: str, lang: str | None = "en_US.UTF-8"
) -> tuple[int, str]:
    """Run `danvan …` in a terminal whose locale is `lang` (None: no locale set), wide enough
    that rich keeps each table cell on one line."""
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES}
    env.update(DANVAN_NATS_URL=stack.nats_url, DANVAN_HOME=str(home), COLUMNS="200")
    if lang is not None:
        env["LANG"] = lang
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "danvan",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    return process.returncode or 0, output.decode()


async def total_in_hanoi(stack: RegistryStack) -> int:
    reply = await stack.client.get("/api/v1/models", headers=stack.auth("01"))
    total: int = reply.json()["total"]
    return total


async def test_the_command_registers_every_row_of_a_file(
    stack: RegistryStack, tmp_path: Path
) -> None:
    path = tmp_path / "mô hình.csv"
    path.write_bytes(
        write_csv(
            HEADER,
            [
                ["Cổng trường an toàn văn minh", "Văn hóa - xã hội", "00097", "02/03/2026"],
                ["Bóng đèn an ninh", "Quốc phòng - an ninh", "00004", "03/03/2026"],
                ["Hàng cây đại đoàn kết", "economy", "00292", "2026-03-04"],
            ],
        )
    )
    status, output = await run_command(
        stack, tmp_path, "import", "models", str(path), "--unit", "01"
    )
    assert status == 0, output
    assert "3 models registered" in output
    assert await total_in_hanoi(stack) == 3


async def test_the_command_lists_each_bad_row_and_registers_nothing(
    stack: RegistryStack, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(
        write_csv(
            HEADER,
            [
                ["Cổng trường an toàn văn minh", "Văn hóa - xã hội", "00097", "02/03/2026"],
                ["Bóng đèn an ninh", "bóng đá", "00004", "03/03/2026"],
            ],
        )
    )
    status, output = await run_command(
        stack, tmp_path, "import", "models", str(path), "--unit", "01"
    )
    assert status == 1, output
    assert "1 of 2 rows have errors" in output
    assert "Lĩnh vực" in output  # the column as the file names it
    assert await total_in_hanoi(stack) == 0


async def test_the_command_speaks_vietnamese_when_the_locale_is_not_english(
    stack: RegistryStack, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(write_csv(HEADER, [["Bóng đèn an ninh", "bóng đá", "00004", "03/03/2026"]]))
    for lang in (None, "vi_VN.UTF-8", "C.UTF-8"):
        status, output = await run_command(
            stack, tmp_path, "import", "models", str(path), "--unit", "01", lang=lang
        )
        assert status == 1, output
        assert "1 trên 1 dòng có lỗi; không dòng nào được đăng ký" in output, lang
        assert "cột Lĩnh vực phải là một trong các giá trị" in output, lang
        assert "rows have errors" not in output


async def test_the_command_says_when_no_platform_is_running(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(write_csv(HEADER, [["A", "economy", "00097", "2026-03-02"]]))
    env = {k: v for k, v in os.environ.items() if k != "DANVAN_NATS_URL"}
    env["DANVAN_HOME"] = str(tmp_path)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "danvan",
        "import",
        "models",
        str(path),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode == 2
    assert "make run" in output.decode()
