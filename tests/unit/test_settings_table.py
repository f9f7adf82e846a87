"""The configuration table in the documents is generated from the settings and kept true."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from danvan.cli import app
from danvan.config import Settings
from danvan.settings_table import (
    END_MARKER,
    START_MARKER,
    MissingMarkers,
    markdown_table,
    variable_name,
    with_table,
)

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", ROOT / "deploy" / "README.md"]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_the_documents_show_the_settings_the_code_reads(document: Path) -> None:
    text = document.read_text(encoding="utf-8")
    assert with_table(text) == text, f"{document} is out of date: run `make docs`"


def test_every_setting_says_what_it_means() -> None:
    silent = [name for name, field in Settings.model_fields.items() if not field.description]
    assert silent == [], "give each a docstring right under the field"


def test_the_table_names_each_variable_with_its_default() -> None:
    table = markdown_table()
    assert "| `DANVAN_GATEWAY_PORT` | `8000` |" in table
    assert "| `DANVAN_NATS_URL` | empty |" in table
    assert "| `DANVAN_JWT_ALGORITHMS` | `RS256,ES256` |" in table
    assert "`OTEL_EXPORTER_OTLP_ENDPOINT`" in table
    assert table.count("\n") == len(Settings.model_fields) + 1 + 3
    assert variable_name("log_level") == "DANVAN_LOG_LEVEL"


def test_a_table_cell_keeps_a_pipe_from_splitting_the_row() -> None:
    row = next(line for line in markdown_table().splitlines() if "DANVAN_REGISTRY_TOPICS" in line)
    assert "Vietnamese label\\|English" in row
    assert row.count(" | ") == 2


def test_a_stale_table_is_replaced_and_the_text_around_it_kept() -> None:
    stale = f"before\n{START_MARKER}\n| old |\n{END_MARKER}\nafter\n"
    fresh = with_table(stale)
    assert fresh.startswith("before\n")
    assert fresh.endswith("after\n")
    assert "| old |" not in fresh
    assert "DANVAN_HOME" in fresh


def test_a_document_without_the_markers_is_refused() -> None:
    with pytest.raises(MissingMarkers):
        with_table("no table here")


def test_settings_command_rewrites_a_document_and_says_so(tmp_path: Path) -> None:
    document = tmp_path / "guide.md"
    document.write_text(f"{START_MARKER}\n{END_MARKER}\n", encoding="utf-8")
    runner = CliRunner()
    first = runner.invoke(app, ["settings", "--write", str(document)])
    second = runner.invoke(app, ["settings", "--write", str(document)])
    assert first.exit_code == 0
    assert "rewrote" in first.output
    assert second.exit_code == 0
    assert "unchanged" in second.output
    assert "DANVAN_GATEWAY_PORT" in document.read_text(encoding="utf-8")


def test_settings_command_refuses_a_document_without_a_place_for_the_table(
    tmp_path: Path,
) -> None:
    document = tmp_path / "guide.md"
    document.write_text("# no markers\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["settings", "--write", str(document)])
    assert result.exit_code == 2
    assert "settings-table:start" in result.output
