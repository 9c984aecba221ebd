"""Durable, ordered, retried delivery of events to LoyaltyLion (the transactional outbox).

Writing: `enqueue()` adds a row to the caller's session. It commits or rolls back with
the signup or order change it describes, so an event exists exactly when its change does.

Delivering: a `Deliverer` claims due rows in one UPDATE (FOR UPDATE SKIP LOCKED on
PostgreSQL: safe with any number of workers, on any number of machines), sends them
at the pace of the budget every worker shares (ratelimit.SharedRatePacer), and records
the outcome:

* in order per stream, and a stream holds exactly the events that depend on each
  other, so one that LoyaltyLion rejects for good holds back only those:
    - `order:<merchant_id>`: the order's create, then its updates (an update of an
      order LoyaltyLion does not have is refused);
    - `customer:<id>`: the `$signup`, then the customer's profile updates (PATCH needs
      the customer to exist);
    - `activity:<name>/<merchant_id>`: any other activity, then its state changes
      (PUT .../activities/{name}/{merchant_id} needs it).
  Only the oldest undelivered event of a stream is ever eligible, so an update never
  overtakes its create;
* full-state events (order updates, profile updates) carry the whole current state, so
  a dead one does not hold back a later one of its kind, and is `superseded` once that
  later one is delivered (retrying it would send stale state);
* retried with exponential backoff and jitter on timeouts, connection errors, 429 and
  5xx, honouring Retry-After; moved to `dead` with the error kept on a permanent error
  (4xx) or after `max_attempts`;
* a claim is a lease: if a worker dies mid-batch, its events are claimed again when the
  lease runs out. Delivery is therefore at-least-once, and every call is made safe to
  repeat: order updates are full-state and idempotent; a create that LoyaltyLion
  already has is detected (GET /v2/orders/{id}) and counted as delivered, never sent
  as a second order; a 404 on an update re-sends the create first, then the update.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from . import instruments
from .client import LoyaltyLionClient
from .errors import PermanentError, RetryableError
from .models import (
    DEAD,
    DELIVERED,
    DELIVERING,
    KIND_ACTIVITY,
    KIND_ACTIVITY_STATE,
    KIND_CUSTOMER_UPDATE,
    KIND_ORDER_CREATE,
    KIND_ORDER_UPDATE,
    PENDING,
    PRIORITY_LIVE,
    SETTLED,
    SUPERSEDED,
    OutboxEvent,
    utcnow,
)
from .ratelimit import RatePacer

log = logging.getLogger(__name__)


# Events that carry the whole current state of what they describe: a later one makes an
# earlier one pointless.
FULL_STATE_KINDS = (KIND_ORDER_UPDATE, KIND_CUSTOMER_UPDATE)
_STREAM_MAX = 100  # the column's length


def _stream(prefix: str, key: str) -> str:
    stream = f"{prefix}:{key}"
    if len(stream) <= _STREAM_MAX:
        return stream
    return f"{prefix}:sha1:{hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()}"


def order_stream(merchant_id: str) -> str:
    return _stream("order", str(merchant_id))


def subjects(session: Session, events: list[OutboxEvent]) -> dict[int, str]:
    """What each event is about, in the store's words: "Order #1002" (the number its
    create carried, as the store's admin shows it), "Customer 5"; {event id: label}.
    One query for a page of events; an event with no better label is left out."""
    order_streams = {e.stream for e in events if e.stream.startswith("order:") and e.target}
    numbers: dict[str, str] = {}
    if order_streams:
        # By stream (indexed), so a page of the log stays fast on a table of millions.
        creates = session.execute(
            select(OutboxEvent.target, OutboxEvent.payload).where(
                OutboxEvent.stream.in_(order_streams), OutboxEvent.kind == KIND_ORDER_CREATE
            )
        )
        for target, payload in creates:
            try:
                number = json.loads(payload).get("merchant_number")
            except (ValueError, AttributeError):
                continue
            if isinstance(number, str | int) and str(number):
                numbers[target] = f"Order #{number}"
    labels = {}
    for event in events:
        if event.stream.startswith("order:") and event.target in numbers:
            labels[event.id] = numbers[event.target]
        elif event.stream.startswith("customer:") and event.customer_id:
            labels[event.id] = f"Customer {event.customer_id}"
    return labels


def customer_stream(customer_id: str | int) -> str:
    """The customer's `$signup` and profile updates."""
    return _stream("customer", str(customer_id))


def activity_stream(name: str, merchant_id: str | None) -> str:
    """One activity and its later state changes; an activity without a merchant_id
    has no later changes, so it stands alone."""
    return _stream("activity", f"{name}/{merchant_id}" if merchant_id else uuid.uuid4().hex)


def enqueue(
    session: Session,
    *,
    kind: str,
    stream: str,
    payload: dict[str, Any],
    target: str | None = None,
    customer_id: str | int | None = None,
    priority: int = PRIORITY_LIVE,
) -> OutboxEvent:
    """Add an event to the caller's transaction. No network, no commit."""
    event = OutboxEvent(
        kind=kind,
        priority=priority,
        stream=stream,
        target=target,
        payload=json.dumps(payload, separators=(",", ":"), sort_keys=True),
        customer_id=str(customer_id) if customer_id is not None else None,
        status=PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
    )
    session.add(event)
    return event


def hold_unsent_create(session: Session, merchant_id: str) -> bool:
    """True when the order's create has not gone out (pending, or dead), and then it
    stays unsent until the caller's transaction ends: the no-op UPDATE takes the row's
    lock on PostgreSQL and the database's write lock on SQLite, so a worker's claim
    waits. The caller may then rewrite it (`refresh_unsent_create`) and commit.

    False when LoyaltyLion has the order, or it is on its way (claimed), or no create
    was ever recorded (an order from before the integration: it may be there)."""
    result = session.execute(
        update(OutboxEvent)
        .where(
            OutboxEvent.stream == order_stream(merchant_id),
            OutboxEvent.kind == KIND_ORDER_CREATE,
            OutboxEvent.status.in_([PENDING, DEAD]),
        )
        .values(status=OutboxEvent.status)
        .execution_options(synchronize_session=False)
    )
    return (result.rowcount or 0) > 0


# Where the shopper came from (referrals.py): known only when the order was placed.
_ATTRIBUTION_FIELDS = ("referral_id", "tracking_id")


def refresh_unsent_create(session: Session, merchant_id: str, payload: dict[str, Any]) -> bool:
    """Replace the body of the order's create if it has not gone out yet, so LoyaltyLion
    receives the order as it is now; the updates waiting behind it are then stale, and
    superseded. True if the create was replaced. In the caller's transaction.

    Safe against a worker: no update of the order can be in flight while its create is
    unsent (the stream's order), and the UPDATE locks the create until the caller
    commits, so the worker cannot claim it meanwhile. If the worker claimed it first,
    nothing changes here and the updates go out after it as usual.

    The referral and email ids the create was recorded with stay: they came from the
    shopper's request, which the store's later snapshot of the order knows nothing of."""
    stream = order_stream(merchant_id)
    unsent = (
        OutboxEvent.stream == stream,
        OutboxEvent.kind == KIND_ORDER_CREATE,
        OutboxEvent.status.in_([PENDING, DEAD]),
    )
    waiting = session.execute(select(OutboxEvent.payload).where(*unsent)).scalar()
    if waiting is None:
        return False
    recorded = json.loads(waiting)
    for key in _ATTRIBUTION_FIELDS:
        if key in recorded and key not in payload:
            payload = {**payload, key: recorded[key]}
    refreshed = session.execute(
        update(OutboxEvent)
        .where(*unsent)
        .values(payload=json.dumps(payload, separators=(",", ":"), sort_keys=True))
        .execution_options(synchronize_session=False)
    ).rowcount
    if not refreshed:
        return False
    session.execute(
        update(OutboxEvent)
        .where(
            OutboxEvent.stream == stream,
            OutboxEvent.kind == KIND_ORDER_UPDATE,
            OutboxEvent.status.in_([PENDING, DEAD]),
        )
        .values(status=SUPERSEDED, last_error="superseded: the waiting create carries this state")
        .execution_options(synchronize_session=False)
    )
    return True


# What a customer who leaves takes with them: their own activities and profile. Their
# orders stay (kept records), so a later refund or cancellation still reaches LoyaltyLion.
_CUSTOMER_OWN_KINDS = (KIND_ACTIVITY, KIND_ACTIVITY_STATE, KIND_CUSTOMER_UPDATE)
# Optional order fields that describe the shopper's browser rather than the order.
_SHOPPER_FIELDS = ("ip_address", "user_agent")


def last_delivered_for(session: Session, customer_id: str | int) -> datetime | None:
    """When an event about this customer last reached LoyaltyLion (their points may
    have changed since): headless pages use it to know a cached figure is stale."""
    return session.execute(
        select(func.max(OutboxEvent.delivered_at)).where(
            OutboxEvent.customer_id == str(customer_id)
        )
    ).scalar_one()


def forget_customer(session: Session, customer_id: str | int) -> int:
    """A customer left the program: drop their activity and profile events not yet
    sent, and strip their IP address and user agent from unsent order creates. Returns
    how many events were dropped. In the caller's transaction."""
    unsent = [PENDING, DEAD]
    dropped = session.execute(
        delete(OutboxEvent)
        .where(
            OutboxEvent.customer_id == str(customer_id),
            OutboxEvent.kind.in_(_CUSTOMER_OWN_KINDS),
            OutboxEvent.status.in_(unsent),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    creates = session.execute(
        select(OutboxEvent).where(
            OutboxEvent.customer_id == str(customer_id),
            OutboxEvent.kind == KIND_ORDER_CREATE,
            OutboxEvent.status.in_(unsent),
        )
    ).scalars()
    for event in creates:
        payload = json.loads(event.payload)
        if any(key in payload for key in _SHOPPER_FIELDS):
            for key in _SHOPPER_FIELDS:
                payload.pop(key, None)
            event.payload = json.dumps(payload, separators=(",", ":"), sort_keys=True)
    return dropped or 0


@dataclass(frozen=True)
class RetryPolicy:
    base_delay: float = 2.0  # seconds before the first retry
    max_delay: float = 3600.0  # backoff ceiling
    max_attempts: int = 25  # about a day of retries at the ceiling, then `dead`

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        """Exponential backoff with jitter; a server's Retry-After wins when it is longer."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** max(attempts - 1, 0)))
        jittered = random.uniform(ceiling / 2, ceiling)
        return max(jittered, retry_after) if retry_after is not None else jittered


@dataclass
class DeliveryStats:
    delivered: int = 0
    retried: int = 0
    dead: int = 0

    @property
    def handled(self) -> int:
        return self.delivered + self.retried + self.dead


class Deliverer:
    """Claims and delivers outbox events. One per worker thread (it holds a session)."""

    def __init__(
        self,
        session: Session,
        client: LoyaltyLionClient,
        pacer: RatePacer,
        *,
        policy: RetryPolicy | None = None,
        lease_seconds: float = 60.0,
        worker_id: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        recreate_order: Callable[[str], dict[str, Any] | None] | None = None,
    ):
        self.session = session
        self.client = client
        self.pacer = pacer
        self.policy = policy or RetryPolicy()
        self.lease = timedelta(seconds=lease_seconds)
        self.worker_id = worker_id or uuid.uuid4().hex[:12]
        self.clock = clock
        # Builds a create payload for an order the outbox holds no create for (e.g. one
        # placed before the integration was switched on). Optional.
        self.recreate_order = recreate_order
        self._api_seconds = 0.0  # time spent in API calls for the event in hand

    # -- claiming ------------------------------------------------------------------------

    def _due(self, now: datetime):
        return or_(
            and_(OutboxEvent.status == PENDING, OutboxEvent.next_attempt_at <= now),
            and_(OutboxEvent.status == DELIVERING, OutboxEvent.locked_until < now),
        )

    def claim(self, limit: int = 20) -> list[OutboxEvent]:
        """Claim up to `limit` due events, each the head of its stream. Commits.

        One statement, WITH due_heads AS (...) UPDATE ... RETURNING id, so two
        workers never claim one event: on PostgreSQL the heads are picked FOR UPDATE
        SKIP LOCKED (a worker passes over rows another is claiming, rather than waiting
        for them, and the row's conditions are checked again once locked); SQLite runs
        the whole statement under its database write lock.
        """
        now = self.clock()
        earlier = aliased(OutboxEvent)
        superseded_by_candidate = and_(
            earlier.status == DEAD,
            earlier.kind == OutboxEvent.kind,
            OutboxEvent.kind.in_(FULL_STATE_KINDS),
        )
        blocked = exists().where(
            earlier.stream == OutboxEvent.stream,
            earlier.id < OutboxEvent.id,
            earlier.status.not_in(SETTLED),
            ~superseded_by_candidate,
        )
        # A CTE, not a subquery in the WHERE: PostgreSQL may run an `IN (SELECT ...
        # LIMIT n SKIP LOCKED)` again for each row it updates, each time skipping the
        # rows it has just locked, and so claim far more than n. A locking CTE is run
        # once.
        due_heads = (
            select(OutboxEvent.id)
            .where(self._due(now), ~blocked)
            # The live shop's events first, then a backfill's (backfill.py).
            .order_by(OutboxEvent.priority, OutboxEvent.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=OutboxEvent)
            .cte("due_heads")
        )
        claimed = list(
            self.session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.id.in_(select(due_heads.c.id)), self._due(now))
                .values(
                    status=DELIVERING,
                    locked_by=self.worker_id,
                    locked_until=now + self.lease,
                    attempts=OutboxEvent.attempts + 1,
                )
                .returning(OutboxEvent.id)
                .execution_options(synchronize_session=False)
            ).scalars()
        )
        self.session.commit()
        if not claimed:
            return []
        return list(
            self.session.execute(
                select(OutboxEvent)
                .where(OutboxEvent.id.in_(claimed))
                .order_by(OutboxEvent.priority, OutboxEvent.id)
            ).scalars()
        )

    # -- delivering ----------------------------------------------------------------------

    def run_once(
        self, limit: int = 20, should_stop: Callable[[], bool] | None = None
    ) -> DeliveryStats:
        """Claim one batch and deliver it. Returns what happened.

        If `should_stop` turns true mid-batch, the events not yet sent are released
        at once (rather than waiting out their lease) and the batch ends.
        """
        stats = DeliveryStats()
        batch = self.claim(limit)
        for index, event in enumerate(batch):
            if should_stop is not None and should_stop():
                self.release(batch[index:])
                break
            outcome = self.deliver(event)
            setattr(stats, outcome, getattr(stats, outcome) + 1)
        return stats

    def release(self, events: list[OutboxEvent]) -> None:
        """Hand claimed, unsent events back to the queue (their attempt not counted)."""
        self.session.execute(
            update(OutboxEvent)
            .where(
                OutboxEvent.id.in_([event.id for event in events]),
                OutboxEvent.locked_by == self.worker_id,
            )
            .values(
                status=PENDING,
                locked_by=None,
                locked_until=None,
                attempts=OutboxEvent.attempts - 1,
            )
            .execution_options(synchronize_session=False)
        )
        self.session.commit()

    def deliver(self, event: OutboxEvent) -> str:
        """Send one claimed event and record the outcome: delivered | retried | dead.

        Logs one line per attempt (event id, kind, stream, outcome, status, latency: ids
        only, no personal data) and counts it (instruments.py)."""
        self._api_seconds = 0.0
        outcome, status = self._attempt(event)
        log.info(
            "LoyaltyLion delivery event=%s kind=%s stream=%s outcome=%s status=%s latency_ms=%.0f",
            event.id,
            event.kind,
            event.stream,
            outcome,
            status,
            self._api_seconds * 1000,
        )
        instruments.observe_delivery(outcome, status, self._api_seconds)
        return outcome

    def _attempt(self, event: OutboxEvent) -> tuple[str, str]:
        """Send, record the outcome, and return it with the API's answer (2xx, an HTTP
        status, or "none" when no answer came)."""
        try:
            self._send(event)
        except RetryableError as error:
            answer = str(error.status) if error.status else "none"
            if error.status == 429:
                instruments.RATE_LIMITED.inc()
                self.pacer.pause(error.retry_after if error.retry_after is not None else 1.0)
            if error.ambiguous and event.unconfirmed_since is None:
                self._mark_unconfirmed(event)
            if event.attempts >= self.policy.max_attempts:
                outcome = self._finish(
                    event, DEAD, f"gave up after {event.attempts} attempts: {error}", error.status
                )
                return outcome, answer
            delay = self.policy.delay(event.attempts, error.retry_after)
            log.warning(
                "LoyaltyLion event %s (%s %s) attempt %s failed, retrying in %.1fs: %s",
                event.id,
                event.kind,
                event.stream,
                event.attempts,
                delay,
                error,
            )
            outcome = self._finish(
                event,
                PENDING,
                str(error),
                error.status,
                next_attempt=self.clock() + timedelta(seconds=delay),
            )
            return outcome, answer
        except PermanentError as error:
            log.error(
                "LoyaltyLion event %s (%s %s) rejected, moved to dead: %s",
                event.id,
                event.kind,
                event.stream,
                error,
            )
            return self._finish(event, DEAD, str(error), error.status), str(error.status or "none")
        except Exception as error:  # a bug here must not lose the event: retry later
            log.exception("LoyaltyLion event %s: unexpected error", event.id)
            delay = self.policy.delay(event.attempts)
            outcome = self._finish(
                event,
                PENDING,
                f"{error.__class__.__name__}: {error}",
                None,
                next_attempt=self.clock() + timedelta(seconds=delay),
            )
            return outcome, "none"
        outcome = self._finish(event, DELIVERED, None, None)
        if event.kind in FULL_STATE_KINDS:
            self._supersede_before(event)
        return outcome, "2xx"

    def _mark_unconfirmed(self, event: OutboxEvent) -> None:
        now = self.clock()
        self.session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id == event.id, OutboxEvent.unconfirmed_since.is_(None))
            .values(unconfirmed_since=now)
            .execution_options(synchronize_session=False)
        )
        event.unconfirmed_since = now

    def _supersede_before(self, event: OutboxEvent) -> None:
        """A full-state event went through: dead ones of its kind before it are moot."""
        self.session.execute(
            update(OutboxEvent)
            .where(
                OutboxEvent.stream == event.stream,
                OutboxEvent.kind == event.kind,
                OutboxEvent.id < event.id,
                OutboxEvent.status == DEAD,
            )
            .values(status=SUPERSEDED, last_error=f"superseded by event {event.id}")
            .execution_options(synchronize_session=False)
        )
        self.session.commit()

    def _finish(
        self,
        event: OutboxEvent,
        status: str,
        error: str | None,
        http_status: int | None,
        next_attempt: datetime | None = None,
    ) -> str:
        values: dict[str, Any] = {
            "status": status,
            "locked_by": None,
            "locked_until": None,
            "last_error": error[:2000] if error else None,
            "last_status": http_status,
        }
        if status == DELIVERED:
            values["delivered_at"] = self.clock()
        if next_attempt is not None:
            values["next_attempt_at"] = next_attempt
        # Only while we still hold the lease: a worker that overran it must not
        # overwrite the outcome of whoever claimed the event next.
        self.session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id == event.id, OutboxEvent.locked_by == self.worker_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        self.session.commit()
        return {DELIVERED: "delivered", PENDING: "retried", DEAD: "dead"}[status]

    def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        self.pacer.acquire()
        started = time.perf_counter()
        try:
            return fn(*args)
        finally:
            self._api_seconds += time.perf_counter() - started

    def _send(self, event: OutboxEvent) -> None:
        payload = json.loads(event.payload)
        if event.kind == KIND_ACTIVITY:
            if event.unconfirmed_since is not None and self._already_recorded(event, payload):
                return
            self._call(self.client.track_activity, payload)
        elif event.kind == KIND_ACTIVITY_STATE:
            name, _, merchant_id = (event.target or "").partition("/")
            self._call(self.client.update_activity_state, name, merchant_id, payload["state"])
        elif event.kind == KIND_CUSTOMER_UPDATE:
            self._call(self.client.update_customer, event.target or "", payload)
        elif event.kind == KIND_ORDER_CREATE:
            self._create_order(payload)
        elif event.kind == KIND_ORDER_UPDATE:
            self._update_order(event, payload)
        else:
            raise PermanentError(f"unknown event kind {event.kind!r}", status=0)

    # How far back through List Activities a look-up goes (500 a page) before giving up.
    LOOKUP_MAX_PAGES = 50

    def _already_recorded(self, event: OutboxEvent, payload: dict[str, Any]) -> bool:
        """An earlier send of this activity got no clear answer: did LoyaltyLion record it?

        Re-sending would credit it twice (nothing in the docs de-duplicates activities on
        merchant_id), so look for it first in List Activities, which filters by date only:
        page back through what was recorded since a little before the event was queued,
        matching merchant_id (and the rule's name, when it has one). Without a
        merchant_id there is nothing to look for, and it is re-sent: give every activity
        a unique, stable merchant_id. A program so busy that the look-up cannot finish
        gets a RetryableError: better to ask again later than to credit twice.
        """
        merchant_id, name = payload.get("merchant_id"), payload["name"]
        if not merchant_id:
            log.warning(
                "LoyaltyLion event %s: re-sending an activity without a merchant_id; if the "
                "first send was recorded, it is credited twice",
                event.id,
            )
            return False
        since = event.created_at - timedelta(minutes=2)  # clock skew between the two sides
        cursor = None
        for _ in range(self.LOOKUP_MAX_PAGES):
            try:
                items, cursor = self._call(self.client.list_activities, since, cursor)
            except PermanentError as error:
                # A key without read access to activities, say: no way to tell.
                log.warning(
                    "LoyaltyLion event %s: could not look activity %s %s up (%s); sending it "
                    "again, which credits it twice if the first send was recorded",
                    event.id,
                    name,
                    merchant_id,
                    error,
                )
                return False
            for item in items:
                rule_name = (item.get("rule") or {}).get("name")
                if item.get("merchant_id") == merchant_id and rule_name in (name, None):
                    log.info(
                        "LoyaltyLion recorded activity %s %s on an earlier attempt: "
                        "not sending it again",
                        name,
                        merchant_id,
                    )
                    return True
            if not cursor:
                return False
        raise RetryableError(
            f"could not tell whether activity {name} {merchant_id} was recorded: more than "
            f"{self.LOOKUP_MAX_PAGES} pages of activities since {since:%Y-%m-%d %H:%M} UTC"
        )

    def _create_order(self, payload: dict[str, Any]) -> None:
        """POST the order; if LoyaltyLion refuses because it already has it, that's done."""
        try:
            self._call(self.client.create_order, payload)
        except PermanentError as error:
            if error.status in (400, 409, 422) and self._call(
                self.client.get_order, payload["merchant_id"]
            ):
                log.info(
                    "LoyaltyLion already has order %s; counting the create as delivered",
                    payload["merchant_id"],
                )
                return
            raise

    def _update_order(self, event: OutboxEvent, payload: dict[str, Any]) -> None:
        merchant_id = event.target or ""
        try:
            self._call(self.client.update_order, merchant_id, payload)
        except PermanentError as error:
            if not error.not_found:
                raise
            # LoyaltyLion never got the order (the official modules silently lose these).
            create = self._create_payload_for(event.stream, merchant_id)
            if create is None:
                raise PermanentError(
                    f"order {merchant_id} is unknown to LoyaltyLion and no create is on record",
                    status=404,
                ) from error
            log.warning("LoyaltyLion had no order %s: sending its create first", merchant_id)
            self._create_order(create)
            self._call(self.client.update_order, merchant_id, payload)

    def _create_payload_for(self, stream: str, merchant_id: str) -> dict[str, Any] | None:
        recorded = self.session.execute(
            select(OutboxEvent.payload)
            .where(OutboxEvent.stream == stream, OutboxEvent.kind == KIND_ORDER_CREATE)
            .order_by(OutboxEvent.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if recorded is not None:
            return json.loads(recorded)
        return self.recreate_order(merchant_id) if self.recreate_order else None


# -- operations -----------------------------------------------------------------------


@dataclass(frozen=True)
class QueueStatus:
    pending: int
    delivering: int
    delivered: int
    dead: int
    oldest_pending_at: datetime | None
    superseded: int = 0


def queue_status(session: Session) -> QueueStatus:
    counts = dict(
        session.execute(select(OutboxEvent.status, func.count()).group_by(OutboxEvent.status)).all()
    )
    oldest = session.execute(
        select(func.min(OutboxEvent.created_at)).where(
            OutboxEvent.status.in_([PENDING, DELIVERING])
        )
    ).scalar_one()
    return QueueStatus(
        pending=counts.get(PENDING, 0),
        delivering=counts.get(DELIVERING, 0),
        delivered=counts.get(DELIVERED, 0),
        dead=counts.get(DEAD, 0),
        oldest_pending_at=oldest,
        superseded=counts.get(SUPERSEDED, 0),
    )


@dataclass(frozen=True)
class OrderView:
    """An order as LoyaltyLion has it, or will once the queue has drained: the create
    (its totals are fixed once sent) and the latest full state."""

    total: str
    total_shipping: str
    payment_status: str
    refund_status: str
    cancellation_status: str
    total_paid: str
    total_refunded: str
    create_sent: bool  # LoyaltyLion has the create (or it is being sent now)
    unsent: int  # events of the order still to go
    dead: int  # events LoyaltyLion refused (see the delivery log)


def order_view(session: Session, merchant_id: str) -> OrderView | None:
    """What LoyaltyLion is told of this order, from the outbox; None if nothing was."""
    events = list(
        session.execute(
            select(OutboxEvent)
            .where(OutboxEvent.stream == order_stream(merchant_id))
            .order_by(OutboxEvent.id)
        ).scalars()
    )
    creates = [e for e in events if e.kind == KIND_ORDER_CREATE]
    if not creates:
        return None
    create = creates[-1]
    created = json.loads(create.payload)
    state = {
        "payment_status": created["payment_status"],
        "refund_status": "not_refunded",
        "cancellation_status": "not_cancelled",
        "total_paid": created.get("total_paid", "0.00"),
        "total_refunded": "0.00",
    }
    updates = [e for e in events if e.kind == KIND_ORDER_UPDATE and e.status != SUPERSEDED]
    if updates:
        state.update(json.loads(updates[-1].payload))
    return OrderView(
        total=created["total"],
        total_shipping=created["total_shipping"],
        create_sent=create.status in (DELIVERED, DELIVERING),
        unsent=sum(1 for e in events if e.status in (PENDING, DELIVERING)),
        dead=sum(1 for e in events if e.status == DEAD),
        **state,
    )


def _prunable(cutoff: datetime):
    """Settled events queued before `cutoff`, except the newest create and the newest
    update of each order: they are what LoyaltyLion was last told of it (order_view,
    the admin's order page and a 404's re-create read them), so an order keeps two
    rows at most, whatever its age."""
    later = aliased(OutboxEvent)
    superseded_by_later = exists().where(
        later.stream == OutboxEvent.stream,
        later.kind == OutboxEvent.kind,
        later.id > OutboxEvent.id,
    )
    return and_(
        OutboxEvent.status.in_(SETTLED),
        OutboxEvent.created_at < cutoff,
        or_(OutboxEvent.kind.not_in((KIND_ORDER_CREATE, KIND_ORDER_UPDATE)), superseded_by_later),
    )


def count_prunable(session: Session, cutoff: datetime) -> int:
    return session.execute(select(func.count()).where(_prunable(cutoff))).scalar_one()


def prune(
    session: Session,
    cutoff: datetime,
    *,
    batch_size: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Delete settled events queued before `cutoff` (see _prunable), `batch_size` rows
    per transaction so the table is never locked for long and the workers and the shop
    carry on meanwhile. Returns how many went. Commits."""
    batch = (
        select(OutboxEvent.id)
        .where(_prunable(cutoff))
        .order_by(OutboxEvent.id)
        .limit(batch_size)
        .scalar_subquery()
    )
    statement = (
        delete(OutboxEvent)
        .where(OutboxEvent.id.in_(batch))
        .execution_options(synchronize_session=False)
    )
    deleted = 0
    while True:
        count = session.execute(statement).rowcount
        session.commit()
        if not count:
            return deleted
        deleted += count
        if progress is not None:
            progress(count)


def retry_dead(session: Session, event_ids: list[int] | None = None) -> int:
    """Give dead events another round of attempts, now. Commits."""
    query = update(OutboxEvent).where(OutboxEvent.status == DEAD)
    if event_ids is not None:
        query = query.where(OutboxEvent.id.in_(event_ids))
    result = session.execute(
        query.values(
            status=PENDING, attempts=0, next_attempt_at=utcnow(), locked_by=None
        ).execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount or 0
