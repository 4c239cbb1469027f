"""`export_courses`: write courses in the import format (JSON, or JSON Lines for .jsonl)."""
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch

from catalog.importing import is_json_lines, write_records
from catalog.models import Course, Module, Unit, normalize_topic

CHUNK = 500


def course_record(course: Course) -> dict:
    return {
        "slug": course.slug,
        "title": course.title,
        "description": course.description,
        "topic": course.topic,
        "status": course.status,
        "units": [
            {"title": unit.title, "modules": [{"title": m.title, "content": m.content} for m in unit.modules.all()]}
            for unit in course.units.all()
        ],
    }


def iter_records(*, statuses=(), topics=()):
    """Every matching course with its tree, by slug, a chunk at a time (constant memory)."""
    qs = Course.objects.order_by("slug")
    if statuses:
        qs = qs.filter(status__in=statuses)
    if topics:
        qs = qs.filter(topic__in=[normalize_topic(t) for t in topics])
    units = Unit.objects.order_by("order").prefetch_related(Prefetch("modules", Module.objects.order_by("order")))
    last = ""
    while True:
        chunk = list(qs.filter(slug__gt=last).prefetch_related(Prefetch("units", units))[:CHUNK])
        if not chunk:
            return
        for course in chunk:
            yield course_record(course)
        last = chunk[-1].slug


class _Unended:
    """self.stdout without the newline Django adds to every write."""

    def __init__(self, wrapper):
        self.wrapper = wrapper

    def write(self, text):
        self.wrapper.write(text, ending="")


class Command(BaseCommand):
    help = "Export courses in the import format: JSON, or JSON Lines when the output file ends in .jsonl."

    def add_arguments(self, parser):
        parser.add_argument("--status", action="append", choices=Course.Status.values, default=[])
        parser.add_argument("--topic", action="append", default=[])
        parser.add_argument("-o", "--output", help="file to write (default: standard output, JSON)")

    def handle(self, *args, status, topic, output, **options):
        try:
            out = open(output, "w", encoding="utf-8") if output else _Unended(self.stdout)  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"{output}: cannot write: {exc.strerror or exc}") from exc
        try:
            count = write_records(out, iter_records(statuses=status, topics=topic),
                                  lines=bool(output) and is_json_lines(output))
        finally:
            if output:
                out.close()
        if output:
            self.stderr.write(f"exported {count} course(s) to {output}")
