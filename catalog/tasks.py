"""Celery tasks: what the worker runs (`celery -A config worker -B`), each a thin call of the services."""

from celery import shared_task

from catalog import services
from catalog.services.changes.webhooks import SEND_TASK


@shared_task(name=SEND_TASK, ignore_result=True)
def webhooks_send() -> int:
    """Send every webhook delivery that is due (woken after commits, and swept every minute by the beat)."""
    return services.deliveries_send_due()


@shared_task(name="catalog.tick", ignore_result=True)
def catalog_tick() -> dict:
    """What `manage.py catalog_tick` does, every minute (see catalog.services.releasing.tick)."""
    return services.tick()
