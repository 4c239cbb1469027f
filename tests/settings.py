"""Settings of the test run: the project's own, with the development mode `make run` uses.

Tests that check production behaviour start their own server or command with the environment they
mean (tests/helpers.py, tests/config/test_settings.py).
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")

from config.settings import *  # noqa: E402, F403
