"""The database connection as deployed (config/settings.py's OPTIONS, config/postgresql's health check).

A server of the project (gunicorn, production settings) reads from a private PostgreSQL that logs
every statement it receives, so what each request sends is counted at the server: a connection in
steady use is not asked `SELECT 1` before each request, statements a connection repeats are
prepared (server-side binding), a server restart costs no learner an error, and so does PgBouncer
in transaction pooling with the settings docs/deploy.md gives.
"""

import os
import subprocess
import sys
import urllib.request

import psycopg
import pytest
from django.db import connection

from catalog import services
from catalog.domain.records import clean_record
from tests.helpers.api import detail
from tests.helpers.pgbouncer import pgbouncer
from tests.helpers.servers import ROOT, gunicorn, postgres_server, server_env

pytestmark = pytest.mark.postgres_only
# Behind PgBouncer (`make test-pgbouncer`) the test's connection has no backend of its own.
POOLED = bool(os.environ.get("PGBOUNCER_ADMIN_URL"))

DETAIL_READ = "SELECT l.detail"  # the start of a course detail's one read (catalog.selectors.learners)


@pytest.fixture(scope="module")
def database():
    """A private server with the schema and the demo catalog; yields (server, URL, a live slug)."""
    with postgres_server("log_statement = 'all'") as server:
        url = f"postgres://postgres@127.0.0.1:{server.port}/catalog"
        env = server_env(database_url=url, DATABASE_TRANSACTION_POOLING=None, REDIS_URL=None)
        for command in (["migrate", "-v0"], ["load_demo"]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
        with psycopg.connect(url) as conn:
            (slug,) = conn.execute(
                "SELECT slug FROM catalog_course WHERE status = 'published' ORDER BY id LIMIT 1"
            ).fetchone()
        yield server, url, slug


def project(url: str, **env):
    """The project under gunicorn (one worker, so one kept connection), every learner read a miss."""
    return gunicorn(database_url=url, CATALOG_CACHE_ENABLED="0", REDIS_URL=None, **env)


def reads(base: str, slug: str, times: int) -> list[int]:
    statuses = []
    for _ in range(times):
        try:
            with urllib.request.urlopen(base + detail(slug), timeout=15) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)
    return statuses


def test_a_connection_in_steady_use_is_not_asked_select_1_before_each_request(database):
    """Django's CONN_HEALTH_CHECKS would cost one `SELECT 1` per request (a round trip as long as the
    detail's read); the backend asks the socket instead."""
    server, url, slug = database
    with project(url, DATABASE_TRANSACTION_POOLING=None) as base:
        assert reads(base, slug, 3) == [200] * 3
        start = server.log_size()
        assert reads(base, slug, 20) == [200] * 20
        log = server.log_since(start)
    assert log.count(DETAIL_READ) == 20  # every request reached the server...
    assert log.count("SELECT 1") == 0  # ...and none was preceded by a health check's round trip


def test_statements_a_connection_repeats_are_prepared(database):
    server, url, slug = database
    with project(url, DATABASE_TRANSACTION_POOLING=None) as base:
        start = server.log_size()
        assert reads(base, slug, 8) == [200] * 8
        log = server.log_since(start)
    prepared = [line for line in log.splitlines() if DETAIL_READ in line and "execute _pg3_" in line]
    assert 1 <= len(prepared) <= 8 - 4  # psycopg prepares a statement on its fifth run


def test_with_transaction_pooling_nothing_is_prepared(database):
    server, url, slug = database
    with project(url, DATABASE_TRANSACTION_POOLING="1") as base:
        start = server.log_size()
        assert reads(base, slug, 8) == [200] * 8
        log = server.log_since(start)
    assert log.count(DETAIL_READ) == 8
    assert "_pg3_" not in log


def test_a_server_restart_costs_no_learner_an_error(database):
    """A fast shutdown tells every session; the kept connection has that news on its socket, so the
    next request replaces it before reading."""
    server, url, slug = database
    with project(url, DATABASE_TRANSACTION_POOLING=None) as base:
        assert reads(base, slug, 6) == [200] * 6
        server.restart()
        assert reads(base, slug, 3) == [200] * 3


def test_pgbouncer_in_transaction_pooling_with_the_documented_settings(database):
    """docs/deploy.md's settings behind PgBouncer (Debian's 1.18, which keeps no prepared statements
    across transactions): learners read, editors write, and a PostgreSQL restart behind it is
    handled by PgBouncer (the client's connection to it stays)."""
    server, _url, slug = database
    with pgbouncer(port=server.port, pool_size=2) as port:
        url = f"postgres://postgres@127.0.0.1:{port}/catalog"
        with project(url, DATABASE_TRANSACTION_POOLING="1") as base:
            assert reads(base, slug, 12) == [200] * 12
            server.restart()
            assert reads(base, slug, 6) == [200] * 6


@pytest.mark.skipif(not os.environ.get("PGBOUNCER_ADMIN_URL"), reason="`make test-pgbouncer` runs it behind PgBouncer")
@pytest.mark.django_db(transaction=True)
def test_the_suite_reaches_postgresql_through_pgbouncer_in_transaction_pooling():
    """`make test-pgbouncer`'s slice really goes through the pooler, with docs/deploy.md's settings."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        (name,) = cursor.fetchone()
    with psycopg.connect(os.environ["PGBOUNCER_ADMIN_URL"], autocommit=True) as console:
        config = {row[0]: row[1] for row in console.execute("SHOW CONFIG").fetchall()}
        clients = console.execute("SHOW CLIENTS")
        column = [c.name for c in clients.description].index("database")
        databases = {row[column] for row in clients.fetchall()}
    assert config["pool_mode"] == "transaction"
    assert name in databases
    options = connection.settings_dict["OPTIONS"]
    assert "prepare_threshold" not in options and "server_side_binding" not in options
    assert connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] is True


@pytest.mark.skipif(
    bool(os.environ.get("PGBOUNCER_ADMIN_URL")),
    reason="behind PgBouncer the backends are the pooler's (test_pgbouncer_in_transaction_pooling_... covers it)",
)
@pytest.mark.django_db(transaction=True)
def test_a_connection_whose_backend_was_terminated_is_replaced_before_the_next_read():
    """The health check asks the socket, not the server: a connection whose backend was terminated
    (an administrator, an idle timeout) is noticed and replaced, so the next read still answers 200."""
    kept = {"slug": "kept", "title": "Kept", "topic": "Web", "status": "published"}
    services.courses_upsert(
        records=[clean_record({**kept, "units": [{"title": "Basics", "modules": [{"title": "One"}]}]})]
    )
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@127.0.0.1:{db.get('PORT') or 5432}/{db['NAME']}"
    with project(url, DATABASE_TRANSACTION_POOLING=None) as base, psycopg.connect(url, autocommit=True) as admin:
        assert reads(base, "kept", 1) == [200]
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            own = cursor.fetchone()[0]
        ended = admin.execute(  # the server's: every backend of this database but the test's own two
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid NOT IN (pg_backend_pid(), %s)",
            [own],
        ).fetchone()[0]
        assert ended >= 1
        assert reads(base, "kept", 3) == [200] * 3


@pytest.mark.skipif(POOLED, reason="behind PgBouncer the backends are the pooler's")
@pytest.mark.django_db(transaction=True)
def test_a_connection_idle_for_longer_than_the_check_is_asked_select_1():
    """After a pause a connection may have been cut without a word (a failover, a NAT forgetting it),
    which only a round trip tells; in steady use the socket is asked instead. What the connection's
    backend last ran is read from the server (pg_stat_activity), by another connection."""
    from config.postgresql.base import IDLE_CHECK

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    with psycopg.connect(url, autocommit=True) as observer:

        def last_query():
            return observer.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()[0]

        connection.checked_at -= IDLE_CHECK + 1  # the last check was longer ago than IDLE_CHECK
        assert connection.is_usable()
        assert last_query() == "SELECT 1"
        with connection.cursor() as cursor:
            cursor.execute("SELECT 'steady'")
        assert connection.is_usable()  # checked a moment ago: the socket is asked, not the server
        assert last_query() == "SELECT 'steady'"
        connection.checked_at -= IDLE_CHECK + 1
        assert connection.is_usable()
        assert last_query() == "SELECT 1"
