"""The Rewards page, in one of two ways (LOYALTYLION_UI):

* sdk: LoyaltyLion's loyalty page, drawn in the browser by the SDK.
  Docs: https://developers.loyaltylion.com/sdk/components/loyalty-page
* headless: the shop renders the program itself from the Headless API, and claiming a
  reward is a plain form POST that puts the code in the cart. Works without JavaScript.
  Docs: https://developers.loyaltylion.com/headless-api/introduction
"""

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import login_required

from storefront.cart.service import hold_code
from storefront.loyalty import loyaltylion
from storefront.loyaltylion.headless_view import ClaimRefused
from storefront.rewards import claims
from storefront.rewards.forms import ClaimRewardForm

bp = Blueprint("rewards", __name__)


def _headless_page(form: ClaimRewardForm | None = None, status: int = 200):
    form = form or ClaimRewardForm(formdata=None)
    # Every render gets a fresh attempt: the next press is a new claim.
    form.attempt.data = secrets.token_urlsafe(24)
    return render_template(
        "rewards/headless.html", panel=loyaltylion.headless_panel(), claim_form=form
    ), status


@bp.route("/rewards")
def loyalty_page():
    if loyaltylion.ui() == "headless":
        return _headless_page()
    # Guests see the program and a join/log-in prompt; customers their points and rewards.
    return render_template("rewards/loyalty_page.html")


@bp.route("/rewards/claim", methods=["POST"])
@login_required
def claim():
    if loyaltylion.ui() != "headless":
        abort(404)  # the SDK claims in the browser
    form = ClaimRewardForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(str(errors[0]), "error")
            break
        return _headless_page(status=400)
    try:
        claimed = claims.claim(form.reward_id.data, form.attempt.data)
    except claims.ClaimPending:
        flash("Your claim is on its way: its code appears here in a moment.", "info")
        return redirect(url_for("rewards.loyalty_page"), 303)
    except ClaimRefused as refused:
        flash(refused.message, "error")
        return _headless_page(status=503 if refused.unavailable else 409)
    hold_code(claimed.code)
    flash(
        f"You claimed {claimed.title}. Your code {claimed.code} is in your cart: it comes "
        "off at checkout.",
        "success",
    )
    return redirect(url_for("cart.view"), 303)
