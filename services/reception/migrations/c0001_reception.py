"""reception: cases, visits, petitions with their deadlines and history, dialogues and
their follow-ups, the audit of personal-data reads

Revision ID: c0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("reception",)
depends_on: str | Sequence[str] | None = ("k0001",)


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("unit_id", sa.String(length=20), nullable=False),
        sa.Column("matter", sa.String(length=500), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    op.create_index(op.f("ix_cases_unit_id"), "cases", ["unit_id"], unique=False)
    op.create_table(
        "dialogues",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("unit_id", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=12), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("chair", sa.String(length=300), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("opinions_raised", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=500), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialogues")),
    )
    op.create_index(op.f("ix_dialogues_held_on"), "dialogues", ["held_on"], unique=False)
    op.create_index(op.f("ix_dialogues_unit_id"), "dialogues", ["unit_id"], unique=False)
    op.create_table(
        "personal_data_audit",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reader", sa.String(length=100), nullable=False),
        sa.Column("reader_unit", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=12), nullable=False),
        sa.Column("record_kind", sa.String(length=12), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("unit_id", sa.String(length=20), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personal_data_audit")),
    )
    op.create_index(op.f("ix_personal_data_audit_at"), "personal_data_audit", ["at"], unique=False)
    op.create_index(
        op.f("ix_personal_data_audit_reader"), "personal_data_audit", ["reader"], unique=False
    )
    op.create_index(
        op.f("ix_personal_data_audit_record_id"), "personal_data_audit", ["record_id"], unique=False
    )
    op.create_index(
        op.f("ix_personal_data_audit_unit_id"), "personal_data_audit", ["unit_id"], unique=False
    )
    op.create_table(
        "petition_history",
        sa.Column("petition_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("by", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("petition_id", "version", name=op.f("pk_petition_history")),
    )
    op.create_table(
        "case_people",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("name_folded", sa.String(length=300), nullable=False),
        sa.Column("id_number", sa.String(length=12), nullable=True),
        sa.Column("commune_id", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_people_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_people")),
    )
    op.create_index(op.f("ix_case_people_case_id"), "case_people", ["case_id"], unique=False)
    op.create_index(op.f("ix_case_people_commune_id"), "case_people", ["commune_id"], unique=False)
    op.create_index(op.f("ix_case_people_id_number"), "case_people", ["id_number"], unique=False)
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("dialogue_id", sa.String(length=36), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("owner", sa.String(length=300), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("remarks", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dialogue_id"], ["dialogues.id"], name=op.f("fk_follow_ups_dialogue_id_dialogues")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_ups")),
    )
    op.create_index(op.f("ix_follow_ups_dialogue_id"), "follow_ups", ["dialogue_id"], unique=False)
    op.create_table(
        "petitions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("unit_id", sa.String(length=20), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("visit_id", sa.String(length=36), nullable=True),
        sa.Column("first_instance_id", sa.String(length=36), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("forwarded_by", sa.String(length=300), nullable=True),
        sa.Column("petition_class", sa.String(length=16), nullable=False),
        sa.Column("sector", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("petitioner", sa.JSON(), nullable=False),
        sa.Column("petitioner_kind", sa.String(length=16), nullable=False),
        sa.Column("petitioner_unit_id", sa.String(length=20), nullable=True),
        sa.Column("respondent", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.String(length=1000), nullable=False),
        sa.Column("search_folded", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("remote_area", sa.Boolean(), nullable=False),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("complex", sa.Boolean(), nullable=False),
        sa.Column("especially_complex", sa.Boolean(), nullable=False),
        sa.Column("extensions", sa.Integer(), nullable=False),
        sa.Column("conclusion", sa.String(length=16), nullable=True),
        sa.Column("last_step_on", sa.Date(), nullable=False),
        sa.Column("next_due_on", sa.Date(), nullable=True),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_petitions_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petitions")),
    )
    op.create_index(op.f("ix_petitions_case_id"), "petitions", ["case_id"], unique=False)
    op.create_index(op.f("ix_petitions_next_due_on"), "petitions", ["next_due_on"], unique=False)
    op.create_index(op.f("ix_petitions_received_on"), "petitions", ["received_on"], unique=False)
    op.create_index(op.f("ix_petitions_status"), "petitions", ["status"], unique=False)
    op.create_index(op.f("ix_petitions_unit_id"), "petitions", ["unit_id"], unique=False)
    op.create_table(
        "visits",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("unit_id", sa.String(length=20), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("mode", sa.String(length=24), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("receiver_name", sa.String(length=300), nullable=False),
        sa.Column("receiver_role", sa.String(length=24), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("crowd", sa.Boolean(), nullable=False),
        sa.Column("representatives_count", sa.Integer(), nullable=False),
        sa.Column("repeat", sa.Boolean(), nullable=False),
        sa.Column("matter", sa.String(length=500), nullable=False),
        sa.Column("search_folded", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("received_documents", sa.Text(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("visitors", sa.JSON(), nullable=False),
        sa.Column("representatives", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_visits_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
    )
    op.create_index(op.f("ix_visits_case_id"), "visits", ["case_id"], unique=False)
    op.create_index(op.f("ix_visits_received_on"), "visits", ["received_on"], unique=False)
    op.create_index(op.f("ix_visits_unit_id"), "visits", ["unit_id"], unique=False)
    op.create_table(
        "petition_deadlines",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("petition_id", sa.String(length=36), nullable=False),
        sa.Column("unit_id", sa.String(length=20), nullable=False),
        sa.Column("rule_code", sa.String(length=48), nullable=False),
        sa.Column("basis", sa.String(length=300), nullable=False),
        sa.Column("label_vi", sa.String(length=300), nullable=False),
        sa.Column("label_en", sa.String(length=300), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("met_on", sa.Date(), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("overdue_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petitions.id"],
            name=op.f("fk_petition_deadlines_petition_id_petitions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petition_deadlines")),
    )
    op.create_index(
        op.f("ix_petition_deadlines_due_on"), "petition_deadlines", ["due_on"], unique=False
    )
    op.create_index(
        op.f("ix_petition_deadlines_petition_id"),
        "petition_deadlines",
        ["petition_id"],
        unique=False,
    )
    op.create_table(
        "digests_published",
        sa.Column("unit_id", sa.String(length=20), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("unit_id", "on", name=op.f("pk_digests_published")),
    )


def downgrade() -> None:
    op.drop_table("digests_published")
    op.drop_table("petition_deadlines")
    op.drop_table("visits")
    op.drop_table("petitions")
    op.drop_table("follow_ups")
    op.drop_table("case_people")
    op.drop_table("petition_history")
    op.drop_table("personal_data_audit")
    op.drop_table("dialogues")
    op.drop_table("cases")
