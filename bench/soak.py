"""Soak: mixed reads and writes through gunicorn, checking every read against the last committed write.

    .venv/bin/python -m bench.soak [--courses 2000] [--seconds 60] [--readers 6]

Readers fetch course details, the list and searches; one writer renames a set of "hot" courses
(the title carries a version number) and moves them through the workflow, all through the API with
a token. A read is stale when it started after a write returned and still shows an older version.
The run is made twice: with Redis up throughout, and with Redis stopped halfway and started again.
The baseline of the table is the first run's requests per second.

    .venv/bin/python -m bench.soak --replica [--replica-delay-ms 20]

runs the same on a private PostgreSQL primary with a streaming read replica (tests/helpers/pg_pair.py's
servers, in a temporary directory) and DATABASE_REPLICA_URL set; the standby may be told to apply
every commit late, so learners' reads keep meeting a replica that is behind. The table then also
says which share of the catalog's table scans the replica served.
"""

import argparse
import contextlib
import json
import random
import re
import subprocess
import threading
import time
import urllib.error
import urllib.request

from bench import common
from bench.common import PY, ROOT, Gunicorn, database_exists, env_for, free_port, load_catalog, published_slugs, table

DB = "catalog_bench_soak"
HOT = 20
# Words of the generated catalog (catalog/files/catalog_generator.py): common, middling and rare.
SEARCHES = ["course", "postgresql", "accessibility"]
# The table of a soak's run (bench/edge.py prints its soak through Varnish with it too).
COLUMNS = [
    ("run", "name"),
    ("requests", "requests"),
    ("req/s", "{rps:.0f}"),
    ("writes", "writes"),
    ("errors", "errors"),
    ("stale reads", "stale"),
    ("p50 ms", "{p50:.1f}"),
    ("p99 ms", "{p99:.1f}"),
]


class Redis:
    def __init__(self):
        self.port = free_port()
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        time.sleep(0.3)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(5)

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"


def call(url, method="GET", body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    request = urllib.request.Request(
        url, data=json.dumps(body).encode() if body else None, method=method, headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return 0, b""


def catalog_scans(url) -> int:
    """Index and sequential scans of the catalog's tables on one server since it started."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return int(
            conn.execute(
                "SELECT coalesce(sum(coalesce(idx_scan, 0) + coalesce(seq_scan, 0)), 0) FROM pg_stat_user_tables "
                "WHERE relname LIKE 'catalog_%%'"
            ).fetchone()[0]
        )


def make_token(db: str = DB, **extra_env) -> str:
    script = (
        "from django.contrib.auth.models import Group, User; from rest_framework.authtoken.models import Token;"
        "u, _ = User.objects.get_or_create(username='soak-editor', defaults={'is_staff': True});"
        "u.groups.add(Group.objects.get(name='Editors')); print(Token.objects.get_or_create(user=u)[0].key)"
    )
    out = subprocess.run(
        [PY, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env_for(db, **extra_env),
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]


class Soak:
    """One writer PATCHing hot courses, readers checking they never see a title older than a returned write."""

    def __init__(self, base, token, hot, *, seconds):
        self.base, self.token, self.hot = base, token, hot
        self.committed = dict.fromkeys(hot, 0)  # version whose write has returned
        self.lock = threading.Lock()
        self.stop = time.monotonic() + seconds
        self.stats = {"requests": 0, "errors": 0, "stale": 0, "writes": 0, "latencies": []}

    def record(self, status, started, ok_statuses=(200, 201, 204, 404, 409)):
        with self.lock:
            self.stats["requests"] += 1
            self.stats["latencies"].append(time.monotonic() - started)
            if status not in ok_statuses:
                self.stats["errors"] += 1

    def timed(self, *args):
        started = time.monotonic()
        status, body = call(*args)
        self.record(status, started)
        return status, body

    def writer(self):
        version = 0
        rng = random.Random(1)
        while time.monotonic() < self.stop:
            version += 1
            slug = rng.choice(self.hot)
            url = f"{self.base}/api/v1/courses/{slug}/"
            status, _ = self.timed(url, "PATCH", {"title": f"Hot course v{version}", "status": "published"}, self.token)
            if status == 200:
                with self.lock:
                    self.committed[slug] = version
                    self.stats["writes"] += 1
            if version % 10 == 0:  # a transition and back: published stays the steady state
                for action in ("unpublish", "publish"):
                    self.timed(f"{url}{action}/", "POST", None, self.token)

    def reader(self, seed):
        rng = random.Random(seed)
        while time.monotonic() < self.stop:
            roll = rng.random()
            if roll < 0.7:
                self.read_hot(rng.choice(self.hot))
            elif roll < 0.9:
                self.timed(f"{self.base}/api/v1/courses/?page={rng.randint(1, 20)}")
            else:
                self.timed(f"{self.base}/api/v1/courses/?search={rng.choice(SEARCHES)}")

    def read_hot(self, slug):
        with self.lock:
            floor = self.committed[slug]
        status, body = self.timed(f"{self.base}/api/v1/courses/{slug}/")
        if status == 200:
            match = re.search(rb"Hot course v(\d+)", body)
            if (int(match.group(1)) if match else 0) < floor:
                with self.lock:
                    self.stats["stale"] += 1

    def summary(self, seconds):
        latencies = sorted(self.stats["latencies"])
        return {
            "requests": self.stats["requests"],
            "rps": self.stats["requests"] / seconds,
            "errors": self.stats["errors"],
            "stale": self.stats["stale"],
            "writes": self.stats["writes"],
            "p50": latencies[len(latencies) // 2] * 1000,
            "p99": latencies[int(len(latencies) * 0.99)] * 1000,
        }


def run(base, token, hot, *, seconds, readers, redis=None):
    soak = Soak(base, token, hot, seconds=seconds)
    threads = [threading.Thread(target=soak.writer)]
    threads += [threading.Thread(target=soak.reader, args=(i,)) for i in range(readers)]
    for t in threads:
        t.start()
    if redis is not None:
        time.sleep(seconds / 2)
        redis.stop()
        time.sleep(seconds / 6)
        redis.start()
    for t in threads:
        t.join()
    return soak.summary(seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--courses", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--readers", type=int, default=6)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--replica", action="store_true", help="on a private primary with a streaming replica")
    parser.add_argument("--replica-delay-ms", type=int, default=0, help="the standby applies commits this late")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        extra_env, replica_url = {}, None
        if args.replica:
            from tests.helpers.servers import postgres_pair

            delay = [f"recovery_min_apply_delay = '{args.replica_delay_ms}ms'"] if args.replica_delay_ms else []
            primary, standby = stack.enter_context(postgres_pair(*delay))
            common.PG_ADMIN_URL = f"postgres://postgres@127.0.0.1:{primary}/postgres"
            replica_url = f"postgres://postgres@127.0.0.1:{standby}/{DB}"
            extra_env["DATABASE_REPLICA_URL"] = replica_url
        if not (args.reuse and database_exists(DB)):
            load_catalog(DB, courses=args.courses, units=4, modules=3)
        token = make_token(**extra_env)
        hot = published_slugs(DB, HOT * 10)[::10]
        rows = []
        for name, outage in (("Redis up", False), ("Redis stopped halfway", True)):
            redis = Redis()
            redis.start()
            scans = (catalog_scans(common.db_url(DB)), catalog_scans(replica_url)) if replica_url else None
            with Gunicorn(DB, workers=2, REDIS_URL=redis.url, **extra_env) as server:
                result = run(
                    server.url(""),
                    token,
                    hot,
                    seconds=args.seconds,
                    readers=args.readers,
                    redis=redis if outage else None,
                )
            redis.stop()
            if scans:
                on_primary = catalog_scans(common.db_url(DB)) - scans[0]
                on_replica = catalog_scans(replica_url) - scans[1]
                result["replica_share"] = on_replica / max(on_primary + on_replica, 1)
            rows.append({"name": name, **result})
            print(f"  {name}: {result}", flush=True)
    for row in rows:
        row["ratio"] = row["rps"] / rows[0]["rps"]
    columns = [*COLUMNS, ("ratio to first run", "{ratio:.2f}")]
    if args.replica:
        columns.append(("replica share of scans", "{replica_share:.0%}"))
    print(table(rows, columns))


if __name__ == "__main__":
    main()
