"""The loyalty program rendered by the store itself, from LoyaltyLion's Headless API.

Docs: https://developers.loyaltylion.com/headless-api/introduction
      https://developers.loyaltylion.com/headless-api/2025-06/configuration/get-configuration
      https://developers.loyaltylion.com/headless-api/2025-06/customers/initialize-session
      https://developers.loyaltylion.com/headless-api/errors

With `LOYALTYLION_UI=headless` the Rewards page, the header's points and the account's
loyalty panel are HTML from the server (no SDK, no JavaScript needed). What a page
shows comes from two calls:

* the program's configuration (rules, rewards, tiers): the same for every shopper, so
  it is kept for LOYALTYLION_HEADLESS_CONFIG_TTL seconds. LoyaltyLion documents no
  webhook for a change of configuration (the topics are about customers), so the TTL
  is what bounds staleness; `HeadlessView.forget_configuration()` drops it at once.
* the customer's session (points, tier, rewards they can claim, claimed rewards):
  one "Initialize Session" per request at most, kept on `flask.g`.

Neither may hold a page up: both are waited for together for at most
LOYALTYLION_HEADLESS_BUDGET seconds (0.3 by default). A late answer is not waited for;
the page says "points unavailable right now" and shopping carries on. A late
configuration still lands in the cache when it arrives, so the next page has it. After
a failure the API is left alone for a few seconds (or as long as a 429's Retry-After
says), so an outage costs each page nothing rather than the budget every time, and
the outage is logged once when it starts and once when it ends.

Claiming a reward is a write the shopper asked for: it is not cut short by the page
budget, only by the client's own timeouts (headless.HeadlessClient).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

from .errors import (
    HeadlessError,
    HeadlessNotFound,
    HeadlessRateLimited,
    HeadlessUnavailable,
    HeadlessUnprocessable,
)
from .headless import REDEEMABLE_KINDS, HeadlessClient
from .payloads import Customer

log = logging.getLogger(__name__)

# Calls run here so that a page can stop waiting for them. Shared by every app in the
# process; bounded, so an API that hangs cannot pile up threads (a call that finds
# every worker busy simply misses the page's budget).
_POOL_SIZE = 16
_POOL = ThreadPoolExecutor(max_workers=_POOL_SIZE, thread_name_prefix="loyaltylion-headless")
# A call is only queued when a worker is free for it: with every worker waiting on a
# slow API, a page gives up at once instead of queueing work that would run too late.
_SLOTS = threading.BoundedSemaphore(_POOL_SIZE)
# How long the API is left alone after a failure, unless a 429 says otherwise.
COOL_DOWN_SECONDS = 5.0
# A configuration older than its TTL is still shown while a fresh one cannot be had,
# for at most this long: rules and rewards change rarely, points are never cached.
STALE_CONFIGURATION_SECONDS = 24 * 3600.0

UNAVAILABLE_MESSAGE = "Rewards are unavailable right now. Please try again shortly."
UNCONFIRMED_MESSAGE = (
    "We couldn't confirm your claim. If it went through, the code appears under your "
    "rewards in a moment."
)

UNAVAILABLE = "unavailable"  # the API did not answer in time, or failed
GUEST = "guest"  # nobody is logged in
NOT_YET_KNOWN = "not_yet_known"  # logged in, but LoyaltyLion has no such customer yet
READY = "ready"


# -- what the templates get ---------------------------------------------------------------


@dataclass(frozen=True)
class Tier:
    id: int
    name: str
    position: int


@dataclass(frozen=True)
class WayToEarn:
    title: str
    result: str  # "50 points", "5 points per $1"


@dataclass(frozen=True)
class RewardOffer:
    id: int
    kind: str
    title: str
    cost_text: str
    # None when the customer may claim it now; else why not, in plain words.
    blocked_by: str | None = None

    @property
    def claimable_here(self) -> bool:
        """The store can hand this reward over: a voucher code for the cart."""
        return self.kind in REDEEMABLE_KINDS


@dataclass(frozen=True)
class ClaimedReward:
    id: int
    title: str
    claimed_at: str
    code: str | None
    used: bool
    points_cost: int | None


@dataclass(frozen=True)
class HistoryEntry:
    """One line of the customer's `history` (CustomerHistoryAction*): "Placed an order",
    "+50 points", approved."""

    label: str
    date: str
    points_text: str
    state: str


@dataclass(frozen=True)
class LoyaltyPanel:
    """Everything a page shows of the program, already checked for shape."""

    status: str
    program_name: str = ""
    points_approved: int = 0
    points_pending: int = 0
    points_spent: int = 0
    tier: Tier | None = None
    next_tier: Tier | None = None
    points_to_next_tier: int | None = None
    tiers: tuple[Tier, ...] = ()
    ways_to_earn: tuple[WayToEarn, ...] = ()
    rewards: tuple[RewardOffer, ...] = ()
    claimed: tuple[ClaimedReward, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    # The customer's own referral link (`referral_urls.direct`), if the program has one.
    referral_url: str | None = None
    # The configuration arrived (the program can be described) even if the customer
    # did not.
    has_program: bool = False

    @property
    def ready(self) -> bool:
        return self.status == READY

    @property
    def unavailable(self) -> bool:
        return self.status == UNAVAILABLE

    def reward(self, reward_id: int) -> RewardOffer | None:
        return next((offer for offer in self.rewards if offer.id == reward_id), None)


@dataclass(frozen=True)
class Redemption:
    """A reward claimed through the Headless API: its code goes into the cart."""

    reward_id: int
    kind: str
    title: str
    code: str
    claimed_at: str
    points_approved: int | None


class ClaimRefused(Exception):
    """The claim did not happen; `message` is fit for the shopper. `maybe_done` is True
    when the request went out and no answer came back: it may have been carried out.
    `unavailable` is True when LoyaltyLion could not be asked (an outage)."""

    def __init__(self, message: str, *, maybe_done: bool = False, unavailable: bool = False):
        super().__init__(message)
        self.message = message
        self.maybe_done = maybe_done
        self.unavailable = unavailable or maybe_done


# -- fetching within the budget ----------------------------------------------------------


@dataclass
class _Outage:
    """When the API last failed, and until when it is left alone."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    down: bool = False
    quiet_until: float = 0.0

    def failed(self, error: BaseException, what: str) -> None:
        pause = COOL_DOWN_SECONDS
        if isinstance(error, HeadlessRateLimited) and error.retry_after:
            pause = max(pause, float(error.retry_after))
        with self.lock:
            first = not self.down
            self.down = True
            self.quiet_until = time.monotonic() + pause
        if first:  # once per outage, not once per page
            log.warning(
                "LoyaltyLion Headless API unavailable (%s: %s); pages show 'points "
                "unavailable right now' until it answers again",
                what,
                error,
            )

    def answered(self) -> None:
        with self.lock:
            if self.down and time.monotonic() < self.quiet_until:
                return  # a call begun before the failure: the rest still stands
            was_down, self.down = self.down, False
        if was_down:
            log.info("LoyaltyLion Headless API answering again")

    def resting(self) -> bool:
        with self.lock:
            return self.down and time.monotonic() < self.quiet_until


class HeadlessView:
    """One per app: its client settings, the cached configuration, the outage state."""

    def __init__(
        self,
        make_client: Callable[[], HeadlessClient],
        *,
        budget: float,
        config_ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._make_client = make_client
        self._local = threading.local()
        self.budget = budget
        self.config_ttl = config_ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._configuration: dict[str, Any] | None = None
        self._fetched_at = 0.0
        self._refreshing: Future | None = None
        self.outage = _Outage()

    def client(self) -> HeadlessClient:
        """This thread's client (a requests.Session is not shared across threads)."""
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = self._make_client()
        return client

    # configuration ---------------------------------------------------------------------

    def forget_configuration(self) -> None:
        with self._lock:
            self._configuration = None
            self._fetched_at = 0.0

    def _configuration_future(self) -> tuple[dict[str, Any] | None, Future | None]:
        """The cached configuration if fresh; else what is cached (maybe stale) and the
        one refresh under way, started if there is none."""
        now = self._clock()
        with self._lock:
            cached, age = self._configuration, now - self._fetched_at
            if cached is not None and age < self.config_ttl:
                return cached, None
            if cached is not None and age > self.config_ttl + STALE_CONFIGURATION_SECONDS:
                cached = None
            if self._refreshing is None and not self.outage.resting():
                self._refreshing = _submit(self._fetch_configuration)
            return cached, self._refreshing

    def _fetch_configuration(self) -> dict[str, Any] | None:
        configuration = None
        try:
            configuration = self.client().get_configuration()
        except HeadlessError as error:
            self.outage.failed(error, "configuration")
        except Exception as error:  # a bug must not leave _refreshing set for ever
            log.exception("LoyaltyLion Headless configuration: unexpected error")
            self.outage.failed(error, "configuration")
        else:
            self.outage.answered()
        with self._lock:
            if configuration is not None:
                self._configuration, self._fetched_at = configuration, self._clock()
            self._refreshing = None
        return configuration

    # the page --------------------------------------------------------------------------

    def panel(
        self,
        customer: Customer | None,
        *,
        page_url: str | None = None,
        cart: Mapping[str, Any] | None = None,
    ) -> LoyaltyPanel:
        """What this page shows, in at most `budget` seconds."""
        deadline = self._clock() + self.budget
        configuration, pending_configuration = self._configuration_future()
        session: Future | None = None
        if customer is not None and not self.outage.resting():
            session = _submit(self._fetch_session, customer, page_url, cart)

        if configuration is None and pending_configuration is not None:
            configuration = _wait(pending_configuration, deadline - self._clock())
        if customer is None:
            return build_panel(configuration, None, GUEST if configuration else UNAVAILABLE)
        if session is None:
            return build_panel(configuration, None, UNAVAILABLE)
        outcome = _wait(session, deadline - self._clock())
        if outcome is None:
            # Late: this page does not wait. The call finishes in the background; only
            # if it then fails (the client's own timeouts) is it an outage.
            return build_panel(configuration, None, UNAVAILABLE)
        status, answer = outcome
        return build_panel(configuration, answer, status)

    def _fetch_session(
        self, customer: Customer, page_url: str | None, cart: Mapping[str, Any] | None
    ) -> tuple[str, dict[str, Any] | None]:
        try:
            answer = self.client().initialize_session(
                str(customer.id),
                customer={"email": customer.email},
                session={"page_url": page_url} if page_url else None,
                cart=cart,
            )
        except HeadlessNotFound:
            self.outage.answered()
            return NOT_YET_KNOWN, None
        except HeadlessUnprocessable as error:
            # The API answered; this customer cannot have a session (e.g. blocked).
            self.outage.answered()
            log.info("LoyaltyLion Headless session refused for %s: %s", customer.id, error.code)
            return NOT_YET_KNOWN, None
        except HeadlessError as error:
            self.outage.failed(error, "customer session")
            return UNAVAILABLE, None
        except Exception as error:
            log.exception("LoyaltyLion Headless session: unexpected error")
            self.outage.failed(error, "customer session")
            return UNAVAILABLE, None
        self.outage.answered()
        return READY, answer

    # claiming ----------------------------------------------------------------------------

    def redeem(self, customer: Customer, offer: RewardOffer) -> Redemption:
        """Claim `offer` for `customer`: points spent at LoyaltyLion, a code back."""
        if not offer.claimable_here:
            raise ClaimRefused("That reward can't be claimed on this site.")
        if self.outage.resting():
            raise ClaimRefused(UNAVAILABLE_MESSAGE, unavailable=True)
        try:
            answer = self.client().redeem(
                offer.kind, reward_id=offer.id, merchant_id=str(customer.id)
            )
        except HeadlessUnprocessable as error:
            raise ClaimRefused(error.shopper_message) from error
        except HeadlessNotFound as error:
            raise ClaimRefused("That reward is no longer available.") from error
        except HeadlessUnavailable as error:
            self.outage.failed(error, "redeem")
            if not error.ambiguous:  # never reached LoyaltyLion: nothing was claimed
                raise ClaimRefused(UNAVAILABLE_MESSAGE, unavailable=True) from error
            raise ClaimRefused(UNCONFIRMED_MESSAGE, maybe_done=True) from error
        except HeadlessError as error:
            self.outage.failed(error, "redeem")
            raise ClaimRefused(
                "Rewards are unavailable right now. Please try again shortly."
            ) from error
        self.outage.answered()
        return redemption_from(offer, answer)


def _submit(function: Callable[..., Any], *args: Any) -> Future | None:
    """Run `function` on the pool if a worker is free; None if every one is busy."""
    if not _SLOTS.acquire(blocking=False):
        return None

    def run() -> Any:
        try:
            return function(*args)
        finally:
            _SLOTS.release()

    try:
        return _POOL.submit(run)
    except RuntimeError:  # the interpreter is shutting down
        _SLOTS.release()
        return None


def _wait(future: Future, seconds: float) -> Any:
    try:
        return future.result(timeout=max(0.0, seconds))
    except FutureTimeout:
        return None


# -- from the API's documents to the panel --------------------------------------------------
# Field names as in LoyaltyLion's published types (typescript-headless-api-client,
# src/types/schemas.ts): SiteConfiguration, the customer of Initialize Session.


def _int(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def tiers_of(configuration: Mapping[str, Any] | None) -> tuple[Tier, ...]:
    tier_configuration = _dict(_dict(configuration).get("tier_configuration"))
    tiers = [
        Tier(
            id=_int(tier.get("id")),
            name=_text(tier.get("name")),
            position=_int(tier.get("position")),
        )
        for tier in map(_dict, _list(tier_configuration.get("tiers")))
        if not tier.get("hidden")
    ]
    return tuple(sorted(tiers, key=lambda tier: tier.position))


def _variant(rule_or_reward: Mapping[str, Any], tier_id: int | None) -> dict[str, Any]:
    """A customer's rule or reward has its one `variant`; the configuration's has
    `variants`, one per tier: the customer's tier's, else the first enabled one."""
    if isinstance(rule_or_reward.get("variant"), dict):
        return rule_or_reward["variant"]
    variants = [_dict(v) for v in _list(rule_or_reward.get("variants"))]
    for variant in variants:
        if variant.get("tier_id") == tier_id and variant.get("enabled", True):
            return variant
    return next((v for v in variants if v.get("enabled", True)), {})


def _result_text(variant: Mapping[str, Any]) -> str:
    for key in ("result_short_text", "result_text"):
        if isinstance(variant.get(key), str) and variant[key]:
            return variant[key]
    result = _dict(variant.get("result"))
    points = result.get("points")
    if isinstance(points, int):
        return f"{points} points"
    return ""


_BLOCKED = {
    "insufficient_points": "Not enough points yet",
    "claim_limit_reached": "Claimed as often as allowed",
    "cart_requirements_not_met": "Your cart doesn't qualify yet",
    "max_redemptions_for_cart_reached": "Already used on this cart",
    "out_of_stock": "Out of stock",
    "unknown": "Not available right now",
}


def _blocked_by(reward: Mapping[str, Any]) -> str | None:
    can_redeem = _dict(_dict(reward.get("context")).get("can_redeem"))
    state = can_redeem.get("state")
    if state in (None, "redeemable"):
        return None
    return _BLOCKED.get(state, "Not available right now")


def build_panel(
    configuration: Mapping[str, Any] | None, answer: Mapping[str, Any] | None, status: str
) -> LoyaltyPanel:
    """The panel from the configuration (None if it did not come) and the customer's
    session answer (None for a guest, or if it did not come)."""
    config = _dict(configuration)
    tiers = tiers_of(configuration)
    customer = _dict(_dict(answer).get("customer")) if answer is not None else {}
    membership = _dict(customer.get("tier_membership"))
    tier_id = membership.get("tier_id") if membership else None
    by_id = {tier.id: tier for tier in tiers}
    progress = _dict(membership.get("progress"))

    rules = _list(customer.get("available_rules")) if customer else _list(config.get("rules"))
    ways = []
    for rule in map(_dict, rules):
        variant = _variant(rule, tier_id)
        if variant and variant.get("enabled", True) and _text(variant.get("title")):
            ways.append(WayToEarn(title=variant["title"], result=_result_text(variant)))

    rewards = _list(customer.get("available_rewards")) if customer else _list(config.get("rewards"))
    offers = []
    for reward in map(_dict, rewards):
        variant = _variant(reward, tier_id)
        if not variant or not variant.get("enabled", True):
            continue
        offers.append(
            RewardOffer(
                id=_int(reward.get("id")),
                kind=_text(reward.get("kind")),
                title=_text(variant.get("title")),
                cost_text=_text(variant.get("cost_text")),
                blocked_by=_blocked_by(reward) if customer else "Log in to claim",
            )
        )

    claimed = []
    for item in map(_dict, _list(customer.get("claimed_rewards"))):
        redeemable = _dict(item.get("redeemable"))
        source = _dict(item.get("source"))
        claimed.append(
            ClaimedReward(
                id=_int(item.get("id")),
                title=_text(item.get("title")),
                claimed_at=_text(item.get("claimed_at")),
                code=redeemable.get("code") if isinstance(redeemable.get("code"), str) else None,
                used=redeemable.get("usage_status") not in (None, "not_used"),
                points_cost=source.get("points_cost")
                if isinstance(source.get("points_cost"), int)
                else None,
            )
        )
    claimed.sort(key=lambda item: item.claimed_at, reverse=True)

    history = tuple(
        HistoryEntry(
            label=_text(entry.get("label")),
            date=_text(entry.get("date")),
            points_text=_text(entry.get("points_text")),
            state=_text(entry.get("state")),
        )
        for entry in map(_dict, _list(customer.get("history")))
        if _text(entry.get("label"))
    )
    referral = _dict(customer.get("referral_urls")).get("direct")

    upgrade_id = progress.get("upgrade_tier_id")
    points_needed = progress.get("points_needed_for_upgrade")
    return LoyaltyPanel(
        status=status if (customer or status != READY) else NOT_YET_KNOWN,
        program_name=_text(_dict(config.get("program")).get("name")),
        points_approved=_int(customer.get("points_approved")),
        points_pending=_int(customer.get("points_pending")),
        points_spent=_int(customer.get("points_spent")),
        tier=by_id.get(tier_id) if isinstance(tier_id, int) else None,
        next_tier=by_id.get(upgrade_id) if isinstance(upgrade_id, int) else None,
        points_to_next_tier=points_needed if isinstance(points_needed, int) else None,
        tiers=tiers,
        ways_to_earn=tuple(ways),
        rewards=tuple(offers),
        claimed=tuple(claimed),
        history=history,
        referral_url=referral if isinstance(referral, str) and referral else None,
        has_program=configuration is not None,
    )


def redemption_from(offer: RewardOffer, answer: Mapping[str, Any]) -> Redemption:
    """A redeem answer: `voucher_code`, `claimed_reward` and the updated `customer`."""
    code = answer.get("voucher_code")
    if not isinstance(code, str) or not code:
        code = _dict(_dict(answer.get("claimed_reward")).get("redeemable")).get("code")
    if not isinstance(code, str) or not code:
        raise ClaimRefused(UNCONFIRMED_MESSAGE, maybe_done=True)
    claimed = _dict(answer.get("claimed_reward"))
    customer = _dict(answer.get("customer"))
    points = customer.get("points_approved")
    return Redemption(
        reward_id=offer.id,
        kind=offer.kind,
        title=_text(claimed.get("title")) or offer.title,
        code=code,
        claimed_at=_text(claimed.get("claimed_at")),
        points_approved=points if isinstance(points, int) else None,
    )
