"""Headless Rewards page: one row per claim, so a double click claims once.

Revision ID: storefront_0003
Revises: storefront_0002
Create Date: 2026-12-02

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "storefront_0003"
down_revision = "storefront_0002"
branch_labels = None
depends_on = None


def upgrade():
    # A database made by `create_all` from today's models has the table already.
    if sa.inspect(op.get_bind()).has_table("reward_claims"):
        return
    op.create_table(
        "reward_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("reward_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("attempt"),
    )
    op.create_index("ix_reward_claims_customer_id", "reward_claims", ["customer_id"])


def downgrade():
    op.drop_index("ix_reward_claims_customer_id", table_name="reward_claims")
    op.drop_table("reward_claims")
