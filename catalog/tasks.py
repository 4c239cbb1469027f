"""Celery tasks: what the worker runs (`celery -A config worker -B`), each a thin call of the services."""

from celery import shared_task
from django.conf import settings

from . import services


@shared_task(name=services.webhooks.SEND_TASK, ignore_result=True)
def webhooks_send() -> int:
    """Send every webhook delivery that is due (woken after commits, and swept every minute by the beat)."""
    return services.deliveries_send_due()


@shared_task(name="catalog.tick", ignore_result=True)
def catalog_tick() -> dict:
    """What `manage.py catalog_tick` does, every minute: record due scheduled switches, compact the feed."""
    settled = services.schedule_apply_due()
    compacted = services.feed_compact(retention_days=settings.CATALOG_FEED_RETENTION)
    return {"settled": settled, "compacted": compacted}
