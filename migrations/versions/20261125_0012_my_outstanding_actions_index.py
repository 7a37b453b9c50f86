"""an index for "my actions": someone's open work, soonest due first

Home lists the signed-in officer's outstanding actions by due date, five at a time. With
only (created_by, status, due_on) the database must merge the open statuses and sort;
SQLite's planner, seeing that most actions share a few creators (the demo's "System"),
instead walked every open action in due-date order looking for that officer's, 60,000
rows at 100,000 actions to find none (QUALITY.md P3: Home took 45 times a static page).
This partial index holds exactly the open work as (created_by, due_on, id): seek the
officer, read five in order, stop.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTSTANDING = "status IN ('open', 'in_progress')"


def upgrade() -> None:
    op.create_index(
        "ix_actions_outstanding_created_by_due",
        "actions",
        ["created_by", "due_on", "id"],
        sqlite_where=sa.text(OUTSTANDING),
        postgresql_where=sa.text(OUTSTANDING),
    )


def downgrade() -> None:
    op.drop_index("ix_actions_outstanding_created_by_due", table_name="actions")
