"""Shared pieces of the benchmarks: a bench database, a catalog of a given size, gunicorn, wrk."""

import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")

WORDS = ["data", "analysis", "python", "sql", "cloud", "security", "design", "web", "api", "testing", "kubernetes", "docker", "react", "django", "statistics", "modelling", "pipelines", "streaming", "caching", "indexing", "queries", "networks", "encryption", "identity", "typography", "colour", "layout", "accessibility", "performance", "scaling", "monitoring", "logging", "deployment"]


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


LOADER = """
import random, sys, time
from django.db import transaction
from catalog.services import courses_upsert
from catalog.records import clean_record
courses, units, modules, seed = (int(a) for a in sys.argv[1:5])
words = sys.argv[5].split()
rng = random.Random(seed)
topics = ["data-science", "web-development", "databases", "cloud-devops", "security", "design"]
def title(n):
    return " ".join(rng.choice(words) for _ in range(n)).capitalize()
start = time.time()
for base in range(0, courses, 500):
    batch = []
    for i in range(base, min(base + 500, courses)):
        batch.append(clean_record({
            "slug": f"course-{i}", "title": title(4), "description": title(25) + ".",
            "topic": topics[i % len(topics)], "status": "published" if i % 10 else "draft",
            "units": [{"title": title(3), "modules": [{"title": title(3), "content": title(12)}
                       for _ in range(modules)]} for _ in range(units)],
        }))
    with transaction.atomic():
        courses_upsert(records=batch)
    print(f"  loaded {min(base + 500, courses)}/{courses} courses", end="\\r", file=sys.stderr, flush=True)
print(f"\\n  loaded in {time.time() - start:.1f}s", file=sys.stderr)
"""


def load_catalog(db: str, *, courses: int, units: int, modules: int, seed: int = 1) -> None:
    """Migrate a fresh bench database and fill it (10% drafts, the rest published)."""
    recreate_database(db)
    manage(db, "migrate", "-v0")
    manage(db, "collectstatic", "--noinput", "-v0")
    subprocess.run(
        [
            PY,
            "manage.py",
            "shell",
            "-c",
            f"import sys; sys.argv = ['x', '{courses}', '{units}', '{modules}', '{seed}', '{' '.join(WORDS)}']\n"
            + LOADER,
        ],
        cwd=ROOT,
        env=env_for(db),
        check=True,
    )
    import psycopg

    with psycopg.connect(db_url(db), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn serving the project (plus bench/urls.py's floor view) on a free loopback port."""

    def __init__(self, db: str, *, workers: int = 2, **extra_env):
        self.port = free_port()
        self.env = env_for(db, DJANGO_SETTINGS_MODULE="bench.settings", **extra_env)
        self.workers = workers

    def __enter__(self):
        self.proc = subprocess.Popen(
            [
                PY,
                "-m",
                "gunicorn",
                "config.wsgi",
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
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(15)


def wrk(url: str, *, seconds: int, connections: int = 8, threads: int = 1) -> dict:
    """Requests/s and p50/p99 latency (ms) from `wrk --latency`."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed (Debian package wrk)")
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
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
    lines = ["  ".join(title.ljust(w) for (title, _), w in zip(columns, widths))]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        cells = [fmt.format(**r) if "{" in fmt else str(r.get(fmt, "")) for _, fmt in columns]
        lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths)))
    return "\n".join(lines)


def rng(seed: int) -> random.Random:
    return random.Random(seed)
