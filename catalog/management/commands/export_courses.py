"""`export_courses`: write courses in the import format (JSON, or JSON Lines for .jsonl)."""

import os
import tempfile

from django.core.management.base import BaseCommand, CommandError

from catalog.files.course_files import is_json_lines, write_records
from catalog.models import Course
from catalog.selectors import course_records


class _Unended:
    """self.stdout without the newline Django adds to every write."""

    def __init__(self, wrapper):
        self.wrapper = wrapper

    def write(self, text):
        self.wrapper.write(text, ending="")


class Command(BaseCommand):
    help = (
        "Export courses with their status and whole tree in the import format: JSON, or JSON Lines "
        "when the output file ends in .jsonl. See docs/import.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--status",
            action="append",
            choices=Course.Status.values,
            default=[],
            help="only courses with this status (repeat for several)",
        )
        parser.add_argument(
            "--topic",
            action="append",
            default=[],
            help="only courses of this topic, in any case or spacing (repeat for several)",
        )
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")
        parser.add_argument(
            "--format",
            choices=["json", "jsonl"],
            help="force the format (default: by the output's extension; standard output: json)",
        )

    def handle(self, *args, status, topic, output, format, **options):
        if output in (None, "-"):
            lines = format == "jsonl"
            write_records(_Unended(self.stdout), course_records(statuses=status, topics=topic), lines=lines)
            return
        lines = format == "jsonl" if format else is_json_lines(output)
        directory = os.path.dirname(os.path.abspath(output))
        try:
            # Written beside the target and renamed over it at the end, so a failed export never
            # leaves a truncated file that a later import would take for the whole catalog. mkstemp
            # makes it 0600 whatever the umask, and it stays so: an export holds drafts.
            fd, temporary = tempfile.mkstemp(dir=directory, prefix=".export-", suffix=".tmp")
        except OSError as exc:
            raise CommandError(f"{output}: cannot write: {exc.strerror or exc}") from exc
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                count = write_records(out, course_records(statuses=status, topics=topic), lines=lines)
            os.replace(temporary, output)
        except OSError as exc:
            raise CommandError(f"{output}: cannot write: {exc.strerror or exc}") from exc
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        self.stderr.write(f"exported {count} course(s) to {output}")
