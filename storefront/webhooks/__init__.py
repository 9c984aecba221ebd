"""LoyaltyLion webhooks: received, verified, de-duplicated, fulfilled. (Being built.)"""

from flask import Blueprint

bp = Blueprint("webhooks", __name__)


@bp.route("/admin/webhooks")
def received():
    return "Webhooks"
