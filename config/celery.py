"""The Celery app of the worker: `celery -A config worker -B` sends webhooks and runs the minute's tick."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("catalog")
# Every CELERY_* setting of config/settings.py (broker, beat schedule); tasks live in catalog/tasks.py.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _schedule_folder(sender, **kwargs):
    """The beat's schedule file lives in the checkout's var/ by default, which may not exist yet."""
    from pathlib import Path

    Path(sender.conf.beat_schedule_filename).parent.mkdir(parents=True, exist_ok=True)
