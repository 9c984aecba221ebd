"""Delivery metrics in Prometheus's text format (prometheus-client).

Two kinds, kept apart because they live in different places:

* what the worker processes saw (deliveries by outcome and status, their latency, the
  429s): counters and a histogram in each process. With several processes on one
  machine, set PROMETHEUS_MULTIPROC_DIR to an empty directory for all of them (`make
  serve` does) and `exposition()` adds up every process's figures;
* what the queue holds (events by status, the age of the oldest pending one): read
  from the database at each scrape, so any web process on any machine reports the
  same, whole truth.

The store serves `exposition()` at a URL of its choosing, behind its own protection
(the reference shop: /metrics, off unless METRICS_TOKEN is set).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session

from . import outbox
from .instruments import DELIVERIES, LATENCY, RATE_LIMITED
from .models import DEAD, DELIVERED, DELIVERING, PENDING, SUPERSEDED, utcnow


class OutboxCollector(Collector):
    """The queue as the database has it, read when Prometheus scrapes."""

    def __init__(self, session: Session):
        self.session = session

    def collect(self) -> Iterator[GaugeMetricFamily]:
        status = outbox.queue_status(self.session)
        depth = GaugeMetricFamily(
            "loyaltylion_outbox_events",
            "Events in the outbox by status (dead: refused for good or out of attempts).",
            labels=["status"],
        )
        for name, count in (
            (PENDING, status.pending),
            (DELIVERING, status.delivering),
            (DELIVERED, status.delivered),
            (DEAD, status.dead),
            (SUPERSEDED, status.superseded),
        ):
            depth.add_metric([name], count)
        yield depth
        oldest = status.oldest_pending_at
        age = (utcnow() - oldest).total_seconds() if oldest else 0.0
        yield GaugeMetricFamily(
            "loyaltylion_outbox_oldest_pending_age_seconds",
            "Age of the oldest event not yet delivered (0 when none is waiting).",
            value=max(age, 0.0),
        )


def exposition(session: Session) -> tuple[bytes, str]:
    """The metrics page: its body and its Content-Type."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in (DELIVERIES, LATENCY, RATE_LIMITED):
            registry.register(collector)
    registry.register(OutboxCollector(session))
    return generate_latest(registry), CONTENT_TYPE_LATEST
