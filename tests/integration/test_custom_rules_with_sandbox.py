"""Custom rules end to end: the sandbox's ledger follows the newsletter opt-in and the
moderation of reviews, through the outbox and real HTTP."""

from __future__ import annotations

from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Review, User
from tests.delivery import PAST_BACKOFF, drain
from tests.integration.conftest import sandbox_get


def _balances(app, email: str) -> dict:
    with app.app_context():
        customer_id = db.session.execute(select(User.id).where(User.email == email)).scalar_one()
    return sandbox_get(app, f"/_sandbox/customers/{customer_id}")["balances"]


def test_newsletter_opt_in_earns_the_custom_rule_points(app, auth):
    auth.signup(email="plain@example.com")
    auth.logout()
    auth.signup(email="reader@example.com", newsletter="y")
    drain(app, ahead=PAST_BACKOFF)
    difference = (
        _balances(app, "reader@example.com")["approved"]
        - (_balances(app, "plain@example.com")["approved"])
    )
    assert difference == 50  # the sandbox's newsletter_signup rule


def test_review_points_are_pending_until_moderated(app, client, auth):
    auth.signup(email="critic@example.com")
    for slug in ("house-blend", "ethiopia-guji"):
        client.post(
            f"/products/{slug}/reviews",
            data={"rating": "4", "body": "Honest, balanced and good value."},
        )
    drain(app, ahead=PAST_BACKOFF)
    before = _balances(app, "critic@example.com")
    assert before["pending"] == 2 * 25

    auth.logout()
    auth.login_admin()
    with app.app_context():
        first, second = db.session.execute(select(Review.id).order_by(Review.id)).scalars()
    client.post(f"/admin/reviews/{first}/moderate", data={"approve": "Approve"})
    client.post(f"/admin/reviews/{second}/moderate", data={"decline": "Decline"})
    drain(app, ahead=PAST_BACKOFF)

    after = _balances(app, "critic@example.com")
    assert after["pending"] == 0
    assert after["approved"] == before["approved"] + 25  # approved; the declined one is gone
    log = sandbox_get(app, "/_sandbox/requests")["requests"]
    assert {e["verdict"] for e in log} == {"valid"}
