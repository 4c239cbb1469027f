"""HTTP benchmark: gunicorn on PostgreSQL + Redis, measured with wrk, as ratios to a floor view.

    .venv/bin/python -m bench.http [--courses 10000 --units 8 --modules 6] [--seconds 10] [--reuse]
    .venv/bin/python -m bench.http --scale 100k        # 100,000 courses x 3 units x 3 modules

The floor is a constant Django view behind the full middleware stack (no database, no cache);
every other figure is divided by the floor's requests/s measured in the same run. A bare WSGI
application under the same gunicorn (bench/bare.py, no Django) shows what every request pays before
the floor: cache hits are also given as a share of it, with metrics and CORS off and on
(METRICS_ENABLED=1, CORS_ALLOWED_ORIGINS, and an Origin header on each request). The uncached
searches go from a word in every course to a rare phrase, so the table shows whether a search's
cost grows with how many courses match; the goals the catalog holds itself to are checked at the end.
"""

import argparse
import json
import platform
from urllib.parse import quote_plus

from bench.common import Gunicorn, database_exists, get, load_catalog, published_slugs, table, wrk

SCALES = {"10k": (10_000, 8, 6), "100k": (100_000, 3, 3)}
# Words of the generated catalog (catalog/files/catalog_generator.py), from everywhere to rare: "course" is in
# every description, a topic's name in a seventh of the courses, a subject in about one in fifty-six,
# and a course title template with its subject in about one in three hundred.
SEARCH = "/api/v1/courses/?search=postgresql+indexing"
SEARCHES = [
    ("every course", "course"),
    ("a topic's courses", "security"),
    ("one subject", "kubernetes"),
    ("rare phrase", '"reliable terraform"'),
    ("a misspelt word", "kubernets"),
    ("two words, the last being typed", "postgresql ind"),
]
SUGGEST = "/api/v1/suggest/?q=kube"
TOPIC_PAGE = "/api/v1/courses/?topic=databases"
# The learners' narrowing: a level, a language and a topic (issue 22).
FILTERED_PAGE = "/api/v1/courses/?level=beginner&language=en&topic=databases"
# (case, baseline case, at least this share of the baseline's requests/s): the issues' goals.
GOALS = [
    ("uncached detail", "floor view (constant bytes)", 0.5),
    ("uncached list page 1", "floor view (constant bytes)", 0.3),
    ("uncached filtered page (level, language, topic)", "floor view (constant bytes)", 0.3),
    ("uncached search: every course", "uncached topic page", 0.5),
    ("uncached search: a misspelt word", "uncached topic page", 0.5),
    ("uncached search: two words, the last being typed", "uncached topic page", 0.5),
    ("uncached suggestions", "uncached topic page", 1.0),
    ("cached detail, metrics and CORS on", "bare WSGI (no Django)", 0.36),
    ("cached list page 1, metrics and CORS on", "bare WSGI (no Django)", 0.36),
]
ORIGIN = "https://learn.example.org"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=SCALES, help="a catalog size preset (courses x units x modules)")
    parser.add_argument("--courses", type=int, default=10_000)
    parser.add_argument("--units", type=int, default=8)
    parser.add_argument("--modules", type=int, default=6)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="keep the bench database if it exists")
    parser.add_argument("--database", help="the bench database (default: one per size, shared with bench/sitemap.py)")
    parser.add_argument("--only", nargs="*", default=(), help="measure only the cases whose names contain one of these")
    args = parser.parse_args()
    if args.scale:
        args.courses, args.units, args.modules = SCALES[args.scale]

    DB = args.database or f"catalog_bench_http_{args.courses}_{args.units}_{args.modules}"  # noqa: N806 (one per size, for --reuse)
    if not (args.reuse and database_exists(DB)):
        print(f"loading {args.courses} courses x {args.units} units x {args.modules} modules ...")
        load_catalog(DB, courses=args.courses, units=args.units, modules=args.modules)

    detail = f"/api/v1/courses/{published_slugs(DB, 1)[0]}/"
    deep = max(1, args.courses * 8 // 10 // 20 * 9 // 10)  # ~90% of the way through the published list (80%)
    cases = [
        ("floor view (constant bytes)", "cached", "/bench/floor", None),
        ("bare WSGI (no Django)", "bare", "/", None),
        ("cached list page 1", "cached", "/api/v1/courses/", "HIT"),
        ("cached detail", "cached", detail, "HIT"),
        ("cached list page 1, metrics and CORS on", "observed", "/api/v1/courses/", "HIT"),
        ("cached detail, metrics and CORS on", "observed", detail, "HIT"),
        ("cached detail, metrics and CORS on, no hit lane", "unlaned", detail, "HIT"),
        ("cached search page", "cached", SEARCH, "HIT"),
        ("uncached list page 1", "uncached", "/api/v1/courses/", "MISS"),
        (f"uncached list page {deep}", "uncached", f"/api/v1/courses/?page={deep}", "MISS"),
        ("uncached detail", "uncached", detail, "MISS"),
        ("uncached topic page", "uncached", TOPIC_PAGE, "MISS"),
        ("uncached filtered page (level, language, topic)", "uncached", FILTERED_PAGE, "MISS"),
        ("uncached catalog page", "uncached", "/", None),
        ("uncached catalog page, filtered", "uncached", "/" + FILTERED_PAGE[len("/api/v1/courses/") :], None),
        ("uncached topics list", "uncached", "/api/v1/topics/", "MISS"),
        *(
            (f"uncached search: {name}", "uncached", f"/api/v1/courses/?search={quote_plus(words)}", "MISS")
            for name, words in SEARCHES
        ),
        ("uncached suggestions", "uncached", SUGGEST, "MISS"),
    ]
    if args.only:  # the floor and the bare application always: ratios are to them
        cases = [c for c in cases if c in cases[:2] or any(word in c[0] for word in args.only)]
    rows = []
    with (
        Gunicorn(DB, workers=args.workers) as cached,
        Gunicorn(DB, workers=args.workers, CATALOG_CACHE_ENABLED=0) as uncached,
        Gunicorn(DB, workers=args.workers, METRICS_ENABLED=1, CORS_ALLOWED_ORIGINS=ORIGIN) as observed,
        Gunicorn(DB, workers=args.workers, app="bench.bare:app") as bare,
        Gunicorn(
            DB, workers=args.workers, METRICS_ENABLED=1, CORS_ALLOWED_ORIGINS=ORIGIN, CATALOG_HIT_LANE=0
        ) as unlaned,
    ):
        servers = {"cached": cached, "uncached": uncached, "observed": observed, "bare": bare, "unlaned": unlaned}
        for name, server, path, expect in cases:
            url = servers[server].url(path)
            headers = {"Origin": ORIGIN} if server in ("observed", "unlaned") else {}
            for _ in range(6):  # warm every worker's connections and the cache
                status, answer, body = get(url, headers)
                if _ >= 2 and answer.get("X-Cache") == expect:
                    break
            if status != 200 or (expect and answer.get("X-Cache") != expect):
                raise SystemExit(f"{name}: expected 200 {expect}, got {status} {answer.get('X-Cache')}")
            if (
                server == "observed"
                and {k.lower(): v for k, v in answer.items()}.get("access-control-allow-origin") != ORIGIN
            ):
                raise SystemExit(f"{name}: CORS is not on")
            cpu = servers[server].cpu_seconds()
            result = wrk(url, seconds=args.seconds, connections=args.connections, headers=headers)
            result["cpu_us"] = (servers[server].cpu_seconds() - cpu) / max(result["rps"] * args.seconds, 1) * 1e6
            rows.append({"name": name, "matches": matches(path, body), **result})
            print(f"  {name}: {result['rps']:.0f} req/s", flush=True)
    floor = rows[0]["rps"]
    bare_rps = next(row["rps"] for row in rows if row["name"].startswith("bare WSGI"))
    bare_cpu = next(row["cpu_us"] for row in rows if row["name"].startswith("bare WSGI"))
    for row in rows:
        row["ratio"] = row["rps"] / floor
        row["to_bare"] = row["rps"] / bare_rps
        row["cpu_to_bare"] = bare_cpu / max(row["cpu_us"], 1e-9)
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
                ("matches", "matches"),
                ("ratio to floor", "{ratio:.2f}"),
                ("ratio to bare WSGI", "{to_bare:.2f}"),
                ("worker CPU us/req", "{cpu_us:.0f}"),
                ("bare's CPU / this CPU", "{cpu_to_bare:.2f}"),
            ],
        )
    )
    print()
    print(goals(rows))


def matches(path: str, body: bytes) -> str:
    """How many courses a list answer counts ("1000+"-style when the search was capped); blank otherwise."""
    if "/courses/?" not in path:
        return ""
    answer = json.loads(body)
    return f"{answer['count']:,}" + (" (capped)" if answer.get("count_capped") else "")


def goals(rows: list[dict]) -> str:
    rps = {row["name"]: row["rps"] for row in rows}
    cpu = {row["name"]: row["cpu_us"] for row in rows}
    lines = []
    for case, baseline, share in GOALS:
        if case not in rps or baseline not in rps:
            continue
        ratio = rps[case] / rps[baseline]
        verdict = "met" if ratio >= share else "NOT met"
        by_cpu = cpu[baseline] / max(cpu[case], 1e-9)
        lines.append(
            f"goal: {case} >= {share} x {baseline}: {ratio:.2f} ({verdict}); by worker CPU per request {by_cpu:.2f}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
