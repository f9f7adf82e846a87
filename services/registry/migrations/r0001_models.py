"""registry: models

Revision ID: r0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "r0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("registry",)
depends_on: str | Sequence[str] | None = ("k0001",)


def upgrade() -> None:
    op.create_table(
        "models",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("name_folded", sa.String(300), nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("unit_id", sa.String(20), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_models"),
    )
    op.create_index("ix_models_name_folded", "models", ["name_folded"])
    op.create_index("ix_models_unit_id", "models", ["unit_id"])


def downgrade() -> None:
    op.drop_table("models")
