"""The delivery worker's own figures (metrics.py serves them): counters and a histogram
in each process, added up across processes when PROMETHEUS_MULTIPROC_DIR is set."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

DELIVERIES = Counter(
    "loyaltylion_deliveries",
    "Delivery attempts by outcome (delivered, retried, dead) and the API's answer "
    "(2xx, an HTTP status, or none: a timeout or connection error).",
    ["outcome", "status"],
)
LATENCY = Histogram(
    "loyaltylion_delivery_latency_seconds",
    "Time spent waiting on LoyaltyLion's API for one event (pacing excluded).",
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
RATE_LIMITED = Counter(
    "loyaltylion_rate_limited", "429 Too Many Requests answers from LoyaltyLion's API."
)


def observe_delivery(outcome: str, status: str, seconds: float) -> None:
    DELIVERIES.labels(outcome=outcome, status=status).inc()
    LATENCY.observe(seconds)
