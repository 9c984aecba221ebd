"""The store admin at /admin, for users with the admin role: orders, voucher batches and
reviews. Like every package's `routes.bp`, the blueprint create_app registers; the view
modules imported here add their routes to it."""

from __future__ import annotations

from storefront.admin import orders, reviews, vouchers  # noqa: F401  (they register routes)
from storefront.admin.blueprint import bp

__all__ = ["bp"]
