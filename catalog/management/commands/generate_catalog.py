"""`generate_catalog`: write an import file of plausible courses, deterministic for a seed."""

from django.core.management.base import BaseCommand, CommandError

from catalog.files.catalog_generator import generate, write


class Command(BaseCommand):
    help = (
        "Generate an import file of N plausible courses (JSON, or JSON Lines when FILE ends in .jsonl); "
        "the same seed gives the same bytes. Needs no database."
    )
    requires_system_checks = []  # the checks would not touch the database, but nothing here needs them

    def add_arguments(self, parser):
        parser.add_argument("--courses", type=int, required=True, metavar="N")
        parser.add_argument("--units", type=int, metavar="U", help="units per course (default: 2 to 6)")
        parser.add_argument("--modules", type=int, metavar="M", help="modules per unit (default: 2 to 5)")
        parser.add_argument("--seed", type=int, default=0, metavar="S", help="default 0")
        parser.add_argument("-o", "--output", required=True, metavar="FILE")

    def handle(self, *args, courses, units, modules, seed, output, **options):
        if courses < 0:
            raise CommandError("--courses must be 0 or more")
        for name, value in (("--units", units), ("--modules", modules)):
            # A published course needs a unit with a module, so a tree can't be asked to be empty.
            if value is not None and value < 1:
                raise CommandError(f"{name} must be 1 or more")
        try:
            count = write(output, generate(courses=courses, units=units, modules=modules, seed=seed))
        except OSError as exc:
            raise CommandError(f"{output}: cannot write: {exc.strerror or exc}") from exc
        self.stderr.write(f"wrote {count} course(s) to {output}")
