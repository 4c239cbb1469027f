"""`catalog_tick`: record the scheduled switches that are due (run it every minute)."""

from django.core.management.base import BaseCommand

from catalog import services


class Command(BaseCommand):
    help = (
        "Record every scheduled switch that is due (the status, the history and the feed's entries of courses "
        "scheduled to go live or to be withdrawn; learners see switches on time without it), compact the "
        "change feed, drop old finished webhook deliveries, and purge again what an edge cache missed. Run it every "
        "minute."
    )

    def handle(self, *args, **options):
        done = services.tick()
        self.stdout.write(
            f"{done['settled']} course(s) with scheduled switches recorded; {done['compacted']} old feed entries "
            f"dropped; {done['deliveries_dropped']} old webhook deliveries dropped; {done['edge_purges']} missed edge "
            "purges done"
        )
