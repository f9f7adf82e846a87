"""Reporting's tables.

The projection (counts per unit and day, amounts per unit and period, the once-counted keys and
how far each stream was applied) is kept per *build*: a rebuild fills a new build while the
views keep reading the active one, then switches over in one transaction.

Every count is stored at the unit it was recorded against and at each ancestor, so a unit's
figure is one read. `view` says in which boundaries a row counts: "historical" (as recorded),
"current" (former units' facts in their successors) or "both" (the same unit in both, which is
what a fact recorded since the 2025 reform always gives).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from danvan.db import NAMING_CONVENTION, UtcDateTime

metadata = MetaData(naming_convention=NAMING_CONVENTION)

VIEW_BOTH = "both"

tallies_table = Table(
    "tallies",
    metadata,
    Column("build", Integer, primary_key=True),
    Column("view", String(12), primary_key=True),
    Column("unit_id", String(20), primary_key=True),
    Column("indicator", String(64), primary_key=True),
    Column("dimension", String(96), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("amount", BigInteger, nullable=False),
)

# The same counts summed per calendar year: a year's figure (the views' default period) is one
# row per unit, indicator and dimension rather than twenty-four half-months'. A cut-off year
# (15 December to 14 December) is its calendar year with the second halves of two Decembers
# moved, read from `tallies`.
year_tallies_table = Table(
    "year_tallies",
    metadata,
    Column("build", Integer, primary_key=True),
    Column("view", String(12), primary_key=True),
    Column("unit_id", String(20), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("indicator", String(64), primary_key=True),
    Column("dimension", String(96), primary_key=True),
    Column("amount", BigInteger, nullable=False),
)

period_tallies_table = Table(
    "period_tallies",
    metadata,
    Column("build", Integer, primary_key=True),
    Column("view", String(12), primary_key=True),
    Column("unit_id", String(20), primary_key=True),
    Column("indicator", String(64), primary_key=True),
    Column("dimension", String(96), primary_key=True),
    Column("period", String(10), primary_key=True),
    Column("source", String(12), primary_key=True),
    Column("amount", BigInteger, nullable=False),
)

# The occurrence a once-counted key is counted at, so a later-arriving earlier one can move it.
onces_table = Table(
    "onces",
    metadata,
    Column("build", Integer, primary_key=True),
    Column("key", String(120), primary_key=True),
    Column("day", Date, nullable=False),
    Column("unit_id", String(20), nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("indicator", String(64), nullable=False),
    Column("dimensions", Text, nullable=False),  # "\n"-joined dimension keys
)

positions_table = Table(
    "positions",
    metadata,
    Column("build", Integer, primary_key=True),
    Column("stream", String(32), primary_key=True),
    Column("sequence", BigInteger, nullable=False),
    Column("event_time", UtcDateTime(), nullable=True),
    Column("applied_at", UtcDateTime(), nullable=False),
)

# One row: which build the views read, and the rebuild in progress if any.
builds_table = Table(
    "builds",
    metadata,
    Column("name", String(20), primary_key=True),
    Column("active", Integer, nullable=False),
    Column("building", Integer, nullable=True),
    Column("started_at", UtcDateTime(), nullable=True),
    Column("finished_at", UtcDateTime(), nullable=True),
    Column("heartbeat_at", UtcDateTime(), nullable=True),
    Column("applied", BigInteger, nullable=False, default=0),
    Column("total", BigInteger, nullable=False, default=0),
    Column("error", Text, nullable=True),
    # The UnitTree.key the active build, and the one being built, placed facts with.
    Column("units_key", Text, nullable=True),
    Column("building_units_key", Text, nullable=True),
)

# Figures a unit entered by hand or imported, per period: reporting's own record of them.
figure_entries_table = Table(
    "figure_entries",
    metadata,
    Column("unit_id", String(20), primary_key=True),
    Column("period", String(10), primary_key=True),
    Column("indicator", String(64), primary_key=True),
    Column("dimension", String(96), primary_key=True),
    Column("source", String(12), nullable=False),
    Column("value", BigInteger, nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("entered_by", String(100), nullable=False),
    Column("entered_at", UtcDateTime(), nullable=False),
)
