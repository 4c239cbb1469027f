"""Shared pieces of the benchmarks: a bench database, a catalog of a given size, gunicorn, wrk."""

import io
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.helpers.servers import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")


def wsgi_get(app, path: str, **environ) -> tuple[str, dict, bytes]:
    """(status, headers, body) of a GET of `path` from a WSGI application called directly, as from
    127.0.0.1:8000, with these extra environ keys (headers as HTTP_…)."""
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(headers)

    request = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        **environ,
    }
    body = b"".join(app(request, start_response))
    return seen["status"], seen["headers"], body


def db_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def env_for(db: str, **extra) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": db_url(db),
        "REDIS_URL": REDIS_URL,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "CATALOG_CACHE_PREFIX": "catalog-bench",
    }
    # Measured as deployed: with compiled modules cached (a shell that says otherwise would have every
    # manage.py process compile a hundred modules first).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def recreate_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def manage(db: str, *args, **extra) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env_for(db, **extra), check=True)


def load_catalog(db: str, *, courses: int, units: int, modules: int, seed: int = 1) -> None:
    """A fresh bench database filled the way operators fill one: generate_catalog, then import_courses."""
    recreate_database(db)
    manage(db, "migrate", "-v0")
    manage(db, "collectstatic", "--noinput", "-v0")
    with tempfile.TemporaryDirectory() as tmp:
        whole = Path(tmp) / "catalog.jsonl"
        manage(
            db,
            "generate_catalog",
            f"--courses={courses}",
            f"--units={units}",
            f"--modules={modules}",
            f"--seed={seed}",
            "-o",
            str(whole),
        )
        manage(db, "import_courses", str(whole))  # one file, one transaction, whatever its size
    import psycopg

    with psycopg.connect(db_url(db), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def published_slugs(db: str, limit: int) -> list[str]:
    """Slugs learners can see, oldest first (stable across runs of one catalog)."""
    import psycopg

    with psycopg.connect(db_url(db)) as conn:
        rows = conn.execute(
            "SELECT slug FROM catalog_course WHERE status = 'published' ORDER BY id LIMIT %s", [limit]
        ).fetchall()
    return [slug for (slug,) in rows]


class Gunicorn:
    """gunicorn serving the project (plus bench/urls.py's floor view) on a free loopback port."""

    def __init__(self, db: str, *, workers: int = 2, app: str = "config.wsgi", **extra_env):
        self.port = free_port()
        self.env = env_for(db, DJANGO_SETTINGS_MODULE="bench.settings", **extra_env)
        self.workers = workers
        self.app = app

    def __enter__(self):
        self.proc = subprocess.Popen(
            [
                PY,
                "-m",
                "gunicorn",
                self.app,
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
        )
        wait_for_port(self.port, 30)
        return self

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the workers have used so far: a cost that a busy machine does not
        distort the way it distorts requests per second."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:  # a worker: its parent is the gunicorn master
                total += int(fields[11]) + int(fields[12])
        return total / ticks

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(15)


def wrk(url: str, *, seconds: int, connections: int = 8, threads: int = 1, headers=None) -> dict:
    """Requests/s and p50/p99 latency (ms) from `wrk --latency`."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed (Debian package wrk)")
    sent = [arg for name, value in (headers or {}).items() for arg in ("-H", f"{name}: {value}")]
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", *sent, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def latency(pct):
        m = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)\b", out)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return {"rps": rps, "p50": latency(50), "p99": latency(99), "errors": int(errors.group(1)) if errors else 0}


def get(url: str, headers=None) -> tuple[int, dict, bytes]:
    import urllib.request

    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def table(rows: list[dict], columns: list[tuple[str, str]]) -> str:
    widths = [
        max(len(title), *(len(fmt.format(**r)) if "{" in fmt else len(str(r.get(fmt, ""))) for r in rows))
        for title, fmt in columns
    ]
    lines = ["  ".join(title.ljust(w) for (title, _), w in zip(columns, widths, strict=False))]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        cells = [fmt.format(**r) if "{" in fmt else str(r.get(fmt, "")) for _, fmt in columns]
        lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=False)))
    return "\n".join(lines)
