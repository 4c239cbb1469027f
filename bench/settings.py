"""Benchmark settings: the project's settings plus the floor view's URL.

BENCH_TOKENS_IN_PROCESS=1 keeps the embedded default's tokens in process memory, as they were
before issue 14 (bench/hit_cost.py's baseline; not correct across processes).
"""

import os

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

if os.environ.get("BENCH_TOKENS_IN_PROCESS") == "1" and "tokens" in CACHES:  # noqa: F405
    CACHES["tokens"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tokens"}  # noqa: F405
