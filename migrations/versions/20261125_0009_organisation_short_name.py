"""organisations.short_name: the name lists and tables show on small screens

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 19:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN with a default, then a backfill: a batch rebuild of `organisations`
    # would drop a table that actions, users and boards point at (SQLite enforces the keys).
    op.add_column(
        "organisations",
        sa.Column("short_name", sa.String(length=60), nullable=False, server_default=""),
    )
    op.execute("UPDATE organisations SET short_name = substr(name, 1, 60)")
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("organisations", "short_name", server_default=None)


def downgrade() -> None:
    op.drop_column("organisations", "short_name")
