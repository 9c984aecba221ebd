"""SDK customer authentication, checked by the sandbox server (POST /sdk/session)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import requests

from loyaltylion_sandbox.customer_auth import auth_token as sandbox_auth_token

from .support import SandboxClient, auth_token, now_iso

SITE_TOKEN = "sandbox_site_token"


def _session(client: SandboxClient, body: dict[str, Any]) -> requests.Response:
    return client.http.post(client.url + "/sdk/session", json=body, timeout=10)


def _login_body(customer_id: str, email: str, date: str, token: str) -> dict[str, Any]:
    return {
        "token": SITE_TOKEN,
        "customer": {"id": customer_id, "email": email},
        "auth": {"date": date, "token": token},
    }


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def test_the_sandbox_computes_the_documented_token() -> None:
    date = "2026-11-25T18:30:00Z"
    assert sandbox_auth_token("1001", date, "ada@example.com", "s3cret") == auth_token(
        "1001", date, "ada@example.com", "s3cret"
    )


def test_the_documented_token_authenticates(sandbox: SandboxClient) -> None:
    sandbox.signup("42", email="ada@example.com")
    date = now_iso()
    response = _session(
        sandbox,
        _login_body("42", "ada@example.com", date, auth_token("42", date, "ada@example.com")),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["authenticated"] is True
    assert body["auth_error"] is None
    assert body["session_token"]
    customer = body["state"]["customer"]
    assert customer["merchant_id"] == "42"
    assert customer["points"] == {"approved": 200, "pending": 0, "spent": 0, "lifetime": 200}
    assert customer["referral_url"].startswith("http://shop.test/?ll_ref_id=")


def test_a_numeric_customer_id_and_an_offset_date_work(sandbox: SandboxClient) -> None:
    date = datetime.now(UTC).astimezone(timezone(timedelta(hours=2)))
    date_text = date.replace(microsecond=0).isoformat()
    body = _login_body(
        "7", "bo@example.com", date_text, auth_token("7", date_text, "bo@example.com")
    )
    body["customer"]["id"] = 7
    assert _session(sandbox, body).json()["authenticated"] is True


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("without-email", "auth token does not match (it was made without the email"),
        ("other-secret", "auth token does not match"),
        ("other-customer", "auth token does not match"),
        ("stale-date", "auth date outside the allowed window"),
        ("future-date", "auth date outside the allowed window"),
        ("date-mismatch", "auth token does not match"),
        ("naive-date", "auth date has no time zone"),
    ],
)
def test_a_bad_token_leaves_the_shopper_a_guest(
    sandbox: SandboxClient, case: str, expected: str
) -> None:
    email = "ada@example.com"
    date = now_iso()
    token = auth_token("42", date, email)
    if case == "without-email":
        token = auth_token("42", date, "")
    elif case == "other-secret":
        token = auth_token("42", date, email, secret="another_secret")
    elif case == "other-customer":
        token = auth_token("43", date, email)
    elif case in ("stale-date", "future-date"):
        delta = timedelta(minutes=16) * (-1 if case == "stale-date" else 1)
        date = _iso(datetime.now(UTC) + delta)
        token = auth_token("42", date, email)
    elif case == "date-mismatch":
        token = auth_token("42", _iso(datetime.now(UTC) - timedelta(seconds=5)), email)
    elif case == "naive-date":
        date = date.rstrip("Z")
        token = auth_token("42", date, email)

    response = _session(sandbox, _login_body("42", email, date, token))
    assert response.status_code == 200
    body = response.json()
    assert body["authenticated"] is False
    assert body["session_token"] is None
    assert body["state"]["customer"] is None
    assert body["auth_error"].startswith("customer authentication failed: " + expected)
    entry = sandbox.log("/sdk/session")[0]
    assert entry["verdict"] == "rejected"
    assert sandbox.control("GET", "/customers/42").status_code == 404  # nobody was created


def test_dates_inside_the_window_are_accepted(sandbox: SandboxClient) -> None:
    date = _iso(datetime.now(UTC) - timedelta(minutes=14))
    body = _login_body("42", "a@example.com", date, auth_token("42", date, "a@example.com"))
    assert _session(sandbox, body).json()["authenticated"] is True


def test_a_guest_session_gets_the_program_only(sandbox: SandboxClient) -> None:
    body = _session(sandbox, {"token": SITE_TOKEN}).json()
    assert (body["authenticated"], body["auth_error"], body["state"]["customer"]) == (
        False,
        None,
        None,
    )
    names = [rule["name"] for rule in body["state"]["rules"]]
    assert names[:2] == ["$signup", "purchase"] and "newsletter_signup" in names
    assert body["state"]["rewards"][0]["reason"] == "Log in to claim"


def test_a_wrong_site_token_is_401(sandbox: SandboxClient) -> None:
    response = _session(sandbox, {"token": "someone_elses_site"})
    assert response.status_code == 401
    assert response.json()["error"]["details"] == {"token": ["not this sandbox's site token"]}


def test_the_session_token_drives_later_calls(sandbox: SandboxClient) -> None:
    sandbox.signup("42", email="ada@example.com")
    sandbox.api("POST", "/v2/customers/42/points", {"points": 300})
    date = now_iso()
    session = _session(
        sandbox,
        _login_body("42", "ada@example.com", date, auth_token("42", date, "ada@example.com")),
    ).json()["session_token"]
    headers = {"Authorization": f"Bearer {session}"}

    state = sandbox.http.get(sandbox.url + "/sdk/state", headers=headers, timeout=10)
    assert state.json()["state"]["customer"]["points"]["approved"] == 500

    claim = sandbox.http.post(
        sandbox.url + "/sdk/claim", json={"reward_id": 1}, headers=headers, timeout=10
    )
    assert claim.status_code == 201
    assert claim.json()["claimed_reward"]["redeemable"]["code"] == "LLSBX-5OFF-0001"
    assert claim.json()["state"]["customer"]["points"]["approved"] == 0
    # The session token is never written to the log.
    assert session not in str(sandbox.log("/sdk"))

    again = sandbox.http.post(
        sandbox.url + "/sdk/claim", json={"reward_id": 1}, headers=headers, timeout=10
    )
    assert again.status_code == 422


@pytest.mark.parametrize("header", ["", "Bearer nonsense", "Bearer sandbox_api_key"])
def test_sdk_calls_without_a_valid_session_are_401(sandbox: SandboxClient, header: str) -> None:
    headers = {"Authorization": header} if header else {}
    response = sandbox.http.get(sandbox.url + "/sdk/state", headers=headers, timeout=10)
    assert response.status_code == 401
    assert "error" in response.json()
