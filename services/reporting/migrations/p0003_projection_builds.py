"""reporting: the projection kept per build, once-counted keys, stream positions, figures
entered by hand or imported

Revision ID: p0003
Revises: p0002
Create Date: 2026-11-23

The old tallies held only models registered and are rebuilt from the streams: the service's
live consumers (new durable names) read every stream from its first event.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "p0003"
down_revision: str | Sequence[str] | None = "p0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("tallies")
    op.create_table(
        "tallies",
        sa.Column("build", sa.Integer(), nullable=False),
        sa.Column("view", sa.String(12), nullable=False),
        sa.Column("unit_id", sa.String(20), nullable=False),
        sa.Column("indicator", sa.String(64), nullable=False),
        sa.Column("dimension", sa.String(96), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "build", "view", "unit_id", "indicator", "dimension", "day", name="pk_tallies"
        ),
    )
    op.create_table(
        "period_tallies",
        sa.Column("build", sa.Integer(), nullable=False),
        sa.Column("view", sa.String(12), nullable=False),
        sa.Column("unit_id", sa.String(20), nullable=False),
        sa.Column("indicator", sa.String(64), nullable=False),
        sa.Column("dimension", sa.String(96), nullable=False),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("source", sa.String(12), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "build",
            "view",
            "unit_id",
            "indicator",
            "dimension",
            "period",
            "source",
            name="pk_period_tallies",
        ),
    )
    op.create_table(
        "onces",
        sa.Column("build", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("unit_id", sa.String(20), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("indicator", sa.String(64), nullable=False),
        sa.Column("dimensions", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("build", "key", name="pk_onces"),
    )
    op.create_table(
        "positions",
        sa.Column("build", sa.Integer(), nullable=False),
        sa.Column("stream", sa.String(32), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("event_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("build", "stream", name="pk_positions"),
    )
    builds = op.create_table(
        "builds",
        sa.Column("name", sa.String(20), nullable=False),
        sa.Column("active", sa.Integer(), nullable=False),
        sa.Column("building", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("applied", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("name", name="pk_builds"),
    )
    op.bulk_insert(builds, [{"name": "figures", "active": 1, "applied": 0, "total": 0}])
    op.create_table(
        "figure_entries",
        sa.Column("unit_id", sa.String(20), nullable=False),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("indicator", sa.String(64), nullable=False),
        sa.Column("dimension", sa.String(96), nullable=False),
        sa.Column("source", sa.String(12), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("entered_by", sa.String(100), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "unit_id", "period", "indicator", "dimension", name="pk_figure_entries"
        ),
    )


def downgrade() -> None:
    for table in ("figure_entries", "builds", "positions", "onces", "period_tallies", "tallies"):
        op.drop_table(table)
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
