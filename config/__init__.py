"""The project's configuration; the Celery app is loaded with Django so tasks bind to it."""

from .celery import app as celery_app

__all__ = ["celery_app"]
