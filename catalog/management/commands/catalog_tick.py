"""`catalog_tick`: record the scheduled switches that are due (run it every minute)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from catalog import services


class Command(BaseCommand):
    help = (
        "Record every scheduled switch that is due (the status, the history and the feed's entries of courses "
        "scheduled to go live or to be withdrawn; learners see switches on time without it), and compact the "
        "change feed. Run it every minute."
    )

    def handle(self, *args, **options):
        settled = services.schedule_apply_due()
        compacted = services.feed_compact(retention_days=settings.CATALOG_FEED_RETENTION)
        self.stdout.write(f"{settled} course(s) with scheduled switches recorded; {compacted} old feed entries dropped")
