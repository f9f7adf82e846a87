"""reporting: the counts summed per calendar year

Revision ID: p0005
Revises: p0004
Create Date: 2026-12-04

A year's figure is read from one row per unit, indicator and dimension. The builds made before
this revision have no year rows: when they hold counts, their key loses its mark (the service
then rebuilds by itself, and the views read years from the half-month rows meanwhile).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "p0005"
down_revision: str | Sequence[str] | None = "p0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "year_tallies",
        sa.Column("build", sa.Integer(), nullable=False),
        sa.Column("view", sa.String(12), nullable=False),
        sa.Column("unit_id", sa.String(20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(64), nullable=False),
        sa.Column("dimension", sa.String(96), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "build", "view", "unit_id", "year", "indicator", "dimension", name="pk_year_tallies"
        ),
    )
    # A build with counts and no key yet would be marked as of now at start: mark it as older.
    op.execute(
        "UPDATE builds SET units_key = '' "
        "WHERE units_key IS NULL AND EXISTS (SELECT 1 FROM tallies)"
    )


def downgrade() -> None:
    op.drop_table("year_tallies")
