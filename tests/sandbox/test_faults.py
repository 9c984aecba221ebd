"""Fault injection (POST /_sandbox/faults) and reset."""

from __future__ import annotations

import time

import pytest
import requests

from .support import SandboxClient


def _set_fault(client: SandboxClient, **fault) -> None:
    response = client.control("POST", "/faults", json=fault)
    assert response.status_code == 200, response.text
    assert response.json()["fault"]["mode"] == fault["mode"]


def _whoami(client: SandboxClient, **kwargs) -> requests.Response:
    return client.api("GET", "/v2/identity/whoami", **kwargs)


def test_5xx_fails_the_next_n_answers_then_expires(sandbox: SandboxClient) -> None:
    _set_fault(sandbox, mode="5xx", count=2)
    statuses = [_whoami(sandbox).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert sandbox.control("GET", "/faults").json() == {"fault": None}
    assert [e["verdict"] for e in sandbox.log("/v2/")][:3] == ["n/a", "fault", "fault"]


def test_5xx_can_pick_its_status_and_does_not_record_anything(sandbox: SandboxClient) -> None:
    _set_fault(sandbox, mode="5xx", count=1, status=500)
    response = sandbox.api(
        "POST",
        "/v2/activities",
        {
            "name": "$signup",
            "customer_id": "42",
            "customer_email": "a@example.com",
            "guest": False,
        },
    )
    assert response.status_code == 500
    assert "error" in response.json()
    assert sandbox.control("GET", "/customers/42").status_code == 404


def test_429_answers_with_retry_after(sandbox: SandboxClient) -> None:
    _set_fault(sandbox, mode="429", count=1, retry_after=7)
    response = _whoami(sandbox)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert "error" in response.json()
    assert _whoami(sandbox).status_code == 200


def test_slow_delays_then_answers_normally(sandbox: SandboxClient) -> None:
    _set_fault(sandbox, mode="slow", count=2, delay=0.6)
    started = time.monotonic()
    response = _whoami(sandbox)
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.6
    # A client with a shorter timeout gives up.
    with pytest.raises(requests.exceptions.ReadTimeout):
        _whoami(sandbox, timeout=0.2)
    time.sleep(0.5)  # let the abandoned request finish on the server
    started = time.monotonic()
    assert _whoami(sandbox).status_code == 200
    assert time.monotonic() - started < 0.5


def test_drop_closes_the_connection_without_an_answer(sandbox: SandboxClient) -> None:
    _set_fault(sandbox, mode="drop", count=2)
    for _ in range(2):
        with pytest.raises(requests.exceptions.ConnectionError):
            _whoami(sandbox)
    assert _whoami(sandbox).status_code == 200
    dropped = [e for e in sandbox.log("/v2/identity/whoami") if e["verdict"] == "fault"]
    assert len(dropped) == 2
    assert {e["response_status"] for e in dropped} == {None}


def test_faults_apply_to_the_admin_api_only(sandbox: SandboxClient) -> None:
    _set_fault(sandbox, mode="5xx", count=1)
    assert sandbox.control("GET", "/settings").status_code == 200
    assert (
        sandbox.http.post(
            sandbox.url + "/sdk/session", json={"token": "sandbox_site_token"}, timeout=10
        ).status_code
        == 200
    )
    assert _whoami(sandbox).status_code == 503


@pytest.mark.parametrize(
    ("fault", "field"),
    [
        ({"mode": "teapot"}, "mode"),
        ({"mode": "slow", "delay": -1}, "delay"),
        ({"mode": "5xx", "count": "2"}, "count"),
        ({"mode": "5xx", "status": 404}, "status"),
        ({"mode": "429", "retry_after": 1.5}, "retry_after"),
    ],
)
def test_invalid_faults_are_rejected(sandbox: SandboxClient, fault: dict, field: str) -> None:
    response = sandbox.control("POST", "/faults", json=fault)
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == [field]


def test_reset_wipes_state_and_reseeds(sandbox: SandboxClient) -> None:
    sandbox.signup("42")
    sandbox.create_order("1001", "42")
    sandbox.control("POST", "/settings", json={"signup_points": 1})
    sandbox.control("POST", "/rewards/1/codes", json={"codes": ["EXTRA"]})
    _set_fault(sandbox, mode="5xx", count=5)

    assert sandbox.control("POST", "/reset").json() == {"ok": True}

    assert sandbox.control("GET", "/customers/42").status_code == 404
    assert sandbox.control("GET", "/orders/1001").status_code == 404
    assert sandbox.control("GET", "/faults").json() == {"fault": None}
    assert sandbox.control("GET", "/settings").json()["settings"]["signup_points"] == 200
    assert sandbox.log() == []
    rewards = sandbox.control("GET", "/rewards").json()["rewards"]
    assert [(r["id"], r["kind"], r["codes"]["unused"]) for r in rewards] == [
        (1, "voucher", 10),
        (2, "custom", 0),
    ]
    assert _whoami(sandbox).status_code == 200
