"""Helpers for tests that start real servers: free ports and a gunicorn of the project."""

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


class Proxy:
    """A TCP forwarder (to PostgreSQL, say, or to an edge) that a test can cut and restore, like a network outage."""

    def __init__(self, target=("127.0.0.1", 5432)):
        self.target = target
        self.port = free_port()
        self.sockets = []
        self.listener = None

    def start(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(16)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self):
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close alone does not
        self.listener.close()
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self.sockets = []


def server_env(*, database_url: str, **env) -> dict:
    """Production-like settings for a server of the project; a value of None removes that variable."""
    environ = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",  # not the test run's (tests/settings.py)
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "test-" + "k" * 60,
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        **env,
    }
    return {k: v for k, v in environ.items() if v is not None}


def gunicorn_command(port: int, workers: int = 1) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "error",
    ]


@contextlib.contextmanager
def gunicorn(*, database_url: str, workers: int = 1, **env):
    """The project under gunicorn with production-like settings; yields its base URL."""
    port = free_port()
    server = subprocess.Popen(
        gunicorn_command(port, workers),
        cwd=ROOT,
        env=server_env(database_url=database_url, **env),
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, 30)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(10)


def gunicorn_refuses(*, database_url: str, **env) -> str:
    """Start gunicorn expecting it to refuse: returns what it said when it stopped by itself."""
    port = free_port()
    server = subprocess.Popen(
        gunicorn_command(port),
        cwd=ROOT,
        env=server_env(database_url=database_url, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = server.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.communicate()
        raise AssertionError("gunicorn kept running instead of refusing to start") from None
    assert server.returncode != 0, output
    return output


def _postgres_bindir() -> Path:
    """The PostgreSQL server binaries: PG_BINDIR, pg_config, or the newest of Debian's layout."""
    candidates = [os.environ.get("PG_BINDIR", "")]
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        candidates.append(subprocess.check_output(["pg_config", "--bindir"], text=True).strip())
    candidates += sorted(map(str, Path("/usr/lib/postgresql").glob("*/bin")), reverse=True)
    for candidate in candidates:
        if candidate and (Path(candidate) / "postgres").exists() and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    raise RuntimeError("no PostgreSQL server binaries found (set PG_BINDIR)")


class _Server:
    """One private PostgreSQL server in its own directory, run as `postgres` when we are root."""

    def __init__(self, workdir: Path, name: str):
        self.bindir = _postgres_bindir()
        self.workdir = workdir
        self.data = workdir / name
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.process = None

    def run(self, *args, **kwargs):
        return subprocess.run([*self.as_postgres, *map(str, args)], check=True, capture_output=True, **kwargs)

    def configure(self, *lines):
        conf = [
            f"port = {self.port}",
            "listen_addresses = '127.0.0.1'",
            f"unix_socket_directories = '{self.workdir}'",
            "fsync = off",
            "full_page_writes = off",
            *lines,
        ]
        with open(self.data / "postgresql.conf", "a") as f:
            f.write("\n".join(conf) + "\n")
        (self.data / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n"
        )

    def start(self, *, standby=False):
        import psycopg

        log = open(self.workdir / f"{self.data.name}.log", "ab")  # noqa: SIM115 - lives as long as the server
        self.process = subprocess.Popen(
            [*self.as_postgres, self.bindir / "postgres", "-D", self.data], stdout=log, stderr=log
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with psycopg.connect(
                    host="127.0.0.1",
                    port=self.port,
                    user="postgres",
                    dbname="postgres",
                    autocommit=True,
                    connect_timeout=2,
                ) as conn:
                    if conn.execute("SELECT pg_is_in_recovery()").fetchone()[0] == standby:
                        return
            except psycopg.OperationalError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"{self.data.name} did not start: " + (self.workdir / f"{self.data.name}.log").read_text()[-2000:]
                )
            time.sleep(0.1)

    def restart(self):
        """A fast shutdown (every session told, as for an upgrade or a configuration change), then a start."""
        self.run(self.bindir / "pg_ctl", "-D", self.data, "stop", "-m", "fast", "-w", timeout=60)
        self.process.wait(30)
        self.start()

    def log_size(self) -> int:
        return (self.workdir / f"{self.data.name}.log").stat().st_size

    def log_since(self, offset: int) -> str:
        with open(self.workdir / f"{self.data.name}.log", "rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")

    def stop(self):
        if self.process is None:
            return
        with contextlib.suppress(subprocess.SubprocessError):
            self.run(self.bindir / "pg_ctl", "-D", self.data, "stop", "-m", "immediate", "-w", timeout=60)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def _initdb(server: _Server) -> None:
    server.run(
        server.bindir / "initdb",
        "-D",
        server.data,
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
        "--no-sync",
    )


@contextlib.contextmanager
def postgres_server(*settings: str):
    """One private PostgreSQL server with an empty `catalog` database, on a free port; yields it
    (`.port`, `.restart()`, its log through `.log_size()` and `.log_since()`). `settings` are extra
    postgresql.conf lines (e.g. "log_statement = 'all'"). Nothing of the machine's own is touched."""
    import shutil
    import tempfile

    workdir = Path(tempfile.mkdtemp(prefix="catalog-pg-"))
    server = _Server(workdir, "server")
    try:
        os.chmod(workdir, 0o755)
        if server.as_postgres:
            shutil.chown(workdir, "postgres")
        _initdb(server)
        server.configure(*settings)
        server.start()
        server.run(server.bindir / "createdb", "-h", "127.0.0.1", "-p", server.port, "-U", "postgres", "catalog")
        yield server
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(f"{exc.cmd[-1]}: {exc.stderr.decode(errors='replace')[-2000:]}") from exc
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def postgres_pair(*standby_settings: str):
    """A private primary and a streaming standby of it, each on a free port; yields both ports.

    Nothing of the machine's own PostgreSQL is touched: both live in a temporary directory. The
    primary has an empty `catalog` database (the standby follows it). `standby_settings` are extra
    postgresql.conf lines (e.g. "recovery_min_apply_delay = '50ms'").
    """
    import shutil
    import tempfile

    workdir = Path(tempfile.mkdtemp(prefix="catalog-pg-pair-"))
    primary = _Server(workdir, "primary")
    standby = _Server(workdir, "standby")
    try:
        os.chmod(workdir, 0o755)
        if primary.as_postgres:
            shutil.chown(workdir, "postgres")
        _initdb(primary)
        primary.configure("wal_level = replica", "max_wal_senders = 4")
        primary.start()
        primary.run(primary.bindir / "createdb", "-h", "127.0.0.1", "-p", primary.port, "-U", "postgres", "catalog")
        standby.run(
            standby.bindir / "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            primary.port,
            "-U",
            "postgres",
            "-D",
            standby.data,
            "-X",
            "stream",
            "-R",
            "-c",
            "fast",
            "--no-sync",
        )
        standby.configure("hot_standby = on", "max_standby_streaming_delay = -1", *standby_settings)
        standby.start(standby=True)
        yield primary.port, standby.port
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(f"{exc.cmd[-1]}: {exc.stderr.decode(errors='replace')[-2000:]}") from exc
    finally:
        standby.stop()
        primary.stop()
        shutil.rmtree(workdir, ignore_errors=True)
