"""Prometheus metrics, off unless METRICS_ENABLED=1: requests, the learners' cache, the replica, imports.

Under gunicorn, PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py makes one) has every worker write its
own files, and /metrics sums them, so a scrape sees all workers whichever one answers it; an
`import_courses` run with the same directory and METRICS_ENABLED=1 is counted too. Without that
variable (runserver, a shell) the counts are this process's own. When metrics are off nothing here
is created, and the request middleware is not installed (config/settings.py).
"""

import functools
import os

from django.conf import settings

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def enabled() -> bool:
    return settings.METRICS_ENABLED


@functools.cache
def _metrics() -> dict:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
    from prometheus_client import Counter, Histogram

    return {
        "requests": Counter(
            "catalog_http_requests",
            "HTTP requests answered, by route, method and status",
            ["route", "method", "status"],
        ),
        "latency": Histogram(
            "catalog_http_request_duration_seconds",
            "Time to answer a request, by route",
            ["route"],
            buckets=LATENCY_BUCKETS,
        ),
        "hits": Counter("catalog_cache_hits", "Learner reads answered from the cache (X-Cache: HIT)"),
        "misses": Counter("catalog_cache_misses", "Learner reads built from the database (X-Cache: MISS)"),
        "invalidations": Counter("catalog_cache_invalidations", "Committed writes that replaced cache tokens"),
        "backoffs": Counter(
            "catalog_cache_backoffs",
            "Times Redis failed and the process served from the database for a while, by operation",
            ["during"],
        ),
        "replica": Counter(
            "catalog_replica_reads", "Learner requests routed to the replica or kept on the primary", ["database"]
        ),
        "import_files": Counter("catalog_import_files", "Files import_courses read, by result", ["result"]),
        "import_records": Counter(
            "catalog_import_records", "Course records import_courses read, by outcome", ["outcome"]
        ),
    }


@functools.lru_cache(maxsize=2048)
def _request_series(route: str, method: str, status: int) -> tuple:
    """The labelled counter and histogram of one kind of request (labels() costs more than inc())."""
    metrics = _metrics()
    return metrics["requests"].labels(route, method, str(status)), metrics["latency"].labels(route)


def request_done(*, route: str, method: str, status: int, seconds: float, cache: str | None) -> None:
    metrics = _metrics()
    counter, latency = _request_series(route, method if method in METHODS else "other", status)
    counter.inc()
    latency.observe(seconds)
    if cache == "HIT":
        metrics["hits"].inc()
    elif cache == "MISS":
        metrics["misses"].inc()


def invalidation() -> None:
    if enabled():
        _metrics()["invalidations"].inc()


def backoff(during: str) -> None:
    if enabled():
        _metrics()["backoffs"].labels(during).inc()


def replica_choice(database: str) -> None:
    if enabled():
        _metrics()["replica"].labels(database).inc()


def import_done(*, ok: bool, outcomes: dict[str, int]) -> None:
    if not enabled():
        return
    metrics = _metrics()
    metrics["import_files"].labels("ok" if ok else "failed").inc()
    for outcome, count in outcomes.items():
        if count:
            metrics["import_records"].labels(outcome).inc(count)


def exposition() -> bytes:
    """The text format of every metric, summed over the processes that share the directory."""
    from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess

    _metrics()  # declared, so that a scrape before any request still lists them (at zero)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)
