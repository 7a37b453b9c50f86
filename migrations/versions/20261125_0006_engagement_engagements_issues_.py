"""engagement: engagements, issues raised, issue-to-action links, pre-election periods, and
the outcome and reason of an action's public "you said, we did" line

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 16:22:05.384433
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import domain.records

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pre_election_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", domain.records.UTCDateTime(), nullable=False),
        sa.Column("updated_at", domain.records.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pre_election_periods", schema=None) as batch_op:
        batch_op.create_index("ix_pre_election_periods_starts_on", ["starts_on"], unique=False)
        batch_op.create_index(
            "ix_pre_election_periods_updated_at_id", ["updated_at", "id"], unique=False
        )

    op.create_table(
        "engagements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", domain.records.UTCDateTime(), nullable=False),
        sa.Column("updated_at", domain.records.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("lead", sa.String(length=10), nullable=False),
        sa.Column("lead_name", sa.String(length=200), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("ward", sa.String(length=200), nullable=False),
        sa.Column("npa_id", sa.Integer(), nullable=True),
        sa.Column("organisations_met", sa.JSON(), nullable=False),
        sa.Column("people_count", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("named_contacts", sa.Text(), nullable=False),
        sa.Column("councils_invited", sa.Integer(), nullable=True),
        sa.Column("councils_attended", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"]),
        sa.ForeignKeyConstraint(["npa_id"], ["npas.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.create_index("ix_engagements_area_held_on", ["area_id", "held_on"], unique=False)
        batch_op.create_index("ix_engagements_held_on", ["held_on", "id"], unique=False)
        batch_op.create_index("ix_engagements_updated_at_id", ["updated_at", "id"], unique=False)

    op.create_table(
        "engagement_issues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", domain.records.UTCDateTime(), nullable=False),
        sa.Column("updated_at", domain.records.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("people_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagements.id"]),
        sa.ForeignKeyConstraint(["topic_id"], ["topics.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("engagement_issues", schema=None) as batch_op:
        batch_op.create_index(
            "ix_engagement_issues_engagement", ["engagement_id", "position"], unique=False
        )
        batch_op.create_index("ix_engagement_issues_topic", ["topic_id"], unique=False)
        batch_op.create_index(
            "ix_engagement_issues_updated_at_id", ["updated_at", "id"], unique=False
        )

    op.create_table(
        "engagement_issue_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["actions.id"]),
        sa.ForeignKeyConstraint(["issue_id"], ["engagement_issues.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("action_id"),
    )
    with op.batch_alter_table("engagement_issue_actions", schema=None) as batch_op:
        batch_op.create_index("ix_engagement_issue_actions_issue", ["issue_id"], unique=False)

    # Existing actions have no public line yet: the server default fills the new columns.
    # ALTER TABLE in place on SQLite too: copying `actions` to a new table would mean
    # dropping it, which the foreign keys of its updates and transitions refuse.
    with op.batch_alter_table("actions", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column(
                "line_outcome", sa.String(length=20), nullable=False, server_default=sa.text("''")
            )
        )
        batch_op.add_column(
            sa.Column(
                "line_reason", sa.String(length=500), nullable=False, server_default=sa.text("''")
            )
        )


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN in place (SQLite 3.35 or later), as in upgrade().
    with op.batch_alter_table("actions", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("line_reason")
        batch_op.drop_column("line_outcome")

    with op.batch_alter_table("engagement_issue_actions", schema=None) as batch_op:
        batch_op.drop_index("ix_engagement_issue_actions_issue")

    op.drop_table("engagement_issue_actions")
    with op.batch_alter_table("engagement_issues", schema=None) as batch_op:
        batch_op.drop_index("ix_engagement_issues_updated_at_id")
        batch_op.drop_index("ix_engagement_issues_topic")
        batch_op.drop_index("ix_engagement_issues_engagement")

    op.drop_table("engagement_issues")
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.drop_index("ix_engagements_updated_at_id")
        batch_op.drop_index("ix_engagements_held_on")
        batch_op.drop_index("ix_engagements_area_held_on")

    op.drop_table("engagements")
    with op.batch_alter_table("pre_election_periods", schema=None) as batch_op:
        batch_op.drop_index("ix_pre_election_periods_updated_at_id")
        batch_op.drop_index("ix_pre_election_periods_starts_on")

    op.drop_table("pre_election_periods")
