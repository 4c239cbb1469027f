"""PgBouncer in transaction pooling in front of a PostgreSQL server, for tests and `make test-pgbouncer`.

    python -m tests.helpers.pgbouncer pytest --reuse-db tests/...

Starts Debian's pgbouncer (1.18; PGBOUNCER to name another binary) on a free port in front of
DATABASE_URL's server, with `pool_mode = transaction`, and runs the command with the settings
docs/deploy.md gives operators: DATABASE_URL through it and DATABASE_TRANSACTION_POOLING=1;
PGBOUNCER_ADMIN_URL names its console. Afterwards it stops pgbouncer and drops the test database
the command left (`--reuse-db` keeps pytest-django from dropping it through the pooler, whose idle
server connections to it would make the DROP fail). Exits with the command's exit code.
"""

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tests.helpers.servers import free_port, wait_for_port


@contextlib.contextmanager
def pgbouncer(*, host: str = "127.0.0.1", port: int = 5432, user: str = "postgres", pool_size: int = 4):
    """pgbouncer in transaction pooling in front of the server at host:port (every database, as
    `user`, trusted); yields its port. It refuses to run as root, so it runs as `postgres` then."""
    workdir = Path(tempfile.mkdtemp(prefix="catalog-pgbouncer-"))
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    listen = free_port()
    (workdir / "users.txt").write_text(f'"{user}" ""\n')
    (workdir / "pgbouncer.ini").write_text(
        "\n".join(
            [
                "[databases]",
                f"* = host={host} port={port} user={user}",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                f"listen_port = {listen}",
                "unix_socket_dir =",
                "auth_type = trust",
                f"auth_file = {workdir / 'users.txt'}",
                f"admin_users = {user}",
                "pool_mode = transaction",
                f"default_pool_size = {pool_size}",
                "max_client_conn = 200",
                "ignore_startup_parameters = extra_float_digits",
                f"logfile = {workdir / 'pgbouncer.log'}",
                "",
            ]
        )
    )
    os.chmod(workdir, 0o755)
    if as_postgres:  # its log file is written there
        shutil.chown(workdir, "postgres")
    binary = os.environ.get("PGBOUNCER") or shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    process = subprocess.Popen([*as_postgres, binary, str(workdir / "pgbouncer.ini")], stderr=subprocess.DEVNULL)
    try:
        wait_for_port(listen, 15)
        yield listen
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)


def through(url: str, port: int) -> str:
    """`url` with its host and port replaced by the pooler's."""
    parts = urlsplit(url)
    credentials = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return urlunsplit(parts._replace(netloc=f"{credentials}127.0.0.1:{port}"))


def _drop_test_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    test_name = "test_" + parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{test_name}" WITH (FORCE)')


def main(argv: list[str]) -> int:
    if not argv or "DATABASE_URL" not in os.environ:
        print(__doc__, file=sys.stderr)
        return 2
    url = os.environ["DATABASE_URL"]
    server = urlsplit(url)
    _drop_test_database(url)
    try:
        with pgbouncer(host=server.hostname or "127.0.0.1", port=server.port or 5432, user=server.username) as port:
            env = {
                **os.environ,
                "DATABASE_URL": through(url, port),
                "DATABASE_TRANSACTION_POOLING": "1",
                "PGBOUNCER_ADMIN_URL": through(urlunsplit(server._replace(path="/pgbouncer")), port),
            }
            print(f"pgbouncer (transaction pooling) on port {port}", file=sys.stderr)
            return subprocess.call(argv, env=env)
    finally:
        _drop_test_database(url)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
