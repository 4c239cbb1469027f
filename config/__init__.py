"""The project's configuration. The Celery app is config/celery.py: `celery -A config` finds it there, and
the web process loads it only when it first wakes the worker (so no command pays for importing Celery)."""
