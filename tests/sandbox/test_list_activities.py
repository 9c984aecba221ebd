"""GET /v2/activities: newest first, the documented filters, the documented shape.

https://developers.loyaltylion.com/api-reference/v2/resources/activities/list-activities
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from .support import SandboxClient


def _activity(client: SandboxClient, name: str, merchant_id: str) -> None:
    body = {
        "name": name,
        "customer_id": "42",
        "customer_email": "42@example.com",
        "merchant_id": merchant_id,
        "guest": False,
    }
    assert client.api("POST", "/v2/activities", body).status_code == 201


def test_activities_are_listed_newest_first_in_the_documented_shape(sandbox: SandboxClient):
    sandbox.signup("42", merchant_id="signup-42")
    _activity(sandbox, "product_review", "review-1")
    _activity(sandbox, "not_a_rule", "x-1")
    listing = sandbox.api("GET", "/v2/activities").json()
    assert [a["merchant_id"] for a in listing["activities"]] == ["x-1", "review-1", "signup-42"]
    assert listing["cursor"] == {"prev": None, "next": None}
    unknown, review, signup = listing["activities"]
    assert set(review) == {"id", "merchant_id", "value", "state", "customer", "created_at", "rule"}
    assert (review["state"], review["value"]) == ("pending", 25)
    assert review["rule"]["name"] == "product_review"
    assert unknown["rule"] == {"id": None, "name": None, "title": None}  # no rule matched
    assert signup["customer"]["merchant_id"] == "42"
    assert set(signup["customer"]) == {
        "id",
        "merchant_id",
        "email",
        "points_pending",
        "points_approved",
        "points_spent",
    }


def test_created_at_and_cursor_filters(sandbox: SandboxClient):
    for n in range(3):
        _activity(sandbox, "product_review", f"review-{n}")
    later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    assert (
        sandbox.api("GET", "/v2/activities", params={"created_at_min": later}).json()["activities"]
        == []
    )
    first = sandbox.api("GET", "/v2/activities", params={"limit": 2}).json()
    assert [a["merchant_id"] for a in first["activities"]] == ["review-2", "review-1"]
    rest = sandbox.api("GET", "/v2/activities", params={"cursor": first["cursor"]["next"]}).json()
    assert [a["merchant_id"] for a in rest["activities"]] == ["review-0"]
    bad = sandbox.api("GET", "/v2/activities", params={"created_at_min": "yesterday"})
    assert bad.status_code == 400
