"""Admin: voucher batches: generate, download as CSV, used/unused counts."""

from __future__ import annotations

from storefront.admin import bp


@bp.route("/vouchers")
def vouchers():
    return "vouchers"
