"""Helpers shared by the command tests: records, files, running a command, a snapshot of the catalog."""

import io
import json

from django.core.management import CommandError, call_command

from catalog.models import Course, Module, Unit


def course(slug="intro-to-sql", **overrides):
    """A valid, publishable record of the import format."""
    record = {
        "slug": slug,
        "title": "Intro to SQL",
        "description": "Learn SQL.",
        "topic": "Databases",
        "status": "published",
        "units": [
            {"title": "Basics", "modules": [{"title": "SELECT", "content": "…"}, {"title": "WHERE"}]},
            {"title": "Joins", "modules": [{"title": "INNER JOIN"}]},
        ],
    }
    record.update(overrides)
    return record


def write_json(tmp_path, records, name="courses.json", wrap=True):
    path = tmp_path / name
    path.write_text(json.dumps({"courses": records} if wrap else records), encoding="utf-8")
    return str(path)


def write_jsonl(tmp_path, lines, name="courses.jsonl"):
    """`lines` holds records, or strings written as they are (blank lines, broken JSON)."""
    path = tmp_path / name
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n"
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(command, *args):
    """(exit code, stdout, stderr) of a command run as call_command; CommandError means exit 1."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=err)
        code = 0
    except CommandError as exc:
        err.write(f"CommandError: {exc}\n")
        code = 1
    return code, out.getvalue(), err.getvalue()


def run_import(*args):
    return run("import_courses", *args)


def summary(out: str) -> str:
    return out.strip().splitlines()[-1]


def snapshot():
    """Every row the import can touch, with ids and timestamps."""
    return (
        list(
            Course.objects.order_by("id").values_list(
                "id",
                "slug",
                "title",
                "description",
                "topic",
                "status",
                "published_at",
                "updated_at",
                "unit_count",
                "module_count",
                "level",
                "language",
                "duration_minutes",
            )
        ),
        list(Unit.objects.order_by("id").values_list("id", "course_id", "title", "order", "updated_at")),
        list(
            Module.objects.order_by("id").values_list(
                "id", "unit_id", "title", "order", "content", "minutes", "updated_at"
            )
        ),
    )
