"""The shop's tables. Import models from here: `from storefront.models import Order`."""

from storefront.models.cart import Cart, CartItem
from storefront.models.catalog import Category, Product
from storefront.models.gift import Gift
from storefront.models.loyalty_status import LoyaltySnapshot
from storefront.models.order import (
    CancellationStatus,
    Order,
    OrderDiscount,
    OrderLine,
    PaymentStatus,
    RefundStatus,
)
from storefront.models.review import Review, ReviewStatus
from storefront.models.reward_claim import RewardClaim
from storefront.models.user import User
from storefront.models.voucher import Voucher, VoucherBatch

__all__ = [
    "CancellationStatus",
    "Cart",
    "CartItem",
    "Category",
    "Gift",
    "LoyaltySnapshot",
    "Order",
    "OrderDiscount",
    "OrderLine",
    "PaymentStatus",
    "Product",
    "RefundStatus",
    "Review",
    "ReviewStatus",
    "RewardClaim",
    "User",
    "Voucher",
    "VoucherBatch",
]
