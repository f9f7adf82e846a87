"""reporting: which units each build was placed with

Revision ID: p0004
Revises: p0003
Create Date: 2026-11-23

A build's rows place every fact in the boundaries of the units in force when it was built. When
a loaded reorganisation takes effect, the service sees another key here and rebuilds. A build
made before this revision has no key: the service takes it to be of the units it starts with.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "p0004"
down_revision: str | Sequence[str] | None = "p0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("builds", sa.Column("units_key", sa.Text(), nullable=True))
    op.add_column("builds", sa.Column("building_units_key", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("builds") as batch:
        batch.drop_column("building_units_key")
        batch.drop_column("units_key")
