"""The shop's tables as they were when migrations began.

Branch `storefront`.

Revision ID: storefront_0001
Revises:
Create Date: 2026-12-02

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "storefront_0001"
down_revision = None
branch_labels = ("storefront",)
depends_on = None


def _missing(table: str) -> bool:
    """A database made by `create_all` before there were migrations already has its
    tables: this revision then only records that the database is at it (data kept)."""
    return not sa.inspect(op.get_bind()).has_table(table)


def upgrade():
    if _missing("categories"):
        op.create_table(
            "categories",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("slug", sa.String(length=60), nullable=False),
            sa.Column("name", sa.String(length=60), nullable=False),
            sa.Column("position", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("slug"),
        )

    if _missing("users"):
        op.create_table(
            "users",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("email", sa.String(length=254), nullable=False),
            sa.Column("name", sa.String(length=100), nullable=False),
            sa.Column("password_hash", sa.String(length=255), nullable=False),
            sa.Column("is_admin", sa.Boolean(), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("newsletter_opt_in", sa.Boolean(), nullable=False),
            sa.Column("birthday", sa.Date(), nullable=True),
            sa.Column("closed_at", sa.DateTime(), nullable=True),
            sa.Column("login_generation", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("email"),
            sqlite_autoincrement=True,
        )

    if _missing("voucher_batches"):
        op.create_table(
            "voucher_batches",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("name", sa.String(length=100), nullable=False),
            sa.Column("prefix", sa.String(length=12), nullable=False),
            sa.Column("amount_cents", sa.Integer(), nullable=False),
            sa.Column("min_subtotal_cents", sa.Integer(), nullable=False),
            sa.Column("expires_at", sa.DateTime(), nullable=True),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.CheckConstraint("amount_cents > 0", name="voucher_batch_amount_positive"),
            sa.CheckConstraint("min_subtotal_cents >= 0", name="voucher_batch_min_subtotal"),
            sa.PrimaryKeyConstraint("id"),
        )

    if _missing("carts"):
        op.create_table(
            "carts",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=True),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("updated_at", sa.DateTime(), nullable=False),
            sa.ForeignKeyConstraint(
                ["user_id"],
                ["users.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("user_id"),
        )

    if _missing("loyalty_snapshots"):
        op.create_table(
            "loyalty_snapshots",
            sa.Column("customer_id", sa.Integer(), nullable=False),
            sa.Column("points_approved", sa.Integer(), nullable=False),
            sa.Column("points_pending", sa.Integer(), nullable=False),
            sa.Column("tier_name", sa.String(length=100), nullable=True),
            sa.Column("updated_at", sa.DateTime(), nullable=False),
            sa.Column("received_at", sa.DateTime(), nullable=False),
            sa.ForeignKeyConstraint(
                ["customer_id"],
                ["users.id"],
            ),
            sa.PrimaryKeyConstraint("customer_id"),
        )

    if _missing("orders"):
        op.create_table(
            "orders",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("customer_id", sa.Integer(), nullable=False),
            sa.Column("customer_email", sa.String(length=254), nullable=False),
            sa.Column("ship_name", sa.String(length=100), nullable=False),
            sa.Column("ship_address", sa.String(length=200), nullable=False),
            sa.Column("ship_city", sa.String(length=100), nullable=False),
            sa.Column("ship_postcode", sa.String(length=20), nullable=False),
            sa.Column("ship_country", sa.String(length=2), nullable=False),
            sa.Column("subtotal_cents", sa.Integer(), nullable=False),
            sa.Column("discount_cents", sa.Integer(), nullable=False),
            sa.Column("shipping_cents", sa.Integer(), nullable=False),
            sa.Column("total_cents", sa.Integer(), nullable=False),
            sa.Column("total_paid_cents", sa.Integer(), nullable=False),
            sa.Column("total_refunded_cents", sa.Integer(), nullable=False),
            sa.Column("payment_method", sa.String(length=20), nullable=False),
            sa.Column("payment_status", sa.String(length=20), nullable=False),
            sa.Column("refund_status", sa.String(length=20), nullable=False),
            sa.Column("cancellation_status", sa.String(length=20), nullable=False),
            sa.Column("ip_address", sa.String(length=45), nullable=True),
            sa.Column("user_agent", sa.String(length=400), nullable=True),
            sa.Column("checkout_token", sa.String(length=64), nullable=True),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("updated_at", sa.DateTime(), nullable=False),
            sa.CheckConstraint(
                "discount_cents <= subtotal_cents", name="order_discount_le_subtotal"
            ),
            sa.CheckConstraint("discount_cents >= 0", name="order_discount_nonnegative"),
            sa.CheckConstraint("shipping_cents >= 0", name="order_shipping_nonnegative"),
            sa.CheckConstraint("subtotal_cents >= 0", name="order_subtotal_nonnegative"),
            sa.CheckConstraint("total_paid_cents >= 0", name="order_paid_nonnegative"),
            sa.CheckConstraint(
                "total_refunded_cents <= total_paid_cents", name="order_refund_le_paid"
            ),
            sa.CheckConstraint("total_refunded_cents >= 0", name="order_refunded_nonnegative"),
            sa.ForeignKeyConstraint(
                ["customer_id"],
                ["users.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("checkout_token"),
            sqlite_autoincrement=True,
        )
        with op.batch_alter_table("orders", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_orders_customer_id"), ["customer_id"], unique=False
            )

    if _missing("products"):
        op.create_table(
            "products",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("slug", sa.String(length=80), nullable=False),
            sa.Column("name", sa.String(length=120), nullable=False),
            sa.Column("description", sa.Text(), nullable=False),
            sa.Column("price_cents", sa.Integer(), nullable=False),
            sa.Column("category_id", sa.Integer(), nullable=False),
            sa.Column("image_colors", sa.String(length=20), nullable=False),
            sa.Column("image_motif", sa.String(length=20), nullable=False),
            sa.Column("is_active", sa.Boolean(), nullable=False),
            sa.ForeignKeyConstraint(
                ["category_id"],
                ["categories.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("slug"),
        )

    if _missing("cart_items"):
        op.create_table(
            "cart_items",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("cart_id", sa.Integer(), nullable=False),
            sa.Column("product_id", sa.Integer(), nullable=False),
            sa.Column("quantity", sa.Integer(), nullable=False),
            sa.CheckConstraint("quantity > 0", name="cart_item_quantity_positive"),
            sa.ForeignKeyConstraint(["cart_id"], ["carts.id"], ondelete="CASCADE"),
            sa.ForeignKeyConstraint(
                ["product_id"],
                ["products.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("cart_id", "product_id"),
        )

    if _missing("gifts"):
        op.create_table(
            "gifts",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("customer_id", sa.Integer(), nullable=False),
            sa.Column("product_id", sa.Integer(), nullable=False),
            sa.Column("title", sa.String(length=100), nullable=False),
            sa.Column("grant_key", sa.String(length=120), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("order_id", sa.Integer(), nullable=True),
            sa.Column("fulfilled_at", sa.DateTime(), nullable=True),
            sa.ForeignKeyConstraint(
                ["customer_id"],
                ["users.id"],
            ),
            sa.ForeignKeyConstraint(
                ["order_id"],
                ["orders.id"],
            ),
            sa.ForeignKeyConstraint(
                ["product_id"],
                ["products.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("grant_key"),
        )
        with op.batch_alter_table("gifts", schema=None) as batch_op:
            batch_op.create_index(batch_op.f("ix_gifts_customer_id"), ["customer_id"], unique=False)
            batch_op.create_index(batch_op.f("ix_gifts_order_id"), ["order_id"], unique=False)

    if _missing("order_discounts"):
        op.create_table(
            "order_discounts",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("order_id", sa.Integer(), nullable=False),
            sa.Column("code", sa.String(length=40), nullable=False),
            sa.Column("face_value_cents", sa.Integer(), nullable=False),
            sa.Column("amount_cents", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(["order_id"], ["orders.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
        )
        with op.batch_alter_table("order_discounts", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_order_discounts_order_id"), ["order_id"], unique=False
            )

    if _missing("order_lines"):
        op.create_table(
            "order_lines",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("order_id", sa.Integer(), nullable=False),
            sa.Column("product_id", sa.Integer(), nullable=False),
            sa.Column("product_name", sa.String(length=120), nullable=False),
            sa.Column("unit_price_cents", sa.Integer(), nullable=False),
            sa.Column("quantity", sa.Integer(), nullable=False),
            sa.CheckConstraint("quantity > 0", name="order_line_quantity_positive"),
            sa.ForeignKeyConstraint(["order_id"], ["orders.id"], ondelete="CASCADE"),
            sa.ForeignKeyConstraint(
                ["product_id"],
                ["products.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        with op.batch_alter_table("order_lines", schema=None) as batch_op:
            batch_op.create_index(batch_op.f("ix_order_lines_order_id"), ["order_id"], unique=False)

    if _missing("reviews"):
        op.create_table(
            "reviews",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("product_id", sa.Integer(), nullable=False),
            sa.Column("customer_id", sa.Integer(), nullable=False),
            sa.Column("rating", sa.Integer(), nullable=False),
            sa.Column("body", sa.Text(), nullable=False),
            sa.Column("status", sa.String(length=10), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("moderated_at", sa.DateTime(), nullable=True),
            sa.CheckConstraint("rating BETWEEN 1 AND 5", name="review_rating_range"),
            sa.ForeignKeyConstraint(
                ["customer_id"],
                ["users.id"],
            ),
            sa.ForeignKeyConstraint(
                ["product_id"],
                ["products.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("product_id", "customer_id", name="review_once_per_product"),
        )
        with op.batch_alter_table("reviews", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_reviews_customer_id"), ["customer_id"], unique=False
            )
            batch_op.create_index(batch_op.f("ix_reviews_product_id"), ["product_id"], unique=False)

    if _missing("vouchers"):
        op.create_table(
            "vouchers",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("code", sa.String(length=40), nullable=False),
            sa.Column("batch_id", sa.Integer(), nullable=False),
            sa.Column("used_at", sa.DateTime(), nullable=True),
            sa.Column("order_id", sa.Integer(), nullable=True),
            sa.Column("claimed_by_id", sa.Integer(), nullable=True),
            sa.Column("claimed_at", sa.DateTime(), nullable=True),
            sa.ForeignKeyConstraint(
                ["batch_id"],
                ["voucher_batches.id"],
            ),
            sa.ForeignKeyConstraint(
                ["claimed_by_id"],
                ["users.id"],
            ),
            sa.ForeignKeyConstraint(
                ["order_id"],
                ["orders.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("code"),
        )
        with op.batch_alter_table("vouchers", schema=None) as batch_op:
            batch_op.create_index(batch_op.f("ix_vouchers_batch_id"), ["batch_id"], unique=False)
            batch_op.create_index(
                batch_op.f("ix_vouchers_claimed_by_id"), ["claimed_by_id"], unique=False
            )


def downgrade():
    with op.batch_alter_table("vouchers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vouchers_claimed_by_id"))
        batch_op.drop_index(batch_op.f("ix_vouchers_batch_id"))
    op.drop_table("vouchers")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviews_product_id"))
        batch_op.drop_index(batch_op.f("ix_reviews_customer_id"))
    op.drop_table("reviews")
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_lines_order_id"))
    op.drop_table("order_lines")
    with op.batch_alter_table("order_discounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_discounts_order_id"))
    op.drop_table("order_discounts")
    with op.batch_alter_table("gifts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gifts_order_id"))
        batch_op.drop_index(batch_op.f("ix_gifts_customer_id"))
    op.drop_table("gifts")
    op.drop_table("cart_items")
    op.drop_table("products")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_customer_id"))
    op.drop_table("orders")
    op.drop_table("loyalty_snapshots")
    op.drop_table("carts")
    op.drop_table("voucher_batches")
    op.drop_table("users")
    op.drop_table("categories")
