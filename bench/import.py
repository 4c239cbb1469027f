"""Import benchmark: a generated catalog into an empty PostgreSQL database, then again unchanged.

    .venv/bin/python -m bench.import [--courses 10000 --units 8 --modules 6]

The baseline is the first import; the re-import of identical data must read and compare, not
rewrite, so its ratio to the first import should be well below 1.
"""
import argparse
import subprocess
import tempfile
import time
from pathlib import Path

from bench.common import PY, ROOT, env_for, manage, recreate_database, table

DB = "catalog_bench_import"


def timed_import(path: str) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(
        [PY, "manage.py", "import_courses", path], cwd=ROOT, env=env_for(DB), capture_output=True, text=True, check=True
    )
    return time.perf_counter() - start, result.stdout.strip().splitlines()[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--courses", type=int, default=10_000)
    parser.add_argument("--units", type=int, default=8)
    parser.add_argument("--modules", type=int, default=6)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "catalog.jsonl")
        manage(DB, "generate_catalog", "--courses", str(args.courses), "--units", str(args.units),
               "--modules", str(args.modules), "--seed", "1", "-o", path)
        recreate_database(DB)
        manage(DB, "migrate", "-v0")
        first, first_summary = timed_import(path)
        again, again_summary = timed_import(path)

    modules = args.courses * args.units * args.modules
    rows = [
        {"phase": "first import", "seconds": first, "summary": first_summary, "ratio": 1.0},
        {"phase": "re-import, unchanged", "seconds": again, "summary": again_summary, "ratio": again / first},
    ]
    for row in rows:
        row["courses_s"] = args.courses / row["seconds"]
        row["modules_s"] = modules / row["seconds"]
    print(f"\n{args.courses} courses x {args.units} units x {args.modules} modules = {modules} modules, PostgreSQL")
    print(table(rows, [("phase", "phase"), ("seconds", "{seconds:.1f}"), ("courses/s", "{courses_s:,.0f}"),
                       ("modules/s", "{modules_s:,.0f}"), ("ratio to first import", "{ratio:.2f}"), ("summary", "summary")]))


if __name__ == "__main__":
    main()
