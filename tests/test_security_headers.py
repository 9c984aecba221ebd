"""Security headers (storefront/headers.py): a CSP that admits the LoyaltyLion SDK and API
origins and nothing else third-party, no inline script anywhere, a report-only switch,
and the endpoint that logs violation reports (storefront/csp_reports.py)."""

import json
import logging
import re

import pytest


@pytest.fixture
def app_config(app_config):
    return {
        **app_config,
        "LOYALTYLION_TOKEN": "site-token",
        "LOYALTYLION_SECRET": "site-secret",
        "LOYALTYLION_API_URL": "https://api.loyaltylion.com",
        "LOYALTYLION_SDK_ORIGIN": "https://sdk.loyaltylion.net",
        "LOYALTYLION_SDK_URL": "",
    }


def _csp(response, header: str = "Content-Security-Policy") -> dict[str, set[str]]:
    policy = response.headers[header]
    return {part.split()[0]: set(part.split()[1:]) for part in policy.split(";") if part.strip()}


def test_csp_allows_self_and_the_loyaltylion_origins_only(client):
    csp = _csp(client.get("/"))
    lion = {"https://sdk.loyaltylion.net", "https://api.loyaltylion.com"}
    assert csp["default-src"] == {"'self'"}
    assert csp["script-src"] == {"'self'"} | lion
    assert csp["connect-src"] == {"'self'"} | lion
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert csp["frame-ancestors"] == {"'none'"}
    assert csp["object-src"] == {"'none'"}


def test_sandbox_origin_replaces_loyaltylions_in_sandbox_mode(app, client):
    app.config["LOYALTYLION_SDK_ORIGIN"] = "http://127.0.0.1:5001"
    app.config["LOYALTYLION_API_URL"] = "http://127.0.0.1:5001"
    assert _csp(client.get("/"))["script-src"] == {"'self'", "http://127.0.0.1:5001"}


def test_a_loader_override_adds_its_origin(app, client):
    app.config["LOYALTYLION_SDK_URL"] = "https://cdn.example/lion/loader.js"
    assert "https://cdn.example" in _csp(client.get("/"))["script-src"]


def test_the_policy_names_its_report_endpoint(client):
    response = client.get("/")
    csp = _csp(response)
    assert csp["report-uri"] == {"/csp-report"}
    assert csp["report-to"] == {"csp"}
    assert response.headers["Reporting-Endpoints"] == 'csp="http://localhost/csp-report"'
    assert "Content-Security-Policy-Report-Only" not in response.headers


def test_report_only_mode_sends_the_same_policy_without_enforcing_it(app, client):
    enforced = client.get("/").headers["Content-Security-Policy"]
    app.config["CSP_REPORT_ONLY"] = True
    response = client.get("/")
    assert "Content-Security-Policy" not in response.headers
    assert response.headers["Content-Security-Policy-Report-Only"] == enforced


CSP_REPORT = {
    "csp-report": {
        "document-uri": "https://shop.example/rewards?email=ada@example.com",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "blocked-uri": "https://cdn.lion.example/widget.js?v=3",
        "disposition": "report",
    }
}


def test_a_report_is_logged_without_query_strings(client, caplog):
    with caplog.at_level(logging.WARNING, logger="storefront.csp_reports"):
        response = client.post(
            "/csp-report", data=json.dumps(CSP_REPORT), content_type="application/csp-report"
        )
    assert response.status_code == 204
    assert caplog.messages == [
        "CSP report-only: script-src-elem blocked https://cdn.lion.example/widget.js "
        "on https://shop.example/rewards"
    ]


def test_reporting_api_batches_are_logged_one_line_per_violation(client, caplog):
    batch = [
        {
            "type": "csp-violation",
            "body": {
                "documentURL": "https://shop.example/",
                "blockedURL": "inline",
                "effectiveDirective": "script-src-elem",
                "disposition": "enforce",
            },
        },
        {"type": "deprecation", "body": {"id": "x"}},
        {
            "type": "csp-violation",
            "body": {
                "documentURL": "https://shop.example/cart/",
                "blockedURL": "https://fonts.example/a.woff2",
                "effectiveDirective": "font-src",
            },
        },
    ]
    with caplog.at_level(logging.WARNING, logger="storefront.csp_reports"):
        response = client.post(
            "/csp-report", data=json.dumps(batch), content_type="application/reports+json"
        )
    assert response.status_code == 204
    assert caplog.messages == [
        "CSP violation: script-src-elem blocked inline on https://shop.example/",
        "CSP violation: font-src blocked https://fonts.example/a.woff2 on https://shop.example/cart/",
    ]


@pytest.mark.parametrize(
    "body", [b"not json", b"{}", b'{"csp-report": "x"}', b"[]", b'[{"type": "deprecation"}]']
)
def test_what_is_not_a_report_is_a_400(client, body):
    response = client.post("/csp-report", data=body, content_type="application/csp-report")
    assert response.status_code == 400


def test_a_huge_report_is_refused_unread(client):
    big = {"csp-report": {**CSP_REPORT["csp-report"], "script-sample": "x" * 20_000}}
    response = client.post(
        "/csp-report", data=json.dumps(big), content_type="application/csp-report"
    )
    assert response.status_code == 413


def test_reports_are_rate_limited_per_client(app, client):
    app.config["CSP_REPORT_RATE_LIMIT"] = "3 per minute"
    body = json.dumps(CSP_REPORT)
    statuses = [
        client.post("/csp-report", data=body, content_type="application/csp-report").status_code
        for _ in range(5)
    ]
    assert statuses == [204, 204, 204, 429, 429]
    other = client.post(
        "/csp-report",
        data=body,
        content_type="application/csp-report",
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert other.status_code == 204


@pytest.mark.parametrize("path", ["/", "/products/house-blend", "/login", "/signup", "/rewards"])
def test_no_page_has_an_inline_script(client, path):
    html = client.get(path).get_data(as_text=True)
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_other_hardening_headers(client):
    headers = client.get("/").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_outside_debug_cookies_are_secure_and_http_only(app_config, monkeypatch):
    from tests.conftest import TEST_CONFIG, build_app, dispose

    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    production_like = {k: v for k, v in TEST_CONFIG.items() if not k.endswith("COOKIE_SECURE")}
    shop = build_app({**production_like, **app_config})
    assert not shop.debug
    assert shop.config["SESSION_COOKIE_SECURE"] is True
    assert shop.config["REMEMBER_COOKIE_SECURE"] is True
    assert shop.config["SESSION_COOKIE_HTTPONLY"] is True
    assert "Strict-Transport-Security" in shop.test_client().get("/").headers
    dispose(shop)
