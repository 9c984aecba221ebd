"""headless_view: what a server-rendered page shows, within its time budget.

A stand-in client (no HTTP: the view's own rules are under test here; the real client
against the sandbox is in tests/integration/test_headless_with_sandbox.py)."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from storefront.loyaltylion import headless_view
from storefront.loyaltylion.errors import (
    HeadlessNotFound,
    HeadlessRateLimited,
    HeadlessUnavailable,
    HeadlessUnprocessable,
)
from storefront.loyaltylion.headless_view import (
    GUEST,
    NOT_YET_KNOWN,
    READY,
    UNAVAILABLE,
    ClaimRefused,
    HeadlessView,
    RewardOffer,
    build_panel,
)
from storefront.loyaltylion.payloads import Customer

CONFIGURATION = {
    "channel": "web",
    "currency": "usd",
    "language": "en",
    "program": {"name": "Lion Rewards"},
    "tier_configuration": {
        "boundary_mode": "points",
        "tiers": [
            {"id": 2, "name": "Silver", "position": 2, "hidden": False, "benefit_ids": []},
            {"id": 1, "name": "Bronze", "position": 1, "hidden": False, "benefit_ids": []},
            {"id": 3, "name": "Secret", "position": 3, "hidden": True, "benefit_ids": []},
        ],
        "tier_benefits": [],
        "membership": {"mode": "lifetime"},
    },
    "rules": [
        {
            "id": 1,
            "kind": "purchase",
            "variants": [
                {
                    "tier_id": 1,
                    "enabled": True,
                    "title": "Make a purchase",
                    "result_short_text": "1 point per $1",
                },
            ],
        }
    ],
    "rewards": [
        {
            "id": 1,
            "kind": "cart_discount_voucher",
            "variants": [
                {"tier_id": 1, "enabled": True, "title": "$5 off", "cost_text": "500 points"}
            ],
        }
    ],
}


def session_answer(points: int = 700, can_redeem: str = "redeemable") -> dict:
    return {
        "channel": "web",
        "currency": "usd",
        "language": "en",
        "customer": {
            "state": "enrolled",
            "id": 9,
            "merchant_id": "42",
            "points_approved": points,
            "points_pending": 50,
            "points_spent": 0,
            "tier_membership": {
                "tier_id": 1,
                "progress": {
                    "kind": "points",
                    "upgrade_tier_id": 2,
                    "points_needed_for_upgrade": 300,
                },
            },
            "claimed_rewards": [
                {
                    "id": 5,
                    "claimed_at": "2026-12-01T10:00:00Z",
                    "reward_id": 1,
                    "title": "$5 off",
                    "state": "approved",
                    "source": {"kind": "points_redemption", "points_cost": 500},
                    "redeemable": {
                        "kind": "cart_discount_voucher",
                        "code": "AAAA-BBBB",
                        "usage_status": "not_used",
                    },
                }
            ],
            "available_rewards": [
                {
                    "id": 1,
                    "kind": "cart_discount_voucher",
                    "variant": {
                        "tier_id": 1,
                        "enabled": True,
                        "title": "$5 off",
                        "cost_text": "500 points",
                    },
                    "context": {"can_redeem": {"state": can_redeem}},
                },
                {
                    "id": 2,
                    "kind": "custom",
                    "variant": {
                        "tier_id": 1,
                        "enabled": True,
                        "title": "Tote bag",
                        "cost_text": "300 points",
                    },
                    "context": {"can_redeem": {"state": "redeemable"}},
                },
            ],
            "available_rules": [
                {
                    "id": 1,
                    "kind": "purchase",
                    "variant": {
                        "tier_id": 1,
                        "enabled": True,
                        "title": "Make a purchase",
                        "result": {"kind": "points", "points": 1},
                    },
                },
            ],
        },
    }


class FakeClient:
    def __init__(
        self,
        *,
        delay: float = 0.0,
        session_error: Exception | None = None,
        config_error: Exception | None = None,
    ) -> None:
        self.delay = delay
        self.session_error = session_error
        self.config_error = config_error
        self.calls: list[str] = []
        self.lock = threading.Lock()

    def _note(self, what: str) -> None:
        with self.lock:
            self.calls.append(what)

    def get_configuration(self) -> dict:
        self._note("configuration")
        time.sleep(self.delay)
        if self.config_error:
            raise self.config_error
        return CONFIGURATION

    def initialize_session(self, merchant_id, *, customer=None, session=None, cart=None) -> dict:
        self._note(f"session:{merchant_id}")
        time.sleep(self.delay)
        if self.session_error:
            raise self.session_error
        return session_answer()

    def redeem(self, kind, *, reward_id, merchant_id, cart=None) -> dict:
        self._note(f"redeem:{kind}:{reward_id}:{merchant_id}")
        if self.session_error:
            raise self.session_error
        return {
            "voucher_code": "CCCC-DDDD",
            "claimed_reward": {"title": "$5 off", "claimed_at": "2026-12-02T10:00:00Z"},
            "customer": {"points_approved": 200},
        }


CUSTOMER = Customer(id=42, email="rita@example.com")


def view_for(client: FakeClient, *, budget: float = 0.5, ttl: float = 60.0) -> HeadlessView:
    return HeadlessView(lambda: client, budget=budget, config_ttl=ttl)


def test_a_customer_s_panel_has_points_tier_rewards_claims_and_ways_to_earn() -> None:
    panel = view_for(FakeClient()).panel(CUSTOMER)
    assert panel.status == READY
    assert (panel.points_approved, panel.points_pending) == (700, 50)
    assert [tier.name for tier in panel.tiers] == ["Bronze", "Silver"]  # hidden tiers left out
    assert panel.tier.name == "Bronze" and panel.next_tier.name == "Silver"
    assert panel.points_to_next_tier == 300
    assert [(r.id, r.title, r.cost_text, r.blocked_by) for r in panel.rewards] == [
        (1, "$5 off", "500 points", None),
        (2, "Tote bag", "300 points", None),
    ]
    assert [r.claimable_here for r in panel.rewards] == [True, False]
    assert [(c.title, c.code, c.used, c.points_cost) for c in panel.claimed] == [
        ("$5 off", "AAAA-BBBB", False, 500)
    ]
    assert [(w.title, w.result) for w in panel.ways_to_earn] == [("Make a purchase", "1 points")]
    assert panel.program_name == "Lion Rewards"


def test_a_guest_sees_the_program_from_the_configuration_alone() -> None:
    client = FakeClient()
    panel = view_for(client).panel(None)
    assert panel.status == GUEST
    assert client.calls == ["configuration"]
    assert [(r.title, r.blocked_by) for r in panel.rewards] == [("$5 off", "Log in to claim")]
    assert [(w.title, w.result) for w in panel.ways_to_earn] == [
        ("Make a purchase", "1 point per $1")
    ]


def test_a_reward_the_customer_cannot_afford_says_why() -> None:
    panel = build_panel(
        CONFIGURATION, session_answer(points=10, can_redeem="insufficient_points"), READY
    )
    assert panel.reward(1).blocked_by == "Not enough points yet"


def test_the_configuration_is_fetched_once_per_ttl() -> None:
    client = FakeClient()
    view = view_for(client, ttl=60.0)
    for _ in range(3):
        view.panel(CUSTOMER)
    assert client.calls.count("configuration") == 1
    assert client.calls.count("session:42") == 3
    view.forget_configuration()
    view.panel(None)
    assert client.calls.count("configuration") == 2


def test_a_slow_api_costs_a_page_the_budget_not_the_wait() -> None:
    client = FakeClient(delay=1.5)
    view = view_for(client, budget=0.2)
    started = time.monotonic()
    panel = view.panel(CUSTOMER)
    took = time.monotonic() - started
    assert panel.status == UNAVAILABLE
    assert took < 0.6, f"the page waited {took:.2f}s, past its 0.2s budget"


def test_a_late_configuration_still_lands_in_the_cache_for_the_next_page() -> None:
    client = FakeClient(delay=0.3)
    view = view_for(client, budget=0.05)
    assert view.panel(None).status == UNAVAILABLE
    time.sleep(0.6)
    client.delay = 0.0
    panel = view.panel(None)
    assert panel.has_program and panel.status == GUEST
    assert client.calls.count("configuration") == 1


def test_an_outage_is_logged_once_and_then_the_api_is_left_alone(caplog, monkeypatch) -> None:
    monkeypatch.setattr(headless_view, "COOL_DOWN_SECONDS", 0.3)
    client = FakeClient(session_error=HeadlessUnavailable("503 Service Unavailable", status=503))
    view = view_for(client)
    view.panel(CUSTOMER)  # configuration arrives, the session fails: logged (next test)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="storefront.loyaltylion.headless_view"):
        for _ in range(5):
            assert view.panel(CUSTOMER).status == UNAVAILABLE
    assert client.calls.count("session:42") == 1, "resting: no call while the outage is fresh"
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    time.sleep(0.35)
    client.session_error = None
    with caplog.at_level(logging.INFO, logger="storefront.loyaltylion.headless_view"):
        assert view.panel(CUSTOMER).status == READY
    assert "answering again" in caplog.text


def test_the_first_failure_of_an_outage_is_logged(caplog) -> None:
    client = FakeClient(session_error=HeadlessUnavailable("timed out", status=None))
    with caplog.at_level(logging.WARNING, logger="storefront.loyaltylion.headless_view"):
        view_for(client).panel(CUSTOMER)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "Headless API unavailable" in warnings[0]


def test_a_429_rests_as_long_as_retry_after_says(monkeypatch) -> None:
    monkeypatch.setattr(headless_view, "COOL_DOWN_SECONDS", 0.01)
    error = HeadlessRateLimited("429 Too Many Requests", status=429, retry_after=30.0)
    view = view_for(FakeClient(session_error=error))
    view.panel(CUSTOMER)
    assert view.outage.resting()


def test_a_customer_loyaltylion_does_not_know_yet_is_not_an_outage() -> None:
    client = FakeClient(
        session_error=HeadlessNotFound("Customer not found", status=404, code="not_found")
    )
    view = view_for(client)
    assert view.panel(CUSTOMER).status == NOT_YET_KNOWN
    assert not view.outage.resting()


def test_redeem_returns_the_code_and_refusals_carry_a_shopper_message() -> None:
    offer = RewardOffer(id=1, kind="cart_discount_voucher", title="$5 off", cost_text="500 points")
    client = FakeClient()
    redemption = view_for(client).redeem(CUSTOMER, offer)
    assert (redemption.code, redemption.title, redemption.points_approved) == (
        "CCCC-DDDD",
        "$5 off",
        200,
    )
    assert client.calls == ["redeem:cart_discount_voucher:1:42"]

    client.session_error = HeadlessUnprocessable(
        "out of stock", status=422, code="reward_out_of_stock"
    )
    with pytest.raises(ClaimRefused) as refused:
        view_for(client).redeem(CUSTOMER, offer)
    assert refused.value.message == client.session_error.shopper_message
    assert not refused.value.maybe_done

    client.session_error = HeadlessUnavailable("read timed out", status=None)
    with pytest.raises(ClaimRefused) as unconfirmed:
        view_for(client).redeem(CUSTOMER, offer)
    assert unconfirmed.value.maybe_done and unconfirmed.value.unavailable


def test_a_reward_the_shop_cannot_hand_over_is_refused_without_asking() -> None:
    client = FakeClient()
    offer = RewardOffer(id=2, kind="custom", title="Tote bag", cost_text="300 points")
    with pytest.raises(ClaimRefused):
        view_for(client).redeem(CUSTOMER, offer)
    assert client.calls == []
