"""What runs every minute (`manage.py catalog_tick`, or the worker's beat): housekeeping that learners
never wait for (their reads pick the release that is live now), so a missed minute changes nothing."""

from django.conf import settings

from catalog.services.changes.edge import edge_purges_retry
from catalog.services.changes.feed import feed_compact
from catalog.services.changes.webhooks import deliveries_prune
from catalog.services.releasing.schedule import schedule_apply_due


def tick() -> dict[str, int]:
    """Record the scheduled switches that are due, compact the change feed, drop the finished webhook
    deliveries older than the feed keeps (CATALOG_FEED_RETENTION days), and purge again what an edge missed."""
    days = settings.CATALOG_FEED_RETENTION
    return {
        "settled": schedule_apply_due(),
        "edge_purges": edge_purges_retry(),
        "compacted": feed_compact(retention_days=days),
        "deliveries_dropped": deliveries_prune(retention_days=days),
    }
