"""The SDK's two scripts at the published paths (loyaltylion_sandbox/sdk_scripts.py).

https://developers.loyaltylion.com/sdk/installation: the loader at
/static/2/<YYYYMMDD>/loader[-<revision>].js, the start script at
/sdk/start/<YYYYMMDDTHH>/<site token>.js.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from .support import SHOP_ORIGIN, SandboxClient

CORS = {"Origin": SHOP_ORIGIN, "Sec-Fetch-Mode": "cors"}


def _now(fmt: str, hours: int = 0) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).strftime(fmt)


def _get(sandbox: SandboxClient, path: str, **headers: str):
    return sandbox.http.get(sandbox.url + path, headers={**CORS, **headers}, timeout=10)


@pytest.mark.parametrize("name", ["loader.js", "loader-3.js", "loader-2026_12.b.js"])
def test_the_loader_is_served_for_today_with_or_without_a_revision(sandbox, name):
    response = _get(sandbox, f"/static/2/{_now('%Y%m%d')}/{name}")
    assert response.status_code == 200
    assert "LoyaltyLion sandbox SDK stand-in" in response.text
    [entry] = sandbox.log("/static/2/")
    assert entry["warnings"] == []
    assert entry["response_body"] == ""  # scripts are logged without their body


@pytest.mark.parametrize(
    "path",
    [
        "/static/2/2026120/loader.js",  # seven digits
        "/static/2/20261302/loader.js",  # month 13
        "/static/2/20261202/loader.mjs",
        "/static/2/20261202/loader-.js",
        "/static/2/20261202/sdk.js",
        "/static/3/20261202/loader.js",
    ],
)
def test_anything_else_under_the_loader_path_is_a_404(sandbox, path):
    assert _get(sandbox, path).status_code == 404


def test_the_start_script_names_its_site(sandbox):
    response = _get(sandbox, f"/sdk/start/{_now('%Y%m%dT%H')}/sandbox_site_token.js")
    assert response.status_code == 200
    assert '"token": "sandbox_site_token"' in response.text
    assert "_sandboxStarted" in response.text
    [entry] = sandbox.log("/sdk/start/")
    assert (entry["verdict"], entry["warnings"]) == ("n/a", [])


def test_an_unknown_site_token_has_no_start_script(sandbox):
    response = _get(sandbox, f"/sdk/start/{_now('%Y%m%dT%H')}/someone-elses-token.js")
    assert response.status_code == 404
    [entry] = sandbox.log("/sdk/start/")
    assert entry["verdict"] == "rejected"
    assert entry["errors"] == {"token": ["'someone-elses-token' is not this sandbox's site token"]}


@pytest.mark.parametrize("day_hour", ["20261202", "20261202T24", "20261202T5", "2026-12-02T05"])
def test_a_malformed_day_hour_is_a_404(sandbox, day_hour):
    assert _get(sandbox, f"/sdk/start/{day_hour}/sandbox_site_token.js").status_code == 404


def test_a_stale_or_local_clock_is_served_with_a_warning(sandbox):
    # A snippet that used local time (here, five hours off UTC) or a cached page.
    _get(sandbox, f"/sdk/start/{_now('%Y%m%dT%H', hours=-5)}/sandbox_site_token.js")
    _get(sandbox, "/static/2/20200101/loader.js")
    (start,) = sandbox.log("/sdk/start/")
    assert "is not the current UTC hour" in start["warnings"][0]
    (loader,) = sandbox.log("/static/2/")
    assert "is not today's UTC date" in loader["warnings"][0]


def test_a_load_outside_cors_mode_is_flagged(sandbox):
    # What a <script> without crossOrigin sends.
    path = f"/static/2/{_now('%Y%m%d')}/loader.js"
    response = _get(sandbox, path, **{"Sec-Fetch-Mode": "no-cors"})
    assert response.status_code == 200
    [entry] = sandbox.log("/static/2/")
    assert entry["warnings"] == [
        "fetched in 'no-cors' mode: the published snippet sets crossOrigin = \"\" (CORS)"
    ]
