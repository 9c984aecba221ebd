"""GET /v2/identity/whoami reports the API key's scopes from the `api_key_scopes`
setting. Scope names: https://developers.loyaltylion.com/api-reference/authentication/api-keys
"""

from __future__ import annotations

import pytest

from .support import SandboxClient

DEFAULT_SCOPES = ["read_customers", "write_customers", "read_orders", "write_orders"]


def _scopes(sandbox: SandboxClient) -> list[str]:
    response = sandbox.api("GET", "/v2/identity/whoami")
    assert response.status_code == 200, response.text
    return response.json()["identity"]["scopes"]


def test_the_scopes_are_a_setting_and_reset_restores_them(sandbox: SandboxClient) -> None:
    assert _scopes(sandbox) == DEFAULT_SCOPES
    assert sandbox.settings(api_key_scopes=["read_orders"])["api_key_scopes"] == ["read_orders"]
    assert _scopes(sandbox) == ["read_orders"]
    sandbox.settings(api_key_scopes=[])
    assert _scopes(sandbox) == []
    sandbox.reset()
    assert _scopes(sandbox) == DEFAULT_SCOPES


@pytest.mark.parametrize("value", ["read_orders", ["read orders"], [1], None])
def test_bad_scopes_are_400(sandbox: SandboxClient, value: object) -> None:
    response = sandbox.control("POST", "/settings", json={"api_key_scopes": value})
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["api_key_scopes"]
    assert _scopes(sandbox) == DEFAULT_SCOPES
