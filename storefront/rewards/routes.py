"""The Rewards page: LoyaltyLion's loyalty page, embedded by the SDK.

Docs: https://developers.loyaltylion.com/sdk/components/loyalty-page
"""

from flask import Blueprint, render_template

bp = Blueprint("rewards", __name__)


@bp.route("/rewards")
def loyalty_page():
    # Guests see the program and a join/log-in prompt; customers their points and rewards.
    return render_template("rewards/loyalty_page.html")
