"""Fixtures for delivery tests: the shop wired to a recording API over real HTTP."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from storefront.loyalty import loyaltylion
from tests.loyaltylion.recording_api import (
    API_KEY,
    LiveServer,
    RecordingState,
    create_recording_app,
)


@pytest.fixture
def recording():
    state = RecordingState()
    server = LiveServer(create_recording_app(state))
    state.server = server
    yield state
    server.shutdown()


@pytest.fixture
def app_config(database_uri, recording):
    return {
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "LOYALTYLION_API_URL": recording.server.url,
        "LOYALTYLION_API_KEY": API_KEY,
        "LOYALTYLION_TOKEN": "test-site-token",
        "LOYALTYLION_SECRET": "test-site-secret",
        "LOYALTYLION_TIMEOUT_CONNECT": 0.5,
        "LOYALTYLION_TIMEOUT_READ": 1.0,
        "LOYALTYLION_RATE_LIMIT": 500.0,
        "LOYALTYLION_WORKER_POLL_SECONDS": 0.05,
    }


@pytest.fixture(autouse=True)
def _stop_worker():
    yield
    loyaltylion.stop_worker()


@pytest.fixture
def new_york_local_time() -> Iterator[None]:
    """Run with the process's local time zone set to UTC-5 (UTC-4 in summer)."""
    if not hasattr(time, "tzset") or not os.path.exists("/usr/share/zoneinfo/America/New_York"):
        pytest.skip("needs time.tzset and the system tz database")
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()
