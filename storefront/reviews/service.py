"""Product reviews: written by customers, shown once a store admin approves them.

Each review is an activity of the custom rule LOYALTYLION_REVIEW_RULE (`product_review`),
with the review's id as merchant_id;
its points stay pending until moderation approves or declines it.
Docs: https://developers.loyaltylion.com/api-reference/v2/resources/activities/update-activity
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from storefront import events
from storefront.extensions import db
from storefront.locking import lock_for_update
from storefront.models import Product, Review, ReviewStatus, User
from storefront.models._time import utcnow
from storefront.shopper import RequestContext


class ReviewError(ValueError):
    pass


ALREADY_REVIEWED = "You have already reviewed this product. Thank you!"


def approved_reviews(product: Product) -> list[Review]:
    return list(
        db.session.execute(
            select(Review)
            .where(Review.product_id == product.id, Review.status == ReviewStatus.APPROVED)
            .order_by(Review.id.desc())
        ).scalars()
    )


def has_reviewed(customer: User, product: Product) -> bool:
    return (
        db.session.execute(
            select(Review.id).where(
                Review.product_id == product.id, Review.customer_id == customer.id
            )
        ).first()
        is not None
    )


def submit_review(
    customer: User, product: Product, *, rating: int, body: str, context: RequestContext
) -> Review:
    """Store a pending review and owe LoyaltyLion its `product_review` activity. Commits."""
    if has_reviewed(customer, product):
        raise ReviewError(ALREADY_REVIEWED)
    review = Review(product=product, customer=customer, rating=rating, body=body)
    try:
        with events.commit_announcing() as announce:
            db.session.add(review)
            # The id is the activity's merchant_id; a second submit racing this one
            # fails here, on the unique constraint, before anything is announced.
            db.session.flush()
            announce(events.review_submitted, review=review, context=context)
    except IntegrityError:
        raise ReviewError(ALREADY_REVIEWED) from None
    return review


def moderate(review: Review, *, approve: bool) -> None:
    """Approve or decline a pending review; LoyaltyLion's pending points follow. Commits."""
    with events.commit_announcing() as announce:
        lock_for_update(review)
        if review.status != ReviewStatus.PENDING:
            raise ReviewError(f"This review was already {review.status}.")
        review.status = ReviewStatus.APPROVED if approve else ReviewStatus.DECLINED
        review.moderated_at = utcnow()
        announce(events.review_moderated, review=review)
