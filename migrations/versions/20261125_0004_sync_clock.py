"""sync clock: commit-ordered updated_at for exact incremental sync

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 14:10:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import domain.records

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    clock = op.create_table(
        "sync_clock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_stamp", domain.records.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # The epoch: the first transaction's own time is later, so it becomes the first stamp.
    op.bulk_insert(clock, [{"id": 1, "last_stamp": datetime(1970, 1, 1, tzinfo=UTC)}])


def downgrade() -> None:
    op.drop_table("sync_clock")
