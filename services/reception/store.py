"""The reception service's tables. Personal data (names, ID numbers, phones, streets) lives
only in the JSON columns `visitors`, `representatives`, `petitioner` and in `case_people`:
the columns anonymisation clears."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from danvan.db import NAMING_CONVENTION, UtcDateTime

metadata = MetaData(naming_convention=NAMING_CONVENTION)

cases_table = Table(
    "cases",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("unit_id", String(20), nullable=False, index=True),
    Column("matter", String(500), nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("closed", Boolean, nullable=False, server_default="0"),
    Column("created_at", UtcDateTime(), nullable=False),
)

# Who is on file in a case, kept apart so that a new visit or petition can be matched to it.
case_people_table = Table(
    "case_people",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(36), ForeignKey("cases.id"), nullable=False, index=True),
    Column("name_folded", String(300), nullable=False),
    Column("id_number", String(12), nullable=True, index=True),
    Column("commune_id", String(20), nullable=True, index=True),
)

visits_table = Table(
    "visits",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("unit_id", String(20), nullable=False, index=True),
    Column("case_id", String(36), ForeignKey("cases.id"), nullable=False, index=True),
    Column("mode", String(24), nullable=False),
    Column("received_on", Date, nullable=False, index=True),
    Column("receiver_name", String(300), nullable=False),
    Column("receiver_role", String(24), nullable=False),
    Column("headcount", Integer, nullable=False),
    Column("crowd", Boolean, nullable=False),
    Column("representatives_count", Integer, nullable=False),
    Column("repeat", Boolean, nullable=False),
    Column("matter", String(500), nullable=False),
    Column("search_folded", Text, nullable=False),
    Column("content", Text, nullable=False),
    Column("received_documents", Text, nullable=False),
    Column("warnings", JSON, nullable=False),
    Column("visitors", JSON, nullable=False),
    Column("representatives", JSON, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("anonymised_at", UtcDateTime(), nullable=True),
    # The reply the law owes after a reception (Luật Tiếp công dân Art. 28).
    Column("reply_due_on", Date, nullable=True, index=True),
    Column("replied_on", Date, nullable=True),
    Column("reply_summary", Text, nullable=True),
    Column("reply_overdue_at", UtcDateTime(), nullable=True),
)

petitions_table = Table(
    "petitions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("unit_id", String(20), nullable=False, index=True),
    Column("case_id", String(36), ForeignKey("cases.id"), nullable=False, index=True),
    Column("visit_id", String(36), nullable=True),
    Column("first_instance_id", String(36), nullable=True),
    Column("received_on", Date, nullable=False, index=True),
    Column("source", String(16), nullable=False),
    Column("forwarded_by", String(300), nullable=True),
    Column("petition_class", String(16), nullable=False),
    Column("sector", String(24), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("petitioner", JSON, nullable=False),
    Column("petitioner_kind", String(16), nullable=False),
    Column("petitioner_unit_id", String(20), nullable=True),
    Column("respondent", String(300), nullable=False),
    Column("summary", String(1000), nullable=False),
    Column("search_folded", Text, nullable=False),
    Column("content", Text, nullable=False),
    Column("attachments", JSON, nullable=False),
    Column("remote_area", Boolean, nullable=False),
    Column("accepted_on", Date, nullable=True),
    Column("complex", Boolean, nullable=False),
    Column("especially_complex", Boolean, nullable=False),
    Column("extensions", Integer, nullable=False),
    Column("conclusion", String(16), nullable=True),
    Column("last_step_on", Date, nullable=False),
    # The earliest open deadline, kept with the row so lists filter and sort by it.
    Column("next_due_on", Date, nullable=True, index=True),
    Column("overdue", Boolean, nullable=False),
    Column("closed_on", Date, nullable=True),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("anonymised_at", UtcDateTime(), nullable=True),
)

deadlines_table = Table(
    "petition_deadlines",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("petition_id", String(36), ForeignKey("petitions.id"), nullable=False, index=True),
    Column("unit_id", String(20), nullable=False),
    Column("rule_code", String(48), nullable=False),
    Column("basis", String(300), nullable=False),
    Column("label_vi", String(300), nullable=False),
    Column("label_en", String(300), nullable=False),
    Column("started_on", Date, nullable=False),
    Column("due_on", Date, nullable=False, index=True),
    Column("met_on", Date, nullable=True),
    Column("state", String(12), nullable=False),
    # Set once, by the first check that finds the deadline passed: the overdue event's guard.
    Column("overdue_at", UtcDateTime(), nullable=True),
)

petition_history_table = Table(
    "petition_history",
    metadata,
    Column("petition_id", String(36), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("action", String(24), nullable=False),
    Column("status", String(16), nullable=False),
    Column("on", Date, nullable=False),
    Column("by", String(100), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("details", JSON, nullable=False),
)

dialogues_table = Table(
    "dialogues",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("unit_id", String(20), nullable=False, index=True),
    Column("level", String(12), nullable=False),
    Column("held_on", Date, nullable=False, index=True),
    Column("chair", String(300), nullable=False),
    Column("participants", Integer, nullable=False),
    Column("opinions_raised", Integer, nullable=False),
    Column("topic", String(500), nullable=False),
    # The topic and chair folded (danvan.text.fold), for `q`.
    Column("search_folded", Text, nullable=False, server_default=""),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

follow_ups_table = Table(
    "follow_ups",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("dialogue_id", String(36), ForeignKey("dialogues.id"), nullable=False, index=True),
    Column("description", String(1000), nullable=False),
    Column("owner", String(300), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("status", String(12), nullable=False),
    Column("done_on", Date, nullable=True),
    Column("remarks", Text, nullable=False),
)

audit_table = Table(
    "personal_data_audit",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("at", UtcDateTime(), nullable=False, index=True),
    Column("reader", String(100), nullable=False, index=True),
    Column("reader_unit", String(20), nullable=False),
    Column("action", String(12), nullable=False),
    Column("record_kind", String(12), nullable=False),
    Column("record_id", String(36), nullable=False, index=True),
    Column("unit_id", String(20), nullable=False, index=True),
    Column("fields", JSON, nullable=False),
)

# One digest per unit and day: the guard that publishes it once, however many copies check.
digests_table = Table(
    "digests_published",
    metadata,
    Column("unit_id", String(20), primary_key=True),
    Column("on", Date, primary_key=True),
    Column("published_at", UtcDateTime(), nullable=False),
)
