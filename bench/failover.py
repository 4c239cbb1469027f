"""A Redis failover under load: the master killed while learners read and an editor writes.

    .venv/bin/python -m bench.failover [--courses 500] [--readers 6] [--down-after-ms 2000] [--runs 3]

A private Redis master, its replica and a Sentinel (tests/helpers/redis_sentinel.py) on free ports;
gunicorn with REDIS_SENTINELS. Readers fetch hot course details (every answer checked against the
last write that returned, as bench/soak.py does), a writer renames them through the API. Some seconds
in, the master is killed (SIGKILL). Per run the table says: the learner errors (goal 0), the stale
reads (goal 0), the writes that returned while no master existed, how long the Sentinel took to
promote the replica, and the seconds without a cache hit: from the master's death to the first hit
served by the new master (and from the promotion to it).
"""

import argparse
import random
import re
import threading
import time
import urllib.error
import urllib.request

from bench import soak
from bench.common import Gunicorn, database_exists, load_catalog, published_slugs, table
from tests.helpers.redis_sentinel import SentinelSet

DB = "catalog_bench_failover"


class Run:
    def __init__(self, base, token, hot):
        self.base, self.token, self.hot = base, token, hot
        self.lock = threading.Lock()
        self.committed = dict.fromkeys(hot, 0)
        self.requests = self.errors = self.stale = self.writes = self.writes_without_master = 0
        self.hits: list[float] = []
        self.killed = self.promoted = None
        self.stop = False

    def read(self, rng):
        while not self.stop:
            slug = rng.choice(self.hot)
            with self.lock:
                floor = self.committed[slug]
            request = urllib.request.Request(f"{self.base}/api/v1/courses/{slug}/")
            try:
                with urllib.request.urlopen(request, timeout=15) as response:
                    status, cache, body = response.status, response.headers.get("X-Cache"), response.read()
            except urllib.error.HTTPError as exc:
                status, cache, body = exc.code, None, b""
            except OSError:
                status, cache, body = 0, None, b""
            with self.lock:
                self.requests += 1
                if status != 200:
                    self.errors += 1
                    continue
                found = re.search(rb"Hot course v(\d+)", body)
                if (int(found.group(1)) if found else 0) < floor:
                    self.stale += 1
                if cache == "HIT":
                    self.hits.append(time.monotonic())

    def write(self):
        version, rng = 0, random.Random(7)
        while not self.stop:
            version += 1
            slug = rng.choice(self.hot)
            status, _ = soak.call(
                f"{self.base}/api/v1/courses/{slug}/",
                "PATCH",
                {"title": f"Hot course v{version}", "status": "published"},
                self.token,
            )
            with self.lock:
                if status == 200:
                    self.committed[slug] = version
                    self.writes += 1
                    if self.killed is not None and self.promoted is None:
                        self.writes_without_master += 1
                else:
                    self.errors += 1
            time.sleep(0.2)

    def summary(self, name) -> dict:
        after = [t for t in self.hits if t > self.promoted]
        first = after[0] if after else float("nan")
        return {
            "name": name,
            "requests": self.requests,
            "errors": self.errors,
            "stale": self.stale,
            "writes": self.writes,
            "during": self.writes_without_master,
            "promotion": self.promoted - self.killed,
            "no_hits": first - self.killed,
            "after_promotion": first - self.promoted,
        }


def one(args, token, hot, number) -> dict:
    with (
        SentinelSet(down_after_ms=args.down_after_ms) as redis_set,
        Gunicorn(DB, workers=2, **{k: v for k, v in redis_set.env().items() if v is not None}, REDIS_URL="") as app,
    ):
        run = Run(app.url(""), token, hot)
        threads = [threading.Thread(target=run.read, args=(random.Random(i),)) for i in range(args.readers)]
        threads.append(threading.Thread(target=run.write))
        for thread in threads:
            thread.start()
        time.sleep(args.before)
        redis_set.kill_master()
        run.killed = time.monotonic()
        run.promoted = redis_set.wait_for_promotion(timeout=60)
        time.sleep(args.after)
        run.stop = True
        for thread in threads:
            thread.join()
    result = run.summary(f"run {number}")
    print(f"  {result}", flush=True)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--courses", type=int, default=500)
    parser.add_argument("--readers", type=int, default=6)
    parser.add_argument("--down-after-ms", type=int, default=2000, help="the Sentinel's down-after-milliseconds")
    parser.add_argument("--before", type=float, default=5.0, help="seconds of reading before the kill")
    parser.add_argument("--after", type=float, default=10.0, help="seconds of reading after the promotion")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    if not (args.reuse and database_exists(DB)):
        load_catalog(DB, courses=args.courses, units=3, modules=3)
    token = soak.make_token(DB)
    hot = published_slugs(DB, soak.HOT * 10)[::10]
    rows = [one(args, token, hot, number) for number in range(1, args.runs + 1)]
    print(
        table(
            rows,
            [
                ("run", "name"),
                ("requests", "requests"),
                ("learner errors", "errors"),
                ("stale reads", "stale"),
                ("writes", "writes"),
                ("writes with no master", "during"),
                ("s to promotion", "{promotion:.1f}"),
                ("s without hits (death to first hit)", "{no_hits:.1f}"),
                ("s from promotion to first hit", "{after_promotion:.1f}"),
            ],
        )
    )
    errors = sum(row["errors"] for row in rows)
    stale = sum(row["stale"] for row in rows)
    verdict = "met" if errors == stale == 0 else "NOT met"
    print(f"goal: 0 learner errors and 0 stale reads across a failover: {errors} / {stale} ({verdict})")


if __name__ == "__main__":
    main()
