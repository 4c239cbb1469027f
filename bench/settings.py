"""Benchmark settings: the project's settings plus the floor view's URL.

BENCH_TOKENS_IN_PROCESS=1 keeps the embedded default's tokens in process memory, as they were
before issue 14 (bench/hit_cost.py's baseline; not correct across processes).
"""

import os

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

if os.environ.get("BENCH_TOKENS_IN_PROCESS") == "1" and "tokens" in CACHES:  # noqa: F405
    CACHES["tokens"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tokens"}  # noqa: F405

# bench/connection.py: Django's own PostgreSQL backend (a `SELECT 1` before each request's first query).
if os.environ.get("BENCH_STOCK_BACKEND") == "1" and DATABASES["default"]["ENGINE"] == "config.postgresql":  # noqa: F405
    DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"  # noqa: F405
