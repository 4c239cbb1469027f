"""`catalog_prune_releases --keep N`: delete old releases, never a live or scheduled one."""

from django.core.management.base import BaseCommand, CommandError

from catalog import services


class Command(BaseCommand):
    help = "Keep each course's N newest releases (and any that is live or scheduled); delete the rest."

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep", type=int, required=True, metavar="N", help="releases to keep per course (1 or more)"
        )

    def handle(self, *args, keep, **options):
        if keep < 1:
            raise CommandError("--keep must be 1 or more: the live release always stays anyway")
        deleted = services.releases_prune(keep=keep)
        self.stdout.write(
            f"deleted {deleted} release(s); kept the {keep} newest of each course and every live or scheduled one"
        )
