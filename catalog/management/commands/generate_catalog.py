"""`generate_catalog`: write an import file of plausible courses, deterministic for a seed."""
from django.core.management.base import BaseCommand, CommandError

from catalog.catalog_generator import generate, write


class Command(BaseCommand):
    help = "Generate an import file of N plausible courses (JSON, or JSON Lines for .jsonl). Needs no database."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--courses", type=int, required=True)
        parser.add_argument("--units", type=int, help="units per course (default: 2 to 6)")
        parser.add_argument("--modules", type=int, help="modules per unit (default: 2 to 5)")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("-o", "--output", required=True)

    def handle(self, *args, courses, units, modules, seed, output, **options):
        for name, value in (("--courses", courses), ("--units", units), ("--modules", modules)):
            if value is not None and value < (0 if name == "--courses" else 1):
                raise CommandError(f"{name} must be a positive number")
        try:
            count = write(output, generate(courses=courses, units=units, modules=modules, seed=seed))
        except OSError as exc:
            raise CommandError(f"{output}: cannot write: {exc.strerror or exc}") from exc
        self.stderr.write(f"wrote {count} course(s) to {output}")
