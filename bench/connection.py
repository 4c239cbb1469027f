"""What the database connection's settings are worth to an uncached learner read, in one run.

    .venv/bin/python -m bench.connection [--courses 2000] [--seconds 5] [--before ../other-checkout]

gunicorn (cache off: every read a miss) in several configurations against one bench database,
each case's requests/s divided by the floor view's (bench/urls.py) measured in the same run:
as configured (server-side binding, statements prepared on their fifth run, the socket health
check), without prepared statements (DATABASE_PREPARED_STATEMENTS=0), with Django's stock backend
(a `SELECT 1` before each request's first query), behind nothing but with transaction pooling's
settings (DATABASE_TRANSACTION_POOLING=1), and optionally another checkout of the project (`--before`,
e.g. the main branch) for a before/after. The rounds are interleaved so that the shared machine's
load falls on every configuration alike; the table shows the median of the rounds: requests/s as a
share of the same configuration's floor in the same round, and the CPU time a request costs the
gunicorn workers and their PostgreSQL backends together (found by application_name), which a busy
machine distorts far less than requests/s.
"""

import argparse
import contextlib
import os
import statistics
import subprocess
from pathlib import Path

from bench.common import PY, database_exists, db_url, env_for, get, load_catalog, published_slugs, table, wrk
from tests.helpers.servers import free_port, wait_for_port

CONFIGURATIONS = [
    ("as configured", {}),
    ("no prepared statements", {"DATABASE_PREPARED_STATEMENTS": 0}),
    ("stock backend (SELECT 1 per request)", {"BENCH_STOCK_BACKEND": 1}),
    ("transaction pooling settings", {"DATABASE_TRANSACTION_POOLING": 1}),
]


class Server:
    def __init__(self, db: str, root: Path, workers: int, **extra):
        self.port = free_port()
        self.root = root
        self.workers = workers
        self.db = db
        self.name = f"bench-connection-{self.port}"
        self.env = env_for(db, DJANGO_SETTINGS_MODULE="bench.settings", CATALOG_CACHE_ENABLED=0, **extra)
        self.env["DATABASE_URL"] += f"?application_name={self.name}"

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of the workers and of their PostgreSQL backends so far."""
        import psycopg

        with psycopg.connect(db_url(self.db), autocommit=True) as conn:
            rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [self.name])
            backends = {pid for (pid,) in rows.fetchall()}
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                pid, rest = stat.read_text().split(" ", 1)
                fields = rest.rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == self.process.pid or int(pid) in backends:
                total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def __enter__(self):
        command = [PY, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--workers", str(self.workers), "--log-level", "warning"]
        self.process = subprocess.Popen(command, cwd=self.root, env=self.env)
        wait_for_port(self.port, 30)
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(10)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--courses", type=int, default=2000)
    parser.add_argument("--database", help="a bench database to use (default: bench/http.py's of that size)")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--before", type=Path, help="another checkout of the project to compare with")
    args = parser.parse_args()
    db = args.database or f"catalog_bench_http_{args.courses}_8_6"
    if not database_exists(db):
        load_catalog(db, courses=args.courses, units=8, modules=6)
    here = Path(__file__).resolve().parent.parent
    configurations = [(name, here, env) for name, env in CONFIGURATIONS]
    if args.before:
        configurations.append((f"before ({args.before.name})", args.before.resolve(), {}))
    cases = [("floor", "/bench/floor"), ("detail", f"/api/v1/courses/{published_slugs(db, 1)[0]}/")]
    cases.append(("list page 1", "/api/v1/courses/"))
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(Server(db, root, args.workers, **env)) for _name, root, env in configurations]
        results = measure([name for name, _root, _env in configurations], servers, cases, args)
    print(f"\ncatalog {db}, {args.workers} workers, wrk -c8 -d{args.seconds}s, median of {args.rounds} rounds")
    print(report(configurations, results))


def measure(names, servers, cases, args) -> dict:
    results = {}
    for _ in range(args.rounds):
        for name, server in zip(names, servers, strict=True):
            for case, path in cases:
                for _warm in range(12):  # every worker's connection, past the fifth run of each statement
                    status, _headers, _body = get(server.url(path))
                if status != 200:
                    raise SystemExit(f"{name} {case}: {status}")
                cpu = server.cpu_seconds()
                rps = wrk(server.url(path), seconds=args.seconds)["rps"]
                cpu_us = (server.cpu_seconds() - cpu) / max(rps * args.seconds, 1) * 1e6
                results.setdefault((name, case), []).append((rps, cpu_us))
                print(f"  {name}, {case}: {rps:.0f} req/s, {cpu_us:.0f} us CPU/request", flush=True)
    return results


def report(configurations, results) -> str:
    rows = []
    for name, _root, _env in configurations:
        floors = [rps for rps, _cpu in results[(name, "floor")]]
        row = {"name": name, "floor": statistics.median(floors)}
        for case, key in (("detail", "detail"), ("list page 1", "list")):
            runs = results[(name, case)]
            row[f"{key}_ratio"] = statistics.median(
                rps / floor for (rps, _cpu), floor in zip(runs, floors, strict=True)
            )
            row[f"{key}_cpu"] = statistics.median(cpu for _rps, cpu in runs)
        rows.append(row)
    return table(
        rows,
        [
            ("configuration", "name"),
            ("floor req/s", "{floor:.0f}"),
            ("uncached detail / floor", "{detail_ratio:.2f}"),
            ("detail CPU us/req (workers + db)", "{detail_cpu:.0f}"),
            ("uncached list page 1 / floor", "{list_ratio:.2f}"),
            ("list CPU us/req (workers + db)", "{list_cpu:.0f}"),
        ],
    )


if __name__ == "__main__":
    main()
