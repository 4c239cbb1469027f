"""gunicorn's settings for `gunicorn config.wsgi` (read from the working directory; flags still win).

Forwarded headers (X-Forwarded-Proto and friends, SCRIPT_NAME) are trusted from nobody unless
FORWARDED_ALLOW_IPS names the proxy's addresses: gunicorn's own default trusts any local client.

With METRICS_ENABLED=1 every worker writes its counts to files in PROMETHEUS_MULTIPROC_DIR (a
fresh temporary directory unless set), and /metrics sums them over all workers.
"""

import glob
import os
import tempfile

forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "")

# gunicorn's default access line plus the duration and the request id the answer carries.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms request_id=%({x-request-id}o)s'

METRICS = os.environ.get("METRICS_ENABLED", "").strip().lower() in ("1", "true", "yes", "on")
if METRICS and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # Set before any worker imports prometheus_client, which reads it once.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="catalog-metrics-")


def on_starting(server):
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR") if METRICS else None
    if directory:
        os.makedirs(directory, exist_ok=True)
        for stale in glob.glob(os.path.join(directory, "*.db")):  # counts of a previous run
            os.unlink(stale)


def child_exit(server, worker):
    if METRICS and os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
