"""Benchmark settings: the project's settings plus the floor view's URL."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
