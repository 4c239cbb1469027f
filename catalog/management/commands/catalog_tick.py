"""`catalog_tick`: record the scheduled switches that are due (run it every minute)."""

from django.core.management.base import BaseCommand

from catalog import services


class Command(BaseCommand):
    help = (
        "Record every scheduled switch that is due: the status, the history and the events of courses "
        "scheduled to go live or to be withdrawn. Learners see switches on time without it; run it every minute."
    )

    def handle(self, *args, **options):
        settled = services.schedule_apply_due()
        self.stdout.write(f"{settled} course(s) with scheduled switches recorded")
