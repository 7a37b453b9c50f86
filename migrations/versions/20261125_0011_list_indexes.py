"""indexes that keep the list filters' cost flat as actions grow

A filtered list is read in id order, a page at a time. With an index on (filtered column,
id) the database walks the matching rows already in that order and stops after a page;
with only (column, …) or (column) it must find every match and sort them first, a cost
that grows with the table (QUALITY.md P2). `ix_actions_area` on (area_id) alone becomes
(area_id, id) for the same reason (SQLite appends the rowid anyway; PostgreSQL does not).
(source_type, id) matters once the planner has statistics: a rare kind of source (board
meetings among a million generated actions) looks common on average, and without it the
planner walks the whole table in id order looking for a page of them.
"Overdue" (open work past its date) cannot be walked in id order through (status, due_on,
id); `ix_actions_outstanding`, partial on the open statuses, holds (id, due_on) of exactly
those rows, so the walk checks the date in the index and stops after a page; and
`ix_actions_outstanding_due` gives the Force inbox what is owed in (due date, id) order.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25 19:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTSTANDING = "status IN ('open', 'in_progress')"


def upgrade() -> None:
    op.create_index("ix_actions_status_id", "actions", ["status", "id"])
    op.create_index("ix_actions_owner_id", "actions", ["owner_org_id", "id"])
    op.drop_index("ix_actions_area", table_name="actions")
    op.create_index("ix_actions_area_id", "actions", ["area_id", "id"])
    op.create_index("ix_actions_source_type_id", "actions", ["source_type", "id"])
    op.create_index(
        "ix_actions_outstanding",
        "actions",
        ["id", "due_on"],
        sqlite_where=sa.text(OUTSTANDING),
        postgresql_where=sa.text(OUTSTANDING),
    )
    op.create_index(
        "ix_actions_outstanding_due",
        "actions",
        ["due_on", "id"],
        sqlite_where=sa.text(OUTSTANDING),
        postgresql_where=sa.text(OUTSTANDING),
    )


def downgrade() -> None:
    op.drop_index("ix_actions_outstanding_due", table_name="actions")
    op.drop_index("ix_actions_outstanding", table_name="actions")
    op.drop_index("ix_actions_source_type_id", table_name="actions")
    op.drop_index("ix_actions_area_id", table_name="actions")
    op.create_index("ix_actions_area", "actions", ["area_id"])
    op.drop_index("ix_actions_owner_id", table_name="actions")
    op.drop_index("ix_actions_status_id", table_name="actions")
