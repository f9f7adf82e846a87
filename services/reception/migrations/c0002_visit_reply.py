"""reception: the reply owed after a reception

Revision ID: c0002
Revises: c0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c0002"
down_revision: str | Sequence[str] | None = "c0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("visits", sa.Column("reply_due_on", sa.Date(), nullable=True))
    op.add_column("visits", sa.Column("replied_on", sa.Date(), nullable=True))
    op.add_column(
        "visits", sa.Column("reply_overdue_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index("ix_visits_reply_due_on", "visits", ["reply_due_on"])


def downgrade() -> None:
    op.drop_index("ix_visits_reply_due_on", table_name="visits")
    with op.batch_alter_table("visits") as batch:
        for column in ("reply_overdue_at", "replied_on", "reply_due_on"):
            batch.drop_column(column)
