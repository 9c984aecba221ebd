"""CORS on the SDK endpoints: the configured shop origin only, never a wildcard."""

from __future__ import annotations

import pytest

from .support import SHOP_ORIGIN, SandboxClient

EVIL = "http://evil.test"


def _preflight(client: SandboxClient, origin: str, method: str = "POST"):
    return client.http.options(
        client.url + "/sdk/session",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "content-type, authorization",
        },
        timeout=10,
    )


def test_the_shop_origin_passes_the_preflight(sandbox: SandboxClient) -> None:
    response = _preflight(sandbox, SHOP_ORIGIN)
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == SHOP_ORIGIN
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "content-type" in allowed and "authorization" in allowed
    assert "Origin" in response.headers["Vary"]


@pytest.mark.parametrize("origin", [EVIL, "http://shop.test:8080", "https://shop.test", "null"])
def test_other_origins_fail_the_preflight(sandbox: SandboxClient, origin: str) -> None:
    response = _preflight(sandbox, origin)
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_preflight_for_another_method_fails(sandbox: SandboxClient) -> None:
    assert _preflight(sandbox, SHOP_ORIGIN, method="DELETE").status_code == 403


def test_requests_from_the_shop_origin_get_the_allow_header(sandbox: SandboxClient) -> None:
    response = sandbox.http.post(
        sandbox.url + "/sdk/session",
        json={"token": "sandbox_site_token"},
        headers={"Origin": SHOP_ORIGIN},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == SHOP_ORIGIN
    # Error answers carry it too, so the SDK can read the message.
    bad = sandbox.http.get(sandbox.url + "/sdk/state", headers={"Origin": SHOP_ORIGIN}, timeout=10)
    assert bad.status_code == 401
    assert bad.headers["Access-Control-Allow-Origin"] == SHOP_ORIGIN


def test_requests_from_another_origin_are_refused(sandbox: SandboxClient) -> None:
    response = sandbox.http.post(
        sandbox.url + "/sdk/session",
        json={"token": "sandbox_site_token"},
        headers={"Origin": EVIL},
        timeout=10,
    )
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response.headers
    assert EVIL in response.json()["error"]["message"]


def test_the_sdk_scripts_answer_cors_for_the_shop_origin_only(sandbox: SandboxClient) -> None:
    # The published snippet loads both with crossOrigin = "": without the header for the
    # page's origin, the browser refuses to run them.
    for path in ("/static/2/20261202/loader.js", "/sdk/start/20261202T05/sandbox_site_token.js"):
        shop = sandbox.http.get(sandbox.url + path, headers={"Origin": SHOP_ORIGIN}, timeout=10)
        assert shop.status_code == 200, path
        assert shop.headers["Content-Type"].startswith("text/javascript")
        assert shop.headers["Access-Control-Allow-Origin"] == SHOP_ORIGIN
        evil = sandbox.http.get(sandbox.url + path, headers={"Origin": EVIL}, timeout=10)
        assert "Access-Control-Allow-Origin" not in evil.headers, path


def test_control_routes_refuse_cross_origin_requests(sandbox: SandboxClient) -> None:
    response = sandbox.control("POST", "/reset", headers={"Origin": EVIL})
    assert response.status_code == 403
    same = sandbox.control("POST", "/reset", headers={"Origin": sandbox.url})
    assert same.status_code == 200
