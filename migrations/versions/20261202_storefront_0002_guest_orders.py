"""Guest checkout: an order may have no customer (yet), and says whether it was placed
as a guest.

Revision ID: storefront_0002
Revises: storefront_0001
Create Date: 2026-12-02

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "storefront_0002"
down_revision = "storefront_0001"
branch_labels = None
depends_on = None


def _has_column(table: str, column: str) -> bool:
    """A database made by `create_all` from today's models has the column already."""
    return column in {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def upgrade():
    if _has_column("orders", "guest"):
        return
    # On SQLite the table is copied: keep AUTOINCREMENT (ids never reused), which
    # reflection does not carry over. Its CHECK constraints are reflected and kept.
    with op.batch_alter_table(
        "orders", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.alter_column("customer_id", existing_type=sa.Integer(), nullable=True)
        # Every order placed so far had an account.
        batch_op.add_column(
            sa.Column("guest", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table(
        "orders", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_column("guest")
        batch_op.alter_column("customer_id", existing_type=sa.Integer(), nullable=False)
