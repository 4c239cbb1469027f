"""The sitemaps at scale: every sitemap file uncached in under a second, the index at once, hits like a list's.

    .venv/bin/python -m bench.sitemap --scale 100k [--reuse]     # 100,000 courses x 3 units x 3 modules
    .venv/bin/python -m bench.sitemap --courses 20000 --units 3 --modules 3 --reuse

The catalog is built as bench/http.py builds it (and shares its database, so --reuse finds one either made).
A child process on that database (production settings, PostgreSQL, Redis) calls the WSGI application
directly: with the learners' cache off, every answer is built from the database, the files' placing too
(no cache at all); with it on, as a crawler reads: the index (a miss, which places the files), each file
once (a miss, built from the database with the placing cached), then hits. Each figure is the best of
--rounds (a first request: the one), in milliseconds and as a multiple of the floor view (constant bytes
through the same middleware) measured in the same run. A sitemap file holds at most 50,000 URLs whatever
the catalog's size, so a smaller catalog already measures full files; only the placing of the files (one
scan of the live listings) grows with the number of courses.
"""

import argparse
import json
import subprocess
import time

from bench.common import PY, ROOT, database_exists, env_for, load_catalog, table, wsgi_get

SCALES = {"100k": (100_000, 3, 3)}
GOAL_FILE_MS = 1000.0


def child(rounds: int) -> None:

    import django

    django.setup()
    from django.conf import settings

    from config.wsgi import application as app

    def call(path) -> tuple[str, dict, bytes]:
        return wsgi_get(app, path)

    def best(path) -> tuple[float, bytes]:
        times, body = [], b""
        for _ in range(rounds):
            started = time.perf_counter()
            status, _, body = call(path)
            times.append((time.perf_counter() - started) * 1000)
            assert status.startswith("200"), (path, status)
        return min(times), body

    result = {"cached": settings.CATALOG_CACHE_ENABLED}
    for _ in range(50):
        call("/bench/floor")
    result["floor"] = min(best("/bench/floor")[0] for _ in range(20))
    if settings.CATALOG_CACHE_ENABLED:
        from catalog import cache

        cache.clear()  # a run before this one left its pages (same database, same tokens)
        # As a crawler reads: the index (which places the files), then each file once (a miss: built from
        # the database, the placing cached), then again (hits).
        started = time.perf_counter()
        _, _, index = call("/sitemap.xml")
        result["index miss"] = (time.perf_counter() - started) * 1000
        result["index"] = best("/sitemap.xml")[0]
        result["files"], result["hits"] = {}, {}
        for number in range(1, index.count(b"<sitemap>") + 1):
            started = time.perf_counter()
            _, _, body = call(f"/sitemap-{number}.xml")
            result["files"][number] = ((time.perf_counter() - started) * 1000, body.count(b"<url>"))
            result["hits"][number] = best(f"/sitemap-{number}.xml")[0]
        print(json.dumps(result), flush=True)
        return
    index_ms, index = best("/sitemap.xml")
    result["index"] = index_ms
    files = index.count(b"<sitemap>")
    result["files"] = {}
    for number in range(1, files + 1):
        ms, body = best(f"/sitemap-{number}.xml")
        result["files"][number] = (ms, body.count(b"<url>"))
    if not files:
        result["files"][0] = (index_ms, index.count(b"<url>"))
    print(json.dumps(result), flush=True)


def run(db: str, rounds: int, *, cached: bool) -> dict:
    env = env_for(db, DJANGO_SETTINGS_MODULE="bench.settings", CATALOG_CACHE_ENABLED="1" if cached else "0")
    out = subprocess.run(
        [PY, "-m", "bench.sitemap", "--child", f"--rounds={rounds}"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=SCALES)
    parser.add_argument("--courses", type=int, default=20_000)
    parser.add_argument("--units", type=int, default=3)
    parser.add_argument("--modules", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3, help="the best of these counts")
    parser.add_argument("--reuse", action="store_true", help="keep the bench database if it exists")
    parser.add_argument("--database", help="the bench database (default: bench/http.py's of that size)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.rounds)
        return
    if args.scale:
        args.courses, args.units, args.modules = SCALES[args.scale]
    db = args.database or f"catalog_bench_http_{args.courses}_{args.units}_{args.modules}"  # bench/http.py's
    if not (args.reuse and database_exists(db)):
        load_catalog(db, courses=args.courses, units=args.units, modules=args.modules)
    uncached = run(db, args.rounds, cached=False)
    cached = run(db, args.rounds, cached=True)
    floor = uncached["floor"]

    def row(case, ms, base, urls=""):
        return {"case": case, "ms": f"{ms:.1f}", "x floor": f"{ms / base:.0f}", "urls": str(urls)}

    rows = [row("floor view", floor, floor)]
    rows.append(row("index, no cache at all", uncached["index"], floor))
    rows += [row(f"sitemap {n}, no cache at all", ms, floor, urls) for n, (ms, urls) in uncached["files"].items()]
    rows.append(row("index, first request (a miss)", cached["index miss"], cached["floor"]))
    rows += [
        row(f"sitemap {n}, first request after the index (a miss)", ms, cached["floor"], urls)
        for n, (ms, urls) in cached["files"].items()
    ]
    rows.append(row("index, hit", cached["index"], cached["floor"]))
    rows += [row(f"sitemap {n}, hit", ms, cached["floor"]) for n, ms in cached["hits"].items()]
    print(f"{args.courses:,} courses x {args.units} x {args.modules}; best of {args.rounds} (a first request: one)")
    print(table(rows, [("case", "case"), ("ms", "ms"), ("x floor", "x floor"), ("URLs", "urls")]))
    for label, figures in (("no cache at all", uncached["files"]), ("a miss after the index", cached["files"])):
        if not figures:  # the catalog fits in one file: /sitemap.xml is the file, measured as the index
            continue
        slowest = max(ms for ms, _ in figures.values())
        verdict = "ok" if slowest < GOAL_FILE_MS else "MISSED"
        print(f"slowest file, {label}: {slowest:.0f} ms (goal: under {GOAL_FILE_MS:.0f} ms): {verdict}")


if __name__ == "__main__":
    main()
