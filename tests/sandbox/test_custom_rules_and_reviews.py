"""Custom rules as docs/sandbox.md describes them: `newsletter_signup` (50 points once,
approved at once) and `product_review` (25 points, the "Trigger" approval method:
pending until approved or declined with Update Activity).

https://developers.loyaltylion.com/api-reference/v2/resources/activities/create-activity
https://developers.loyaltylion.com/api-reference/v2/resources/activities/update-activity
https://help.loyaltylion.com/en/articles/1965598-activity-custom
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


def test_state_on_create_is_ignored_the_rule_decides(sandbox: SandboxClient) -> None:
    # "This field is no longer supported and will be ignored."
    sandbox.signup("42")
    _post(sandbox, _activity("newsletter_signup", merchant_id="nl-1", state="pending"))
    assert sandbox.balances("42") == {"approved": 250, "pending": 0, "spent": 0, "lifetime": 250}
    [entry] = sandbox.log("/v2/activities", method="POST", limit=1)
    assert "state is no longer supported and was ignored" in entry["warnings"][0]


# ------------------------------------------------------------------ product_review


@pytest.mark.parametrize("verdict", ["declined", "void"])
def test_a_pending_review_that_is_turned_down_removes_its_points(
    sandbox: SandboxClient, verdict: str
) -> None:
    sandbox.signup("42")
    _post(sandbox, _activity("product_review", merchant_id="review-1"))
    assert sandbox.balances("42")["pending"] == 25

    assert _put(sandbox, "product_review", "review-1", verdict) == 204
    assert sandbox.balances("42") == {"approved": 200, "pending": 0, "spent": 0, "lifetime": 200}
    # Nothing is edited: the pending points are moved to the void bucket.
    assert _entries(sandbox, "custom_rule") == [(25, "pending"), (-25, "pending"), (25, "void")]


@pytest.mark.parametrize("verdict", ["declined", "void"])
def test_an_approved_review_can_still_be_taken_back(sandbox: SandboxClient, verdict: str) -> None:
    sandbox.signup("42")
    _post(sandbox, _activity("product_review", merchant_id="review-1"))
    _put(sandbox, "product_review", "review-1", "approved")
    assert sandbox.balances("42")["approved"] == 225

    _put(sandbox, "product_review", "review-1", verdict)
    assert sandbox.balances("42") == {"approved": 200, "pending": 0, "spent": 0, "lifetime": 200}


def test_approving_twice_awards_once(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    _post(sandbox, _activity("product_review", merchant_id="review-1"))
    _put(sandbox, "product_review", "review-1", "approved")
    _put(sandbox, "product_review", "review-1", "approved")
    assert sandbox.balances("42")["approved"] == 225


def test_a_resent_review_counts_again(sandbox: SandboxClient) -> None:
    # The docs promise no de-duplication on merchant_id, so the sandbox credits a
    # re-sent activity again: a shop must never re-send one it is not sure failed.
    sandbox.signup("42")
    _post(sandbox, _activity("product_review", merchant_id="review-1"))
    _post(sandbox, _activity("product_review", merchant_id="review-2"))
    _post(sandbox, _activity("product_review", merchant_id="review-1"))  # the same review again
    assert sandbox.balances("42")["pending"] == 75
    # Moderation moves every activity with that merchant_id.
    assert _put(sandbox, "product_review", "review-1", "approved") == 204
    assert sandbox.balances("42")["approved"] == 250


def test_review_is_no_built_in_name(sandbox: SandboxClient) -> None:
    # Current docs list no `$review` rule: the sandbox records it and pays nothing.
    sandbox.signup("42")
    _post(sandbox, _activity("$review", merchant_id="review-1"))
    assert sandbox.balances("42")["pending"] == 0
    [activity] = [a for a in sandbox.customer("42")["activities"] if a["name"] == "$review"]
    assert "the sandbox's only built-in activity is $signup" in activity["outcome"]


def test_moderating_an_unknown_review_is_404(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    assert _put(sandbox, "product_review", "never-sent", "approved") == 404


def test_review_state_must_be_a_documented_verdict(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    _post(sandbox, _activity("product_review", merchant_id="review-1"))
    response = sandbox.api("PUT", "/v2/activities/product_review/review-1", {"state": "rejected"})
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["state"]
    assert sandbox.balances("42")["pending"] == 25


@pytest.mark.parametrize("name", ["review2", "product-review", "", "$review"])
def test_a_custom_rule_identifier_is_letters_and_underscores(
    sandbox: SandboxClient, name: str
) -> None:
    response = sandbox.control("POST", "/settings", json={"custom_rules": {name: {"points": 5}}})
    assert response.status_code == 400
    assert "letters and '_'" in response.json()["error"]["details"]["custom_rules"][0]


def test_both_rules_are_listed_for_shoppers(sandbox: SandboxClient) -> None:
    body = sandbox.http.post(
        sandbox.url + "/sdk/session", json={"token": "sandbox_site_token"}, timeout=10
    ).json()
    rules = {rule["name"]: rule for rule in body["state"]["rules"]}
    assert (rules["product_review"]["title"], rules["product_review"]["points"]) == (
        "Write a review",
        25,
    )
    assert (rules["newsletter_signup"]["title"], rules["newsletter_signup"]["points"]) == (
        "Join the newsletter",
        50,
    )
