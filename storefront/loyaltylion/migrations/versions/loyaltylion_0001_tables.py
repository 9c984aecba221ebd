"""LoyaltyLion: the outbox, the webhook log and the shared rate budget.

Branch `loyaltylion`; storefront/loyaltylion/migrations/__init__.py says how a store
includes it in its own Alembic setup.

Revision ID: loyaltylion_0001
Revises:
Create Date: 2026-12-02

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "loyaltylion_0001"
down_revision = None
branch_labels = ("loyaltylion",)
depends_on = None


def _missing(table: str) -> bool:
    """A database made by `create_all` before there were migrations already has its
    tables: this revision then only records that the database is at it (data kept)."""
    return not sa.inspect(op.get_bind()).has_table(table)


def upgrade():
    if _missing("loyaltylion_outbox"):
        op.create_table(
            "loyaltylion_outbox",
            sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
            sa.Column("kind", sa.String(length=20), nullable=False),
            sa.Column("stream", sa.String(length=100), nullable=False),
            sa.Column("target", sa.String(length=300), nullable=True),
            sa.Column("payload", sa.Text(), nullable=False),
            sa.Column("customer_id", sa.String(length=64), nullable=True),
            sa.Column("status", sa.String(length=12), nullable=False),
            sa.Column("attempts", sa.Integer(), nullable=False),
            sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
            sa.Column("locked_until", sa.DateTime(), nullable=True),
            sa.Column("locked_by", sa.String(length=64), nullable=True),
            sa.Column("last_error", sa.Text(), nullable=True),
            sa.Column("last_status", sa.Integer(), nullable=True),
            sa.Column("unconfirmed_since", sa.DateTime(), nullable=True),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("delivered_at", sa.DateTime(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
            sqlite_autoincrement=True,
        )
        with op.batch_alter_table("loyaltylion_outbox", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_loyaltylion_outbox_customer_id"), ["customer_id"], unique=False
            )
            batch_op.create_index(
                "ix_loyaltylion_outbox_due", ["status", "next_attempt_at"], unique=False
            )
            batch_op.create_index("ix_loyaltylion_outbox_stream", ["stream", "id"], unique=False)

    if _missing("loyaltylion_rate_budget"):
        op.create_table(
            "loyaltylion_rate_budget",
            sa.Column("name", sa.String(length=40), nullable=False),
            sa.Column("next_slot", sa.Double(), nullable=False),
            sa.PrimaryKeyConstraint("name"),
        )

    if _missing("loyaltylion_webhook_events"):
        op.create_table(
            "loyaltylion_webhook_events",
            sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
            sa.Column("envelope_id", sa.String(length=255), nullable=False),
            sa.Column("topic", sa.String(length=100), nullable=False),
            sa.Column("sent_at", sa.DateTime(), nullable=True),
            sa.Column("received_at", sa.DateTime(), nullable=False),
            sa.Column("body", sa.Text(), nullable=False),
            sa.Column("status", sa.String(length=10), nullable=False),
            sa.Column("attempts", sa.Integer(), nullable=False),
            sa.Column("processed_at", sa.DateTime(), nullable=True),
            sa.Column("note", sa.Text(), nullable=True),
            sa.Column("error", sa.Text(), nullable=True),
            sa.Column("customer_id", sa.String(length=64), nullable=True),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("envelope_id"),
            sqlite_autoincrement=True,
        )
        with op.batch_alter_table("loyaltylion_webhook_events", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_loyaltylion_webhook_events_customer_id"),
                ["customer_id"],
                unique=False,
            )
            batch_op.create_index(
                batch_op.f("ix_loyaltylion_webhook_events_received_at"),
                ["received_at"],
                unique=False,
            )
            batch_op.create_index(
                batch_op.f("ix_loyaltylion_webhook_events_status"), ["status"], unique=False
            )


def downgrade():
    with op.batch_alter_table("loyaltylion_webhook_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loyaltylion_webhook_events_status"))
        batch_op.drop_index(batch_op.f("ix_loyaltylion_webhook_events_received_at"))
        batch_op.drop_index(batch_op.f("ix_loyaltylion_webhook_events_customer_id"))
    op.drop_table("loyaltylion_webhook_events")
    op.drop_table("loyaltylion_rate_budget")
    with op.batch_alter_table("loyaltylion_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_loyaltylion_outbox_stream")
        batch_op.drop_index("ix_loyaltylion_outbox_due")
        batch_op.drop_index(batch_op.f("ix_loyaltylion_outbox_customer_id"))
    op.drop_table("loyaltylion_outbox")
