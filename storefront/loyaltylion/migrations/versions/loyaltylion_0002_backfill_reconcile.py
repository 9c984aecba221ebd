"""LoyaltyLion: outbox priorities (a backfill waits behind live events) and the log of
reconcile runs.

Revision ID: loyaltylion_0002
Revises: loyaltylion_0001
Create Date: 2026-12-02

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "loyaltylion_0002"
down_revision = "loyaltylion_0001"
branch_labels = None
depends_on = None


def _inspector():
    return sa.inspect(op.get_bind())


def upgrade():
    # A database made by `create_all` from today's models has all of it already.
    columns = {c["name"] for c in _inspector().get_columns("loyaltylion_outbox")}
    if "priority" not in columns:
        _add_priority()
    if not _inspector().has_table("loyaltylion_reconcile_runs"):
        _create_reconcile_runs()


def _add_priority():
    with op.batch_alter_table("loyaltylion_outbox", schema=None) as batch_op:
        # Every event already queued is a live one.
        batch_op.add_column(
            sa.Column("priority", sa.SmallInteger(), nullable=False, server_default="0")
        )


def _create_reconcile_runs():
    op.create_table(
        "loyaltylion_reconcile_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("checked", sa.Integer(), nullable=False),
        sa.Column("drifted", sa.Integer(), nullable=False),
        sa.Column("in_flight", sa.Integer(), nullable=False),
        sa.Column("fixes_queued", sa.Integer(), nullable=False),
        sa.Column("fixed", sa.Boolean(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade():
    op.drop_table("loyaltylion_reconcile_runs")
    with op.batch_alter_table("loyaltylion_outbox", schema=None) as batch_op:
        batch_op.drop_column("priority")
