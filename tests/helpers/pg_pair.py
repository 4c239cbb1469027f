"""Run a command against a private PostgreSQL primary with a streaming read replica.

    python -m tests.helpers.pg_pair pytest -m replica

Starts both servers in a temporary directory (nothing of the machine's PostgreSQL is touched),
exports DATABASE_URL and DATABASE_REPLICA_URL for the command, and stops them afterwards. Exits
with the command's exit code. Needs the PostgreSQL server binaries (PG_BINDIR if not on the usual
paths); `make test-replica` uses it.
"""

import os
import subprocess
import sys

from tests.helpers.servers import postgres_pair


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    with postgres_pair() as (primary, standby):
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{primary}/catalog",
            "DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{standby}/catalog",
        }
        print(f"primary on port {primary}, streaming replica on port {standby}", file=sys.stderr)
        return subprocess.call(argv, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
