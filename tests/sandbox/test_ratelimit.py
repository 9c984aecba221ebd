"""20 requests per second per API key; over it: 429 with Retry-After."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from loyaltylion_sandbox import create_app
from loyaltylion_sandbox.constants import DEFAULT_RATE_LIMIT
from loyaltylion_sandbox.ratelimit import SlidingWindowLimiter
from loyaltylion_sandbox.server import start_server

from .support import SandboxClient, dispose, make_sandbox_app


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_default_limit_is_loyaltylions_20_per_second(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SANDBOX_RATE_LIMIT", raising=False)
    assert DEFAULT_RATE_LIMIT == 20
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'd.sqlite3'}"})
    assert app.config["SANDBOX_RATE_LIMIT"] == 20
    dispose(app)


def test_the_sliding_window_allows_n_per_second_per_key() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(20, window=1.0, clock=clock)
    assert [limiter.hit("a") for _ in range(20)] == [None] * 20
    assert limiter.hit("a") == 1
    assert limiter.hit("b") is None  # other keys are counted apart
    clock.now += 0.5
    assert limiter.hit("a") == 1  # still 20 in the last second
    clock.now += 0.51
    assert limiter.hit("a") is None  # the first hits left the window


@pytest.fixture
def limited_client(tmp_path: Path) -> Iterator[SandboxClient]:
    app = make_sandbox_app(tmp_path / "limited.sqlite3", SANDBOX_RATE_LIMIT=20)
    server = start_server(app, quiet=True)
    client = SandboxClient(server.url)
    yield client
    client.close()
    server.shutdown()
    dispose(app)


def test_exceeding_the_limit_over_http_is_429_with_retry_after(
    limited_client: SandboxClient,
) -> None:
    statuses = []
    first_429 = None
    started = time.monotonic()
    for _ in range(60):
        response = limited_client.api("GET", "/v2/identity/whoami")
        statuses.append(response.status_code)
        if response.status_code == 429:
            first_429 = response
            break
    elapsed = time.monotonic() - started
    assert first_429 is not None, f"no 429 after {len(statuses)} requests in {elapsed:.2f}s"
    # At least the 20 allowed in the first second went through before it.
    assert statuses[:20] == [200] * 20
    assert int(first_429.headers["Retry-After"]) >= 1
    error = first_429.json()["error"]
    assert "20 requests per second" in error["message"]
    assert list(error["details"]) == ["rate_limit"]

    time.sleep(int(first_429.headers["Retry-After"]))
    assert limited_client.api("GET", "/v2/identity/whoami").status_code == 200


def test_control_routes_are_not_rate_limited(limited_client: SandboxClient) -> None:
    assert all(limited_client.control("GET", "/settings").status_code == 200 for _ in range(30))
