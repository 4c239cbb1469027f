"""`export_courses`: write courses in the import format (JSON, or JSON Lines for .jsonl)."""
import os
import tempfile
from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError

from catalog.importing import is_json_lines, write_records
from catalog.models import Course, Module, Unit, normalize_topic

# Courses per query: each chunk costs three queries (courses, units, modules) and holds at most
# this many trees in memory.
CHUNK = 500
COURSE_FIELDS = ("id", "slug", "title", "description", "topic", "status")


def iter_records(*, statuses=(), topics=(), chunk: int | None = None):
    """Every matching course with its tree, by slug, a chunk at a time (constant memory).

    Each chunk costs three queries (courses, their units, their modules) read as plain values: a
    model instance per module would make a large export several times slower.
    """
    chunk = chunk or CHUNK
    courses = Course.objects.order_by("slug")
    if statuses:
        courses = courses.filter(status__in=statuses)
    if topics:
        courses = courses.filter(topic__in=[normalize_topic(t) for t in topics])
    last = None
    while True:
        # Keyset pagination on the unique slug: stable and cheap however deep the export gets.
        after = courses.filter(slug__gt=last) if last is not None else courses
        page = list(after.values_list(*COURSE_FIELDS)[:chunk])
        if not page:
            return
        ids = [row[0] for row in page]
        units_of, modules_of = defaultdict(list), {}
        units = Unit.objects.filter(course_id__in=ids).order_by("course_id", "order")
        for unit_id, course_id, title in units.values_list("id", "course_id", "title"):
            modules_of[unit_id] = []
            units_of[course_id].append({"title": title, "modules": modules_of[unit_id]})
        modules = Module.objects.filter(unit__course_id__in=ids).order_by("unit_id", "order")
        for unit_id, title, content in modules.values_list("unit_id", "title", "content"):
            modules_of[unit_id].append({"title": title, "content": content})
        for pk, slug, title, description, topic, status in page:
            yield {"slug": slug, "title": title, "description": description, "topic": topic, "status": status,
                   "units": units_of[pk]}
        if len(page) < chunk:
            return
        last = page[-1][1]


def _umask() -> int:
    # mkstemp creates the file private (0600); the export should get the usual permissions.
    mask = os.umask(0)
    os.umask(mask)
    return mask


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
        parser.add_argument("--status", action="append", choices=Course.Status.values, default=[],
                            help="only courses with this status (repeat for several)")
        parser.add_argument("--topic", action="append", default=[],
                            help="only courses of this topic, in any case or spacing (repeat for several)")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")
        parser.add_argument("--format", choices=["json", "jsonl"],
                            help="force the format (default: by the output's extension; standard output: json)")

    def handle(self, *args, status, topic, output, format, **options):
        if output in (None, "-"):
            lines = format == "jsonl"
            write_records(_Unended(self.stdout), iter_records(statuses=status, topics=topic), lines=lines)
            return
        lines = format == "jsonl" if format else is_json_lines(output)
        directory = os.path.dirname(os.path.abspath(output))
        try:
            # Written beside the target and renamed over it at the end, so a failed export never
            # leaves a truncated file that a later import would take for the whole catalog.
            fd, temporary = tempfile.mkstemp(dir=directory, prefix=".export-", suffix=".tmp")
        except OSError as exc:
            raise CommandError(f"{output}: cannot write: {exc.strerror or exc}") from exc
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                count = write_records(out, iter_records(statuses=status, topics=topic), lines=lines)
            os.chmod(temporary, 0o666 & ~_umask())
            os.replace(temporary, output)
        except OSError as exc:
            raise CommandError(f"{output}: cannot write: {exc.strerror or exc}") from exc
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        self.stderr.write(f"exported {count} course(s) to {output}")
