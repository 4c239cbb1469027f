"""Import benchmark: a generated catalog into an empty PostgreSQL database, then again unchanged.

    .venv/bin/python -m bench.import [--courses 10000 --units 8 --modules 6] [--keep]
    .venv/bin/python -m bench.import --scale 100k      # one file of 100,000 courses x 3 units x 3 modules
    .venv/bin/python -m bench.import --source gen      # as a generator: records follow their courses

Generates the catalog with `generate_catalog` (JSON Lines), creates a database of its own
(catalog_bench_import), migrates it, imports the file with `import_courses`, imports it again (which
must report every course unchanged), exports it with `export_courses`, and drops the database. The
baseline is the first import; the re-import only reads and compares, so its ratio should be well
below 1. Each phase is a fresh `manage.py` process, so the times include Django's start-up.
After each import it reads PostgreSQL's statistics of the course table: rows written (inserts plus
updates; each row once is the goal) and the share of dead row versions left behind.
With `--source NAME` both imports name a source, as generators do: the first records which course
each record created (ImportIdentity), the re-import looks them up; compare with a run without it.
"""

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path

from bench.common import PG_ADMIN_URL, PY, ROOT, env_for, manage, recreate_database, table

DB = os.environ.get("BENCH_IMPORT_DB", "catalog_bench_import")  # another name: runs side by side
SCALES = {"10k": (10_000, 8, 6), "100k": (100_000, 3, 3)}
# The goals: modules/s of the first import, and how much faster an unchanged re-import is.
FIRST_IMPORT_MODULES_S = 20_000
REIMPORT_SPEEDUP = 10


def course_table_writes() -> dict:
    """Rows written to the course table so far, and its dead share, from PostgreSQL's statistics."""
    import psycopg

    from bench.common import db_url

    with psycopg.connect(db_url(DB), autocommit=True) as conn:
        conn.execute("SELECT pg_stat_force_next_flush()")
        inserted, updated, live, dead = conn.execute(
            "SELECT n_tup_ins, n_tup_upd, n_live_tup, n_dead_tup FROM pg_stat_user_tables "
            "WHERE relname = 'catalog_course'"
        ).fetchone()
    return {"written": inserted + updated, "dead": dead / max(1, live + dead)}


def timed(*args: str, out_dir: str) -> dict:
    """Run `manage.py *args` against the bench database: seconds, peak memory, last stdout line."""
    stdout_path, stderr_path = Path(out_dir) / "stdout", Path(out_dir) / "stderr"
    with open(stdout_path, "w") as stdout, open(stderr_path, "w") as stderr:
        start = time.perf_counter()
        proc = subprocess.Popen([PY, "manage.py", *args], cwd=ROOT, env=env_for(DB), stdout=stdout, stderr=stderr)
        # wait4 gives this child's own peak memory (getrusage would give the maximum over all children).
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{stderr_path.read_text()[-3000:]}")
    lines = stdout_path.read_text().strip().splitlines()
    return {"seconds": seconds, "rss_mb": usage.ru_maxrss / 1024, "summary": lines[-1] if lines else ""}


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=SCALES, help="a catalog size preset (courses x units x modules)")
    parser.add_argument("--courses", type=int, default=10_000)
    parser.add_argument("--units", type=int, default=8)
    parser.add_argument("--modules", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help=f"keep the {DB} database afterwards")
    parser.add_argument("--source", help="import as this source (records follow their courses, as for generators)")
    args = parser.parse_args()
    if args.scale:
        args.courses, args.units, args.modules = SCALES[args.scale]
    courses, modules = args.courses, args.courses * args.units * args.modules

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "catalog.jsonl")
        start = time.perf_counter()
        manage(
            DB,
            "generate_catalog",
            "--courses",
            str(courses),
            "--units",
            str(args.units),
            "--modules",
            str(args.modules),
            "--seed",
            str(args.seed),
            "-o",
            path,
        )
        rows.append(
            {
                "phase": "generate (no database)",
                "seconds": time.perf_counter() - start,
                "rss_mb": 0,
                "summary": f"{os.path.getsize(path) / 1e6:,.0f} MB of JSON Lines",
            }
        )
        recreate_database(DB)
        try:
            manage(DB, "migrate", "-v0")
            named = ["--source", args.source] if args.source else []
            first = timed("import_courses", path, *named, out_dir=tmp)
            after_first = course_table_writes()
            rows.append({"phase": "first import", **first, **after_first})
            again = timed("import_courses", path, *named, out_dir=tmp)
            after_again = course_table_writes()
            written = after_again["written"] - after_first["written"]
            rows.append({"phase": "re-import, unchanged", **again, **after_again, "written": written})
            exported = timed("export_courses", "-o", str(Path(tmp) / "export.jsonl"), out_dir=tmp)
            rows.append({"phase": "export", **exported, "summary": f"{courses} courses"})
        finally:
            if not args.keep:
                drop_database(DB)

    expected = {
        "first import": f"created {courses}, updated 0, unchanged 0, failed 0",
        "re-import, unchanged": f"created 0, updated 0, unchanged {courses}, failed 0",
    }
    for row in rows:
        if row["phase"] in expected and row["summary"] != expected[row["phase"]]:
            raise SystemExit(f"{row['phase']}: expected '{expected[row['phase']]}', got '{row['summary']}'")
        row["courses_s"] = f"{courses / row['seconds']:,.0f}"
        row["modules_s"] = f"{modules / row['seconds']:,.0f}"
        row["ratio"] = f"{row['seconds'] / first['seconds']:.2f}" if "import" in row["phase"] else ""
        row["memory"] = f"{row['rss_mb']:,.0f} MB" if row["rss_mb"] else ""
        row["rows"] = f"{row['written']:,}" if "written" in row else ""
        row["dead_share"] = f"{row['dead']:.0%}" if "dead" in row else ""
    print(
        f"\n{courses:,} courses x {args.units} units x {args.modules} modules = {modules:,} modules, "
        f"PostgreSQL, {os.cpu_count()} CPUs" + (f", --source {args.source}" if args.source else "")
    )
    print(
        table(
            rows,
            [
                ("phase", "phase"),
                ("seconds", "{seconds:.1f}"),
                ("courses/s", "courses_s"),
                ("modules/s", "modules_s"),
                ("ratio to first import", "ratio"),
                ("peak memory", "memory"),
                ("course rows written", "rows"),
                ("dead rows", "dead_share"),
                ("summary", "summary"),
            ],
        )
    )
    modules_s = modules / first["seconds"]
    speedup = first["seconds"] / again["seconds"]
    print()
    met = verdict(modules_s >= FIRST_IMPORT_MODULES_S)
    print(f"goal: first import >= {FIRST_IMPORT_MODULES_S:,} modules/s: {modules_s:,.0f} ({met})")
    met = verdict(speedup >= REIMPORT_SPEEDUP)
    print(f"goal: unchanged re-import >= {REIMPORT_SPEEDUP}x faster than the first: {speedup:.1f}x ({met})")


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


if __name__ == "__main__":
    main()
