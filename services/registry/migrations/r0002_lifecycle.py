"""registry: the whole lifecycle: details, versions and history, exemplars, awards,
organisations, contests

Revision ID: r0002
Revises: r0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from danvan.db import bytewise_text
from danvan.text import fold, sort_string

revision: str = "r0002"
down_revision: str | Sequence[str] | None = "r0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _record_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("search_folded", sa.Text(), nullable=False, server_default=""),
        sa.Column("name_sort", bytewise_text(), nullable=False, server_default=""),
        sa.Column("organisation_id", sa.String(36), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("proposed", sa.Boolean(), nullable=True),
        sa.Column("recognition_level", sa.String(12), nullable=True),
        sa.Column("recognised_on", sa.Date(), nullable=True),
        sa.Column("last_step_on", sa.Date(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False, server_default="{}"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
    ]


def upgrade() -> None:
    for column in _record_columns():
        op.add_column("models", column)
    op.add_column(
        "models", sa.Column("topics_text", sa.String(900), nullable=False, server_default="|")
    )
    op.create_index("ix_models_organisation_id", "models", ["organisation_id"])

    op.create_table(
        "exemplars",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("name_folded", sa.String(300), nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("unit_id", sa.String(20), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        *_record_columns(),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_exemplars"),
    )
    op.create_index("ix_exemplars_name_folded", "exemplars", ["name_folded"])
    op.create_index("ix_exemplars_unit_id", "exemplars", ["unit_id"])
    op.create_index("ix_exemplars_organisation_id", "exemplars", ["organisation_id"])

    op.create_table(
        "record_history",
        sa.Column("record_kind", sa.String(12), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("by", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("record_kind", "record_id", "version", name="pk_record_history"),
    )
    op.create_table(
        "awards",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("record_kind", sa.String(12), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("recipient_kind", sa.String(12), nullable=False),
        sa.Column("recipient_name", sa.String(300), nullable=False),
        sa.Column("granting_body", sa.String(300), nullable=False),
        sa.Column("level", sa.String(12), nullable=False),
        sa.Column("decision_number", sa.String(100), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_awards"),
    )
    op.create_index("ix_awards_record_id", "awards", ["record_id"])
    op.create_table(
        "organisations",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("name_folded", sa.String(300), nullable=False),
        sa.Column("name_sort", bytewise_text(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("unit_id", sa.String(20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_organisations"),
    )
    op.create_index("ix_organisations_name_folded", "organisations", ["name_folded"])
    op.create_index("ix_organisations_unit_id", "organisations", ["unit_id"])
    op.create_table(
        "contests",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("name_folded", sa.String(300), nullable=False),
        sa.Column("name_sort", bytewise_text(), nullable=False),
        sa.Column("level", sa.String(12), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.String(20), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_contests"),
    )
    op.create_index("ix_contests_year", "contests", ["year"])
    op.create_index("ix_contests_unit_id", "contests", ["unit_id"])
    op.create_table(
        "contest_entries",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("contest_id", sa.String(36), nullable=False),
        sa.Column("record_kind", sa.String(12), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("record_name", sa.String(300), nullable=False),
        sa.Column("unit_id", sa.String(20), nullable=False),
        sa.Column("prize", sa.String(16), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("remarks", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contest_id"], ["contests.id"], name="fk_contest_entries_contest_id_contests"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_contest_entries"),
        sa.UniqueConstraint(
            "contest_id", "record_kind", "record_id", name="uq_contest_entries_contest_id"
        ),
    )
    op.create_index("ix_contest_entries_contest_id", "contest_entries", ["contest_id"])
    op.create_table(
        "model_imports",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("file_name", sa.String(300), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_model_imports"),
    )
    op.create_index("ix_model_imports_created_at", "model_imports", ["created_at"])
    op.create_table(
        "model_import_rows",
        sa.Column("import_id", sa.String(36), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("errors", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_id"], ["model_imports.id"], name="fk_model_import_rows_import_id_model_imports"
        ),
        sa.PrimaryKeyConstraint("import_id", "row", name="pk_model_import_rows"),
    )
    _backfill_models()


def _backfill_models() -> None:
    """Models registered before this revision get their search and sort columns and a
    history that starts with their registration."""
    connection = op.get_bind()
    models = sa.table(
        "models",
        sa.column("id", sa.String),
        sa.column("name", sa.String),
        sa.column("search_folded", sa.Text),
        sa.column("name_sort", sa.Text),
        sa.column("registered_on", sa.Date),
        sa.column("last_step_on", sa.Date),
        sa.column("updated_at", sa.DateTime),
        sa.column("status", sa.String),
        sa.column("created_by", sa.String),
        sa.column("created_at", sa.DateTime),
    )
    history = sa.table(
        "record_history",
        *(sa.column(name) for name in ("record_kind", "record_id", "version", "action")),
        *(sa.column(name) for name in ("status", "on", "by", "at")),
        sa.column("details", sa.JSON),
    )
    rows = connection.execute(sa.select(models)).all()
    for row in rows:
        connection.execute(
            history.insert().values(
                record_kind="model",
                record_id=row.id,
                version=1,
                action="registered",
                status=row.status,
                on=row.registered_on,
                by=row.created_by,
                at=row.created_at,
                details={},
            )
        )
        connection.execute(
            models.update()
            .where(models.c.id == row.id)
            .values(
                search_folded=fold(row.name),
                name_sort=sort_string(row.name),
                last_step_on=row.registered_on,
                updated_at=row.created_at,
            )
        )


def downgrade() -> None:
    for table in (
        "model_import_rows",
        "model_imports",
        "contest_entries",
        "contests",
        "organisations",
        "awards",
        "record_history",
    ):
        op.drop_table(table)
    op.drop_table("exemplars")
    op.drop_index("ix_models_organisation_id", table_name="models")
    with op.batch_alter_table("models") as batch:
        for column in [*_record_columns(), sa.Column("topics_text", sa.String(900))]:
            batch.drop_column(column.name)
