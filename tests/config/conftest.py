"""Fixtures of the settings and production-mode tests."""

import pytest

from tests.config.test_settings import manage


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory):
    """A migrated SQLite file of its own (the servers here read it; nothing else does)."""
    path = tmp_path_factory.mktemp("production") / "db.sqlite3"
    url = f"sqlite:///{path}"
    result = manage("migrate", "--noinput", "-v0", DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    return url
