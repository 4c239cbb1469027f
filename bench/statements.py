"""Where an uncached learner read's time goes, in one process: each request's median time, the median of
each of its statements, and the ratio of each request to the first (the baseline, a topic page).

    .venv/bin/python -m bench.statements [--database catalog_bench_http_100000_3_3] [--runs 30] [URL ...]

The database is one bench/http.py built (`--scale 100k` makes the one named above). The requests go
through the whole Django stack by its test client, without a server, the cache off; statements are
timed by `connection.execute_wrapper` (a round trip each, from the client's side). With --compare DIR
(another checkout, e.g. `git worktree add --detach ../before main`), that checkout's code answers the
same requests first, then this one's: a change's before and after in one run.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.common import ROOT, env_for, table

URLS = [
    "/api/v1/courses/?topic=databases",
    "/api/v1/suggest/?q=kube",
    "/api/v1/suggest/?q=kubernets",
    "/api/v1/courses/?search=course",
    "/api/v1/courses/?search=kubernets",
    "/api/v1/courses/?search=postgresql+ind",
]


def child(urls: list[str], runs: int) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    timed = []

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append((time.perf_counter() - started, " ".join(sql.split())[:70]))

    found = {}
    for url in urls:
        for _ in range(5):  # the connection's statements prepared, the function and dictionaries loaded
            client.get(url)
        totals, statements = [], {}
        for _ in range(runs):
            timed.clear()
            started = time.perf_counter()
            with connection.execute_wrapper(wrapper):
                response = client.get(url)
            totals.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
            for n, (took, sql) in enumerate(timed):
                statements.setdefault(n, (sql, []))[1].append(took)
        found[url] = {
            "ms": statistics.median(totals) * 1000,
            "statements": [(sql, statistics.median(took) * 1000) for sql, took in statements.values()],
        }
    print(json.dumps(found))


def measure(root: Path, database: str, urls: list[str], runs: int) -> dict:
    # This file runs as a script on the other checkout's code (its path first), which may not have it.
    env = env_for(database, DJANGO_SETTINGS_MODULE="bench.settings", CATALOG_CACHE_ENABLED=0, PYTHONPATH=str(root))
    command = [sys.executable, __file__, "--child", json.dumps(urls), str(runs)]
    out = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)
    if out.returncode:
        sys.exit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("urls", nargs="*", default=URLS, help="the first is the baseline of the ratios")
    parser.add_argument("--database", default="catalog_bench_http_100000_3_3")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--compare", type=Path, help="another checkout, measured in turns with this one")
    args = parser.parse_args()
    sides = {"this checkout": ROOT}
    if args.compare:
        sides = {f"{args.compare.name}": args.compare.resolve(), **sides}
    found = {side: measure(root, args.database, args.urls, args.runs) for side, root in sides.items()}
    for side, answers in found.items():
        print(f"\n{side}:")
        for url in args.urls:
            print(f"  {url}: {answers[url]['ms']:.2f} ms")
            for sql, ms in answers[url]["statements"]:
                print(f"      {ms:6.2f} ms  {sql}")
    rows = []
    for url in args.urls:
        row = {"case": url}
        for side, answers in found.items():
            base = answers[args.urls[0]]["ms"]
            row[side] = f"{answers[url]['ms']:.2f} ms ({answers[url]['ms'] / base:.2f})"
        rows.append(row)
    print()
    print(table(rows, [("request", "case"), *((f"{side} (ratio to the first)", side) for side in found)]))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        sys.path[0] = os.getcwd()  # the checkout measured, not this file's folder
        child(json.loads(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
