"""Settings of the test run: the project's own, with the development mode `make run` uses.

Tests that check production behaviour start their own server or command with the environment they
mean (tests/helpers/servers.py, tests/config/test_settings.py).
"""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("DJANGO_DEBUG", "1")
if "CATALOG_CACHE_DIR" not in os.environ:
    # The embedded defaults' shared token files: this run's own (servers it starts inherit them),
    # never those of a `make run` in the same checkout.
    os.environ["CATALOG_CACHE_DIR"] = tempfile.mkdtemp(prefix="catalog-test-cache-")
    atexit.register(shutil.rmtree, os.environ["CATALOG_CACHE_DIR"], ignore_errors=True)

from config.settings import *  # noqa: E402, F403

# Scheduled switches are recorded by what a test runs (catalog_tick, a service), as with a worker; the
# in-process tick of `make run` is on only where a test turns it on (tests/conftest.py), and off while
# tests are collected (schemathesis reads the schema then, outside any test's database access).
CATALOG_TICK_ON_REQUEST = False
