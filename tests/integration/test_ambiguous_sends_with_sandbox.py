"""An activity whose send got no clear answer is looked up before it is sent again.

Nothing in LoyaltyLion's docs de-duplicates activities on merchant_id, and the sandbox
credits a re-sent one again. So when an attempt went out and no clear answer came back
(a read timeout, a dropped connection, a 5xx), the outbox asks List Activities
(https://developers.loyaltylion.com/api-reference/v2/resources/activities/list-activities)
whether LoyaltyLion recorded it, and sends it again only if it did not.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from storefront.extensions import db
from storefront.loyaltylion.models import OutboxEvent
from storefront.models import User
from tests.delivery import PAST_BACKOFF, drain
from tests.integration.conftest import sandbox_get


@pytest.fixture
def app_config(app_config):
    # A short read timeout, so that a "slow" fault outlasts it.
    return {**app_config, "LOYALTYLION_TIMEOUT_READ": 0.5}


def _fault(app, **fault) -> None:
    url = f"{app.config['LOYALTYLION_API_URL']}/_sandbox/faults"
    requests.post(url, json=fault, timeout=5).raise_for_status()


def _review_posts(app, verdict: str = "valid") -> list[dict]:
    """The review's POST /v2/activities the sandbox accepted (or answered with `verdict`)."""
    log = sandbox_get(app, "/_sandbox/requests?path=/v2/activities&method=POST")["requests"]
    return [e for e in log if "product_review" in e["request_body"] and e["verdict"] == verdict]


def _retry(app) -> None:
    """The next attempt: a day later, past any backoff."""
    drain(app, ahead=timedelta(days=1))


def _reviewer(app, client, auth) -> int:
    auth.signup(email="reviewer@example.com")
    drain(app, ahead=PAST_BACKOFF)  # the $signup, before any fault
    client.post(
        "/products/house-blend/reviews",
        data={"rating": "5", "body": "Sweet, round and never bitter."},
    )
    with app.app_context():
        return db.session.execute(
            select(User.id).where(User.email == "reviewer@example.com")
        ).scalar_one()


def _review_event(app) -> OutboxEvent:
    with app.app_context():
        event = db.session.execute(
            select(OutboxEvent).where(OutboxEvent.stream.like("activity:product_review/%"))
        ).scalar_one()
        db.session.expunge(event)
        return event


def test_a_timed_out_send_that_was_recorded_is_not_sent_again(app, client, auth):
    customer_id = _reviewer(app, client, auth)
    _fault(app, mode="slow", delay=1.5, count=1)  # recorded, but after our timeout
    drain(app, ahead=PAST_BACKOFF)
    event = _review_event(app)
    assert event.unconfirmed_since is not None  # it went out; no clear answer came back

    deadline = time.monotonic() + 10  # the slow request finishes on the sandbox's side
    while not _review_posts(app) and time.monotonic() < deadline:
        time.sleep(0.05)
    _retry(app)

    assert len(_review_posts(app)) == 1  # looked up, found, not sent again
    assert _review_event(app).status == "delivered"
    lookups = sandbox_get(app, "/_sandbox/requests?path=/v2/activities&method=GET")
    assert lookups["requests"], "List Activities was asked"
    balances = sandbox_get(app, f"/_sandbox/customers/{customer_id}")["balances"]
    assert balances["pending"] == 25  # credited once


@pytest.mark.parametrize("fault", [{"mode": "drop"}, {"mode": "5xx", "status": 502}])
def test_a_send_that_was_not_recorded_is_looked_up_then_sent(app, client, auth, fault):
    customer_id = _reviewer(app, client, auth)
    _fault(app, count=1, **fault)  # the request never reaches the program
    drain(app, ahead=PAST_BACKOFF)
    assert _review_event(app).unconfirmed_since is not None
    assert len(_review_posts(app, verdict="fault")) == 1
    _retry(app)

    assert len(_review_posts(app)) == 1  # looked up, not found, sent once more
    assert _review_event(app).status == "delivered"
    balances = sandbox_get(app, f"/_sandbox/customers/{customer_id}")["balances"]
    assert balances["pending"] == 25


def test_a_refused_connection_needs_no_look_up(app, client, auth):
    _reviewer(app, client, auth)
    sandbox_url = app.config["LOYALTYLION_API_URL"]
    app.config["LOYALTYLION_API_URL"] = "http://127.0.0.1:9"  # nothing listens: refused
    drain(app, ahead=PAST_BACKOFF)
    assert _review_event(app).unconfirmed_since is None  # nothing went out
    app.config["LOYALTYLION_API_URL"] = sandbox_url
    _retry(app)
    assert _review_event(app).status == "delivered"
    lookups = sandbox_get(app, "/_sandbox/requests?path=/v2/activities&method=GET")
    assert lookups["requests"] == []
