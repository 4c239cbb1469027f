"""`import_courses PATH [PATH ...]`: upsert course files by slug, all or nothing per file."""

from django.core.management.base import BaseCommand, CommandError

from catalog.importing import Progress, import_file

COUNTS = ("created", "updated", "unchanged", "failed")


class Command(BaseCommand):
    help = (
        'Import courses from JSON ({"courses": [...]} or [...]) or JSON Lines (.jsonl) files; '
        "'-' reads standard input. Each file is written whole or not at all. See docs/import.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="a .json or .jsonl file, or - for standard input")
        parser.add_argument("--dry-run", action="store_true", help="report what would change per course; write nothing")
        parser.add_argument(
            "--format", choices=["json", "jsonl"], help="force the format (default: by extension; stdin: guessed)"
        )

    def handle(self, *args, paths, dry_run, format, **options):
        totals = dict.fromkeys(COUNTS, 0)
        failed_files, unpublished = [], []
        for path in paths:
            progress = Progress(self._progress_write, name="<stdin>" if path == "-" else path, tty=self.stderr.isatty())
            report = import_file(path, dry_run=dry_run, fmt=format, progress=progress)
            for line in report.changes:
                self.stdout.write(line)
            for line in report.errors:
                self.stderr.write(line)
            for key in COUNTS:
                totals[key] += getattr(report, key)
            unpublished += report.unpublished
            if not report.ok:
                failed_files.append(report.name)
                self.stderr.write(f"{report.name}: nothing written ({len(report.errors)} error(s))")
        if unpublished:
            shown = ", ".join(unpublished[:10]) + (
                f" and {len(unpublished) - 10} more" if len(unpublished) > 10 else ""
            )
            when = "would" if dry_run else "now"
            self.stdout.write(
                f"{len(unpublished)} published course(s) {when} have unpublished changes ({shown}): learners see "
                'them once published (in the admin, or import them with "status": "published")'
            )
        self.stdout.write(", ".join(f"{key} {totals[key]}" for key in COUNTS))
        if failed_files:
            raise CommandError(f"{len(failed_files)} of {len(paths)} file(s) failed: {', '.join(failed_files)}")

    def _progress_write(self, text: str) -> None:
        # No added newline (the bar redraws itself with \r) and no error colouring.
        self.stderr.write(text, style_func=str, ending="")
        self.stderr.flush()
