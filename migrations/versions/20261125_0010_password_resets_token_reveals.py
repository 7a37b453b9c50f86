"""one-time password reset links, and the one-time record a new API token's secret is shown from

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 19:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import domain.records

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "password_resets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", domain.records.UTCDateTime(), nullable=False),
        sa.Column("expires_at", domain.records.UTCDateTime(), nullable=False),
        sa.Column("used_at", domain.records.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("secret_hash"),
    )
    op.create_index("ix_password_resets_user_id", "password_resets", ["user_id"], unique=False)
    op.create_table(
        "secret_reveals",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("shown_to", sa.Integer(), nullable=False),
        sa.Column("masked", sa.String(length=200), nullable=False),
        sa.Column("created_at", domain.records.UTCDateTime(), nullable=False),
        sa.Column("expires_at", domain.records.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["shown_to"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    # A plain ADD COLUMN: a batch rebuild of `api_tokens` is not needed for a nullable column.
    op.add_column(
        "api_tokens", sa.Column("last_used_at", domain.records.UTCDateTime(), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("api_tokens", "last_used_at")
    op.drop_table("secret_reveals")
    op.drop_index("ix_password_resets_user_id", table_name="password_resets")
    op.drop_table("password_resets")
