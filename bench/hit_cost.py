"""What a learner's cache hit costs in one process, per configuration, as ratios to baselines of the same run.

    .venv/bin/python -m bench.hit_cost [--requests 1000] [--rounds 15] [--redis redis://127.0.0.1:6379/12]

Each configuration runs in a process of its own (settings are read once) on a SQLite file with one
published course, and calls the WSGI application directly, without a server or a socket: the
figures are the Django stack and the cache lookup, nothing else. The processes take turns, round
by round, and each figure is the best round, so a busy machine disturbs every configuration alike.
The floor is a constant view (bench/urls.py) behind the same middleware. Configurations:

- embedded, tokens in process: the embedded default before issue 14 (LocMem only; a write from
  another process stayed invisible for up to CATALOG_CACHE_TTL) - the baseline of the hit ratios;
- embedded, tokens in files: the embedded default now (pages in process, tokens in shared files);
- the same with METRICS_ENABLED=1, in one process and with gunicorn's multiprocess files;
- the same with metrics and CORS on, with and without the hit lane (catalog/web/hits.py: hits answered in
  front of Django's handler; the application called is config.wsgi's, as gunicorn calls it);
- Redis (REDIS_URL) for comparison when --redis is given, also with metrics and CORS, lane on and off;
- with --compare DIR (another checkout, e.g. `git worktree add --detach ../before main`), the configurations
  with metrics and CORS on and the lane again, run from that checkout's code in the same turns: a change's
  before and after in one run.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, table, wsgi_get

CONFIGS = {
    "embedded, tokens in process (before)": {"BENCH_TOKENS_IN_PROCESS": "1"},
    "embedded, tokens in files (now)": {},
    "embedded, tokens in files, metrics on (one process)": {"METRICS_ENABLED": "1"},
    "embedded, tokens in files, metrics on (multiprocess files)": {
        "METRICS_ENABLED": "1",
        "PROMETHEUS_MULTIPROC_DIR": "{tmp}/metrics",
    },
}
CASES = [("floor", "/bench/floor"), ("detail hit", "/api/v1/courses/bench-course/"), ("list hit", "/api/v1/courses/")]
ORIGIN = "https://learn.example.org"  # every request says it (CORS only answers it where it is on)
# Metrics in gunicorn's multiprocess files and CORS on, with and without the hit lane (catalog/web/hits.py).
OBSERVED = {"METRICS_ENABLED": "1", "PROMETHEUS_MULTIPROC_DIR": "{tmp}/metrics", "CORS_ALLOWED_ORIGINS": ORIGIN}
CONFIGS.update(
    {
        "embedded, tokens in files, metrics and CORS on": OBSERVED,
        "embedded, tokens in files, metrics and CORS on, no hit lane": {**OBSERVED, "CATALOG_HIT_LANE": "0"},
    }
)


def child(requests: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from catalog import services

    record = {"slug": "bench-course", "title": "Bench", "topic": "Bench", "status": "published"}
    record["units"] = [{"title": "U", "modules": [{"title": "M"}]}]
    services.course_upsert_tree(record=record)

    from config.wsgi import application as app  # what gunicorn runs: the hit lane in front of Django

    def call(path):
        return wsgi_get(app, path, HTTP_ORIGIN=ORIGIN)

    for name, path in CASES:
        for _ in range(5):
            status, headers, _ = call(path)
        assert status.startswith("200"), (path, status)
        if name != "floor":
            assert headers.get("X-Cache") == "HIT", (path, headers)
    print("ready", flush=True)
    # One round per line the parent sends, so that the configurations take turns and a busy
    # machine disturbs them alike.
    for _ in sys.stdin:
        result = {}
        for name, path in CASES:
            started = time.perf_counter()
            for _ in range(requests):
                call(path)
            result[name] = (time.perf_counter() - started) / requests * 1e6
        print(json.dumps(result), flush=True)


def configurations(args) -> tuple[dict, dict]:
    """The configurations to measure, and the checkout each one runs from."""
    configs = dict(CONFIGS)
    if args.redis:
        redis = {"REDIS_URL": args.redis, "CATALOG_CACHE_PREFIX": "catalog-bench"}
        configs["Redis"] = redis
        configs["Redis, metrics and CORS on"] = {**redis, **OBSERVED}
        configs["Redis, metrics and CORS on, no hit lane"] = {**redis, **OBSERVED, "CATALOG_HIT_LANE": "0"}
    trees = dict.fromkeys(configs, ROOT)
    if args.compare:
        for name in [name for name in configs if name.endswith("metrics and CORS on")]:
            configs[f"{name} [{args.compare.name}]"] = configs[name]
            trees[f"{name} [{args.compare.name}]"] = args.compare.resolve()
    return configs, trees


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000, help="per case and round")
    parser.add_argument("--rounds", type=int, default=15, help="the best round of each counts")
    parser.add_argument("--redis", help="also measure with this REDIS_URL (its keys get the prefix catalog-bench)")
    parser.add_argument("--compare", type=Path, help="also run the lane's configurations from this checkout's code")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.requests)
        return

    configs, trees = configurations(args)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        children = {}
        for index, (name, extra) in enumerate(configs.items()):
            base = {
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "METRICS_", "PROMETHEUS_"))
            }
            env = {
                **base,
                "DJANGO_SETTINGS_MODULE": "bench.settings",
                "DJANGO_DEBUG": "1",  # as `make run` has it
                "DATABASE_URL": f"sqlite:///{Path(tmp) / f'db{index}.sqlite3'}",
                "CATALOG_CACHE_DIR": str(Path(tmp) / f"cache{index}"),
                **{k: v.format(tmp=f"{tmp}/{index}") for k, v in extra.items()},
            }
            child_process = subprocess.Popen(
                [sys.executable, "-m", "bench.hit_cost", "--child", f"--requests={args.requests}"],
                cwd=trees[name],
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            if child_process.stdout.readline().strip() != "ready":
                raise SystemExit(f"{name}: the child did not start")
            children[name] = child_process
        best = {name: {} for name in children}
        for _ in range(args.rounds):
            for name, child_process in children.items():
                child_process.stdin.write("round\n")
                child_process.stdin.flush()
                for case, value in json.loads(child_process.stdout.readline()).items():
                    best[name][case] = min(value, best[name].get(case, value))
        for child_process in children.values():
            child_process.stdin.close()
            child_process.wait(30)
        for name, figures in best.items():
            print(f"  {name}: " + ", ".join(f"{k} {v:.0f} µs" for k, v in figures.items()), flush=True)
            rows.append({"name": name, **{k.replace(" ", "_"): v for k, v in figures.items()}})
    before = rows[0]
    for row in rows:
        row["detail_vs_floor"] = row["detail_hit"] / row["floor"]
        row["detail_vs_before"] = row["detail_hit"] / before["detail_hit"]
        row["list_vs_before"] = row["list_hit"] / before["list_hit"]
    print()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}; {args.requests} requests x {args.rounds} rounds taking turns (best round), "
        "WSGI called directly"
    )
    print(
        table(
            rows,
            [
                ("configuration", "name"),
                ("floor µs", "{floor:.0f}"),
                ("detail hit µs", "{detail_hit:.0f}"),
                ("list hit µs", "{list_hit:.0f}"),
                ("detail / floor", "{detail_vs_floor:.2f}"),
                ("detail / before", "{detail_vs_before:.2f}"),
                ("list / before", "{list_vs_before:.2f}"),
            ],
        )
    )


if __name__ == "__main__":
    main()
