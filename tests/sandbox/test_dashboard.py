"""The HTML dashboard: what it shows, and its CSRF-protected Reset button."""

from __future__ import annotations

import re

from .support import SandboxClient, order_body


def test_the_dashboard_shows_customers_orders_rewards_and_the_log(sandbox: SandboxClient) -> None:
    sandbox.signup("42", email="ada@example.com", referral_id="NOBODY", tracking_id="mail-1")
    sandbox.api(
        "POST",
        "/v2/orders",
        order_body(
            "1001", "42", discount_codes=[{"code": "HELLO5", "amount": "5.00"}], referral_id="REFX"
        ),
    )
    sandbox.api("POST", "/v2/orders", order_body("1002", "42", total=12.5))  # invalid

    page = sandbox.http.get(sandbox.url + "/", timeout=10)
    assert page.status_code == 200
    html = page.text
    assert "Sandbox — not LoyaltyLion, not for production" in html
    assert "ada@example.com" in html
    assert "HELLO5" in html and "REFX" in html and "mail-1" in html
    assert "$5 off" in html
    assert "total_shipping" in html  # payloads are shown
    assert "must be a decimal string" in html  # with their validation errors
    assert html.index("1002") < html.index("/v2/activities")  # newest first in the log
    assert "sandbox_api_key" not in html.split('id="log"')[1]  # never in the log section


def test_reset_needs_the_csrf_token(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    refused = sandbox.http.post(sandbox.url + "/reset", data={"csrf_token": "guess"}, timeout=10)
    assert refused.status_code == 400
    assert sandbox.control("GET", "/customers/42").status_code == 200

    page = sandbox.http.get(sandbox.url + "/", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    done = sandbox.http.post(sandbox.url + "/reset", data={"csrf_token": token}, timeout=10)
    assert done.status_code == 200  # redirected back to the dashboard
    assert sandbox.control("GET", "/customers/42").status_code == 404


def test_the_log_can_be_filtered_by_path(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    sandbox.create_order("1001", "42")
    paths = {e["path"] for e in sandbox.log("/v2/orders")}
    assert paths == {"/v2/orders"}
    assert {e["path"] for e in sandbox.log()} == {"/v2/orders", "/v2/activities"}
    html = sandbox.http.get(sandbox.url + "/", params={"path": "/v2/orders"}, timeout=10).text
    log_section = html.split('id="log"')[1]
    assert "/v2/orders" in log_section and "/v2/activities" not in log_section


def test_the_log_can_be_filtered_by_verdict_and_method(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    sandbox.api("POST", "/v2/orders", order_body("1001", "42", total=1))
    sandbox.api("GET", "/v2/orders")
    invalid = sandbox.control("GET", "/requests", params={"verdict": "invalid"}).json()["requests"]
    assert [(e["method"], e["path"]) for e in invalid] == [("POST", "/v2/orders")]
    gets = sandbox.control("GET", "/requests", params={"method": "get"}).json()["requests"]
    assert [e["path"] for e in gets] == ["/v2/orders"]


def test_the_dashboard_stylesheet_is_served(sandbox: SandboxClient) -> None:
    response = sandbox.http.get(sandbox.url + "/_sandbox/static/dashboard.css", timeout=10)
    assert response.status_code == 200
    assert ".banner" in response.text


def test_the_dashboard_sends_the_security_headers_the_shop_sends(sandbox: SandboxClient) -> None:
    page = sandbox.http.get(sandbox.url + "/", timeout=10)
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    # No inline handler the policy would block: the Reset confirmation is a file's job.
    assert "onsubmit=" not in page.text and 'data-confirm="' in page.text
    assert sandbox.http.get(sandbox.url + "/_sandbox/static/dashboard.js").status_code == 200


def test_a_log_length_that_is_not_a_number_shows_the_default(sandbox: SandboxClient) -> None:
    page = sandbox.http.get(sandbox.url + "/", params={"log": "abc"}, timeout=10)
    assert page.status_code == 200
    assert 'name="log" type="number" min="1" max="500" value="50"' in page.text
