"""reception: dialogues searched without diacritics (their topic and chair)

Revision ID: c0004
Revises: c0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from danvan.text import fold

revision: str = "c0004"
down_revision: str | Sequence[str] | None = "c0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "dialogues", sa.Column("search_folded", sa.Text(), nullable=False, server_default="")
    )
    _backfill()


def _backfill() -> None:
    """Dialogues recorded before this revision are found by the same words as new ones."""
    connection = op.get_bind()
    dialogues = sa.table(
        "dialogues",
        sa.column("id", sa.String),
        sa.column("topic", sa.String),
        sa.column("chair", sa.String),
        sa.column("search_folded", sa.Text),
    )
    for row in connection.execute(sa.select(dialogues)).all():
        connection.execute(
            dialogues.update()
            .where(dialogues.c.id == row.id)
            .values(search_folded=fold(f"{row.topic} {row.chair}"))
        )


def downgrade() -> None:
    with op.batch_alter_table("dialogues") as batch:
        batch.drop_column("search_folded")
