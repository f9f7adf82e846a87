"""reporting: tallies

Revision ID: p0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "p0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("reporting",)
depends_on: str | Sequence[str] | None = ("k0001",)


def upgrade() -> None:
    op.create_table(
        "tallies",
        sa.Column("boundaries", sa.String(12), nullable=False),
        sa.Column("unit_id", sa.String(20), nullable=False),
        sa.Column("indicator", sa.String(64), nullable=False),
        sa.Column("dimension", sa.String(96), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "boundaries", "unit_id", "indicator", "dimension", "day", name="pk_tallies"
        ),
    )


def downgrade() -> None:
    op.drop_table("tallies")
