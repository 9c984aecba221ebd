"""Claiming a reward on the headless Rewards page (LOYALTYLION_UI=headless): once per
press of the button, and the voucher code straight into the customer's cart.

Each press carries the form's `attempt` token. Its row in `reward_claims` is written
(and committed) before LoyaltyLion is asked, under a unique constraint, so a double
click or a resent form finds the first claim and shows its code instead of spending
the points again. The row is removed when LoyaltyLion refuses (nothing happened, the
shopper may try again) and kept as "unconfirmed" when no answer came back (it may have
happened; the code then arrives with the claimed-reward webhook, as on the SDK path).
"""

from __future__ import annotations

import logging
import time

from flask_login import current_user
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from storefront.extensions import db
from storefront.loyalty import customer_of, loyaltylion
from storefront.loyaltylion.headless_view import (
    UNAVAILABLE_MESSAGE,
    UNCONFIRMED_MESSAGE,
    ClaimRefused,
)
from storefront.models import RewardClaim
from storefront.models._time import utcnow
from storefront.models.reward_claim import CLAIM_DONE, CLAIM_PENDING, CLAIM_UNCONFIRMED
from storefront.vouchers.service import VoucherError, record_claim

log = logging.getLogger(__name__)

# How long a twin press waits for the first one's answer before it says "on its way".
TWIN_WAIT_SECONDS = 5.0


class ClaimPending(Exception):
    """The same press is still being answered (by another request)."""


def claim(reward_id: int, attempt: str) -> RewardClaim:
    """Claim `reward_id` for the logged-in customer; the claim with its code, or
    ClaimRefused (with a message for the shopper) / ClaimPending."""
    existing = _claim_for(attempt)
    if existing is None:
        row = RewardClaim(attempt=attempt, customer_id=current_user.id, reward_id=reward_id)
        db.session.add(row)
        try:
            db.session.commit()
        except IntegrityError:  # the twin press got there first
            db.session.rollback()
            existing = _claim_for(attempt)
        else:
            return _ask_loyaltylion(row)
    if existing is None or existing.customer_id != current_user.id:
        raise ClaimRefused("Please reload the page and try again.")
    return _outcome_of(_wait_for(existing))


def _claim_for(attempt: str) -> RewardClaim | None:
    return db.session.execute(
        select(RewardClaim).where(RewardClaim.attempt == attempt)
    ).scalar_one_or_none()


def _wait_for(row: RewardClaim) -> RewardClaim:
    deadline = time.monotonic() + TWIN_WAIT_SECONDS
    while row.state == CLAIM_PENDING and time.monotonic() < deadline:
        time.sleep(0.1)
        db.session.commit()  # end the reading transaction: see the other request's write
        refreshed = db.session.get(RewardClaim, row.id)
        if refreshed is None:  # the first press was refused and its row removed
            raise ClaimRefused("That claim didn't go through. Please try again.")
        row = refreshed
    return row


def _outcome_of(row: RewardClaim) -> RewardClaim:
    if row.state == CLAIM_PENDING:
        raise ClaimPending()
    if row.state == CLAIM_UNCONFIRMED:
        raise ClaimRefused(UNCONFIRMED_MESSAGE, maybe_done=True)
    return row


def _ask_loyaltylion(row: RewardClaim) -> RewardClaim:
    customer = customer_of(current_user)
    panel = loyaltylion.headless_panel()
    offer = panel.reward(row.reward_id)
    try:
        if panel.unavailable:
            raise ClaimRefused(UNAVAILABLE_MESSAGE, unavailable=True)
        if offer is None:
            raise ClaimRefused("That reward is no longer available.")
        if offer.blocked_by:
            raise ClaimRefused(f"You can't claim {offer.title} right now: {offer.blocked_by}.")
        redemption = loyaltylion.headless().redeem(customer, offer)
    except ClaimRefused as refused:
        if refused.maybe_done:
            row.state = CLAIM_UNCONFIRMED
        else:
            db.session.execute(delete(RewardClaim).where(RewardClaim.id == row.id))
        db.session.commit()
        raise
    loyaltylion.forget_headless_panel()  # the rest of this request sees the new balance
    row.state, row.code, row.title = CLAIM_DONE, redemption.code, redemption.title
    try:
        # So checkout offers it and knows whose it is, as the claimed-reward webhook
        # would tell us a moment later (it is idempotent for the same customer).
        record_claim(redemption.code, current_user.id, utcnow())
    except VoucherError as error:
        log.warning("claimed code %s is not one of the shop's: %s", redemption.code, error)
    db.session.commit()
    return row
