"""sync clock generation (a change counter the response cache keys on), and an index
for each person's own open actions on Home

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sync_clock") as batch:
        batch.add_column(
            sa.Column("generation", sa.BigInteger(), nullable=False, server_default="0")
        )
    op.create_index(
        "ix_actions_created_by_status_due",
        "actions",
        ["created_by", "status", "due_on"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_actions_created_by_status_due", table_name="actions")
    with op.batch_alter_table("sync_clock") as batch:
        batch.drop_column("generation")
