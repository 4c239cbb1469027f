"""HTTP benchmark: gunicorn on PostgreSQL + Redis, measured with wrk, as ratios to a floor view.

    .venv/bin/python -m bench.http [--courses 10000 --units 8 --modules 6] [--seconds 10] [--reuse]

The floor is a constant Django view behind the full middleware stack (no database, no cache);
every other figure is divided by the floor's requests/s measured in the same run.
"""

import argparse
import platform

from bench.common import Gunicorn, database_exists, get, load_catalog, published_slugs, table, wrk

DB = "catalog_bench_http"
# Two words of the generated catalog (catalog/catalog_generator.py) that meet in a few hundred courses.
SEARCH = "/api/v1/courses/?search=postgresql+indexing"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--courses", type=int, default=10_000)
    parser.add_argument("--units", type=int, default=8)
    parser.add_argument("--modules", type=int, default=6)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="keep the bench database if it exists")
    args = parser.parse_args()

    if not (args.reuse and database_exists(DB)):
        print(f"loading {args.courses} courses x {args.units} units x {args.modules} modules ...")
        load_catalog(DB, courses=args.courses, units=args.units, modules=args.modules)

    detail = f"/api/v1/courses/{published_slugs(DB, 1)[0]}/"
    deep = max(1, args.courses * 8 // 10 // 20 * 9 // 10)  # ~90% of the way through the published list (80%)
    cases = [
        ("floor view (constant bytes)", "cached", "/bench/floor", None),
        ("cached list page 1", "cached", "/api/v1/courses/", "HIT"),
        ("cached detail", "cached", detail, "HIT"),
        ("cached search page", "cached", SEARCH, "HIT"),
        ("uncached list page 1", "uncached", "/api/v1/courses/", "MISS"),
        (f"uncached list page {deep}", "uncached", f"/api/v1/courses/?page={deep}", "MISS"),
        ("uncached detail", "uncached", detail, "MISS"),
        ("uncached search", "uncached", SEARCH, "MISS"),
    ]
    rows = []
    with (
        Gunicorn(DB, workers=args.workers) as cached,
        Gunicorn(DB, workers=args.workers, CATALOG_CACHE_ENABLED=0) as uncached,
    ):
        servers = {"cached": cached, "uncached": uncached}
        for name, server, path, expect in cases:
            url = servers[server].url(path)
            for _ in range(3):  # warm every worker's connections and the cache
                status, headers, _ = get(url)
            if status != 200 or (expect and headers.get("X-Cache") != expect):
                raise SystemExit(f"{name}: expected 200 {expect}, got {status} {headers.get('X-Cache')}")
            result = wrk(url, seconds=args.seconds, connections=args.connections)
            rows.append({"name": name, **result})
            print(f"  {name}: {result['rps']:.0f} req/s", flush=True)
    floor = rows[0]["rps"]
    for row in rows:
        row["ratio"] = row["rps"] / floor
    print()
    print(
        f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
        f"{args.workers} gunicorn workers, wrk -c{args.connections} -d{args.seconds}s; "
        f"catalog {args.courses} x {args.units} x {args.modules}"
    )
    print(
        table(
            rows,
            [
                ("case", "name"),
                ("req/s", "{rps:.0f}"),
                ("p50 ms", "{p50:.2f}"),
                ("p99 ms", "{p99:.2f}"),
                ("non-2xx", "errors"),
                ("ratio to floor", "{ratio:.2f}"),
            ],
        )
    )


if __name__ == "__main__":
    main()
