"""The edge: Varnish with deploy/varnish/catalog.vcl in front of gunicorn, measured in one run.

    .venv/bin/python -m bench.edge [--courses 2000] [--seconds 10] [--soak-seconds 60] [--reuse]

1. Requests per second of a Varnish hit against a gunicorn hit (the learners' cache in Redis), for a
   course detail and the first list page, with wrk on the same machine; goal: at least 10 times.
2. A soak through the edge (bench/soak.py's readers and writer, every request through Varnish): one
   writer PATCHes hot courses and moves them through the workflow while readers read; a read is stale
   when it started after a write returned and shows an older version. Goal: 0 stale reads, 0 errors.

varnishd runs from a temporary directory on a free port (tests/helpers/varnish.py), gunicorn with
CATALOG_EDGE_PURGE_URLS pointing at it, on a bench database of its own (catalog_bench_edge).
"""

import argparse
import platform

from bench import soak
from bench.common import Gunicorn, database_exists, get, load_catalog, published_slugs, table, wrk
from tests.helpers.servers import free_port
from tests.helpers.varnish import Varnish

DB = "catalog_bench_edge"
GOAL = 10.0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--courses", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=10, help="wrk's run per case")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--soak-seconds", type=int, default=60)
    parser.add_argument("--readers", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    if not (args.reuse and database_exists(DB)):
        load_catalog(DB, courses=args.courses, units=4, modules=3)
    token = soak.make_token(DB)
    slugs = published_slugs(DB, soak.HOT * 10)
    detail = f"/api/v1/courses/{slugs[-1]}/"
    edge_port = free_port()
    purge_to = f"http://127.0.0.1:{edge_port}"
    with (
        Gunicorn(DB, workers=args.workers, CATALOG_EDGE_PURGE_URLS=purge_to) as app,
        Varnish(app.port, port=edge_port) as edge,
    ):
        rows = hits(app, edge, detail, args)
        print(
            f"\nmachine: {platform.machine()}, {args.workers} gunicorn workers, wrk -c{args.connections} "
            f"-d{args.seconds}s on the same machine; catalog {args.courses} courses"
        )
        columns = [("case", "name"), ("req/s", "{rps:.0f}"), ("p50 ms", "{p50:.2f}"), ("p99 ms", "{p99:.2f}")]
        print(table(rows, [*columns, ("non-2xx", "errors"), ("ratio", "ratio")]))
        print()
        for row in rows[1::2]:
            verdict = "met" if row["x"] >= GOAL else "NOT met"
            print(f"goal: {row['name']} >= {GOAL:.0f} x the gunicorn hit: {row['x']:.1f} ({verdict})")
        print(f"\nsoak through the edge, {args.soak_seconds} s, {args.readers} readers and one writer ...", flush=True)
        result = soak.run(edge.url, token, slugs[::10], seconds=args.soak_seconds, readers=args.readers)
    result["name"] = "through Varnish"
    print(table([result], soak.COLUMNS))
    verdict = "met" if result["stale"] == 0 and result["errors"] == 0 else "NOT met"
    print(f"goal: 0 stale reads and 0 errors through the edge: {result['stale']} / {result['errors']} ({verdict})")


def hits(app, edge, detail, args) -> list[dict]:
    rows = []
    for name, path in (("course detail", detail), ("list page 1", "/api/v1/courses/")):
        for server, url in (("gunicorn hit", app.url(path)), ("Varnish hit", edge.url + path)):
            for _ in range(4):
                status, headers, _ = get(url)
            expected = "X-Edge-Cache" if server == "Varnish hit" else "X-Cache"
            if status != 200 or headers.get(expected) != "HIT":
                raise SystemExit(f"{name}, {server}: expected a 200 hit, got {status} {headers}")
            result = wrk(url, seconds=args.seconds, connections=args.connections)
            rows.append({"name": f"{name}: {server}", **result})
            print(f"  {rows[-1]['name']}: {result['rps']:.0f} req/s", flush=True)
        base, edge_row = rows[-2], rows[-1]
        edge_row["x"] = edge_row["rps"] / base["rps"]
        base["ratio"], edge_row["ratio"] = "1", f"{edge_row['x']:.1f} x"
    return rows


if __name__ == "__main__":
    main()
