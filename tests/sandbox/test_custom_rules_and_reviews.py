"""`newsletter_signup` (a custom rule, 50 points once) and `$review` (25 points,
pending until moderated), as docs/sandbox.md describes them.

https://developers.loyaltylion.com/api-reference/v2/resources/activities/create-activity
https://developers.loyaltylion.com/api-reference/v2/resources/activities/update-activity
"""

from __future__ import annotations

from typing import Any

import pytest

from .support import SandboxClient


def _activity(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "customer_id": "42",
        "customer_email": "42@example.com",
        "guest": False,
        **extra,
    }


def _post(client: SandboxClient, body: dict[str, Any]) -> None:
    response = client.api("POST", "/v2/activities", body)
    assert response.status_code == 201, response.text


def _put(client: SandboxClient, name: str, merchant_id: str, state: str) -> int:
    return client.api("PUT", f"/v2/activities/{name}/{merchant_id}", {"state": state}).status_code


def _entries(client: SandboxClient, kind: str) -> list[tuple[int, str]]:
    ledger = client.customer("42")["ledger"]
    return [(e["points"], e["state"]) for e in reversed(ledger) if e["kind"] == kind]


# ------------------------------------------------------------- newsletter_signup


def test_newsletter_signup_is_50_approved_points(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    _post(sandbox, _activity("newsletter_signup"))
    assert sandbox.balances("42") == {"approved": 250, "pending": 0, "spent": 0, "lifetime": 250}
    assert _entries(sandbox, "custom_rule") == [(50, "approved")]


def test_newsletter_signup_pays_once_even_with_new_merchant_ids(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    _post(sandbox, _activity("newsletter_signup", merchant_id="nl-1"))
    _post(sandbox, _activity("newsletter_signup", merchant_id="nl-2"))
    assert sandbox.balances("42")["approved"] == 250
    assert _entries(sandbox, "custom_rule") == [(50, "approved")]


def test_newsletter_signup_from_a_guest_earns_nothing(sandbox: SandboxClient) -> None:
    # `guest` defaults to true; a shopper without an account earns no points.
    body = _activity("newsletter_signup")
    del body["guest"]
    _post(sandbox, body)
    assert sandbox.balances("42")["lifetime"] == 0
    assert any("guest" in w for w in sandbox.log("/v2/activities")[0]["warnings"])


def test_a_pending_newsletter_signup_counts_once_approved(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    _post(sandbox, _activity("newsletter_signup", merchant_id="nl-1", state="pending"))
    assert sandbox.balances("42")["pending"] == 50
    assert _put(sandbox, "newsletter_signup", "nl-1", "approved") == 204
    assert sandbox.balances("42") == {"approved": 250, "pending": 0, "spent": 0, "lifetime": 250}


# ------------------------------------------------------------------------ $review


@pytest.mark.parametrize("verdict", ["declined", "void"])
def test_a_pending_review_that_is_turned_down_removes_its_points(
    sandbox: SandboxClient, verdict: str
) -> None:
    sandbox.signup("42")
    _post(sandbox, _activity("$review", merchant_id="review-1"))
    assert sandbox.balances("42")["pending"] == 25

    assert _put(sandbox, "$review", "review-1", verdict) == 204
    assert sandbox.balances("42") == {"approved": 200, "pending": 0, "spent": 0, "lifetime": 200}
    # Nothing is edited: the pending points are moved to the void bucket.
    assert _entries(sandbox, "review") == [(25, "pending"), (-25, "pending"), (25, "void")]


@pytest.mark.parametrize("verdict", ["declined", "void"])
def test_an_approved_review_can_still_be_taken_back(sandbox: SandboxClient, verdict: str) -> None:
    sandbox.signup("42")
    _post(sandbox, _activity("$review", merchant_id="review-1"))
    _put(sandbox, "$review", "review-1", "approved")
    assert sandbox.balances("42")["approved"] == 225

    _put(sandbox, "$review", "review-1", verdict)
    assert sandbox.balances("42") == {"approved": 200, "pending": 0, "spent": 0, "lifetime": 200}


def test_approving_twice_awards_once(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    _post(sandbox, _activity("$review", merchant_id="review-1"))
    _put(sandbox, "$review", "review-1", "approved")
    _put(sandbox, "$review", "review-1", "approved")
    assert sandbox.balances("42")["approved"] == 225


def test_each_review_earns_but_a_resent_one_does_not(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    _post(sandbox, _activity("$review", merchant_id="review-1"))
    _post(sandbox, _activity("$review", merchant_id="review-2"))
    _post(sandbox, _activity("$review", merchant_id="review-1"))  # the same review again
    assert sandbox.balances("42")["pending"] == 50


def test_moderating_an_unknown_review_is_404(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    assert _put(sandbox, "$review", "never-sent", "approved") == 404


def test_review_state_must_be_a_documented_verdict(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    _post(sandbox, _activity("$review", merchant_id="review-1"))
    response = sandbox.api("PUT", "/v2/activities/$review/review-1", {"state": "rejected"})
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["state"]
    assert sandbox.balances("42")["pending"] == 25


def test_both_rules_are_listed_for_shoppers(sandbox: SandboxClient) -> None:
    body = sandbox.http.post(
        sandbox.url + "/sdk/session", json={"token": "sandbox_site_token"}, timeout=10
    ).json()
    rules = {rule["name"]: rule for rule in body["state"]["rules"]}
    assert (rules["$review"]["title"], rules["$review"]["points"]) == ("Write a review", 25)
    assert (rules["newsletter_signup"]["title"], rules["newsletter_signup"]["points"]) == (
        "Newsletter signup",
        50,
    )
