"""Prometheus metrics, one registry per app (so several apps in one process do not collide)."""

from __future__ import annotations

from functools import lru_cache

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """Request counts and latency, decisions per label, queue depth and the model version."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "comments_http_requests", "HTTP requests.", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "comments_http_request_duration_seconds",
            "Request latency.",
            ["route"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.decisions = Counter(
            "comments_decisions", "Scoring decisions per label.", ["label", "decision"], registry=self.registry
        )
        self.reviews = Counter("comments_review_decisions", "Reviewer decisions.", ["action"], registry=self.registry)
        self.queue_depth = Gauge("comments_queue_depth", "Items awaiting review.", registry=self.registry)
        self.model = Gauge("comments_model_info", "The loaded model (value 1).", ["version"], registry=self.registry)
        # Label lookups take a lock and build a key each time; the label sets here are small and fixed.
        self.decision_child = lru_cache(maxsize=64)(self.decisions.labels)
        self.request_children = lru_cache(maxsize=1024)(self._request_children)

    def _request_children(self, method: str, route: str, status: int) -> tuple:
        return self.requests.labels(method, route, str(status)), self.latency.labels(route)

    def count_decisions(self, results) -> None:
        """Count each scored comment's decision per label."""
        for res in results:
            for label, decision in res.decisions.items():
                self.decision_child(label, decision).inc()
