"""import_courses: formats, every error kind, all-or-nothing, idempotence, dry run, summary, exit code."""
import io
import json

import pytest
from django.core.management import CommandError, call_command

from catalog import cache
from catalog.models import Course, Module, Unit

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def course(slug="intro-to-sql", **overrides):
    record = {
        "slug": slug, "title": "Intro to SQL", "description": "Learn SQL.", "topic": "Databases",
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
    path.write_text(json.dumps({"courses": records} if wrap else records))
    return str(path)


def write_jsonl(tmp_path, lines, name="courses.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")
    return str(path)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_courses", *args, stdout=out, stderr=err)
        code = 0
    except CommandError:
        code = 1
    return code, out.getvalue(), err.getvalue()


def snapshot():
    return (
        list(Course.objects.order_by("id").values_list("id", "slug", "title", "status", "updated_at")),
        list(Unit.objects.order_by("id").values_list("id", "course_id", "title", "order", "updated_at")),
        list(Module.objects.order_by("id").values_list("id", "unit_id", "title", "order", "content", "updated_at")),
    )


class TestFormats:
    @pytest.mark.parametrize("wrap", [True, False], ids=["courses-object", "bare-array"])
    def test_json_file(self, tmp_path, wrap):
        code, out, _ = run(write_json(tmp_path, [course(), course("second")], wrap=wrap))
        assert code == 0
        assert out.strip().splitlines()[-1] == "created 2, updated 0, unchanged 0, failed 0"
        sql = Course.objects.get(slug="intro-to-sql")
        assert (sql.status, sql.topic, sql.unit_count, sql.module_count) == ("published", "databases", 2, 3)
        assert list(sql.units.values_list("order", "title")) == [(1, "Basics"), (2, "Joins")]

    def test_json_lines(self, tmp_path):
        code, out, _ = run(write_jsonl(tmp_path, [course("a"), "", course("b")]))
        assert (code, out.strip()) == (0, "created 2, updated 0, unchanged 0, failed 0")

    def test_stdin(self, tmp_path, monkeypatch):
        monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps([course()])))
        assert run("-")[:2] == (0, "created 1, updated 0, unchanged 0, failed 0\n")
        monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(course("other")) + "\n"))
        assert run("-")[:2] == (0, "created 1, updated 0, unchanged 0, failed 0\n")

    def test_defaults(self, tmp_path):
        run(write_json(tmp_path, [{"slug": "bare", "title": "Bare", "topic": "Misc"}]))
        bare = Course.objects.get(slug="bare")
        assert (bare.status, bare.description, bare.unit_count) == ("draft", "", 0)


class TestErrors:
    def _errors(self, tmp_path, records, **kwargs):
        code, out, err = run(write_json(tmp_path, records, **kwargs))
        assert code == 1
        assert not Course.objects.exists()
        return out, err

    def test_bad_json_names_line_and_column(self, tmp_path):
        path = tmp_path / "broken.json"
        path.write_text('{"courses": [\n  {"slug": "a",}\n]}')
        code, _, err = run(str(path))
        assert code == 1
        assert f"{path}: line 2 column 16: invalid JSON" in err

    def test_bad_json_line_in_json_lines(self, tmp_path):
        code, _, err = run(write_jsonl(tmp_path, [course("a"), "{not json", course("c")]))
        assert code == 1
        assert "courses.jsonl: line 2: column 2: invalid JSON" in err
        assert not Course.objects.exists()

    @pytest.mark.parametrize(
        ("change", "expected"),
        [
            ({"title": None}, "record 0 (slug 'intro-to-sql'): title: This field may not be null."),
            ({"title": 12}, "record 0 (slug 'intro-to-sql'): title: Must be a string."),
            ({"slug": "Not A Slug"}, "record 0 (slug 'Not A Slug'): slug: Use only lowercase letters"),
            ({"colour": "red"}, "record 0 (slug 'intro-to-sql'): colour: Unknown field."),
            ({"units": [{"title": "U", "modules": [{"title": ""}]}]}, "units[0].modules[0].title: This field may not be blank."),
            ({"units": [{"title": "U", "modulez": []}]}, "units[0].modulez: Unknown field."),
            ({"status": "live"}, "status: \"live\" is not a valid choice."),
        ],
    )
    def test_field_errors_name_file_record_slug_and_path(self, tmp_path, change, expected):
        _, err = self._errors(tmp_path, [course(**change)])
        assert expected in err
        assert "courses.json: record 0" in err

    def test_missing_required_fields(self, tmp_path):
        _, err = self._errors(tmp_path, [{"slug": "x"}])
        assert "record 0 (slug 'x'): title: This field is required." in err
        assert "record 0 (slug 'x'): topic: This field is required." in err

    def test_publishing_an_empty_course(self, tmp_path):
        _, err = self._errors(tmp_path, [course(units=[])])
        assert "record 0 (slug 'intro-to-sql'): status: cannot publish 'intro-to-sql': the course has no units" in err

    def test_duplicate_slug_in_one_file(self, tmp_path):
        out, err = self._errors(tmp_path, [course(), course("ok"), course()])
        assert "record 2 (slug 'intro-to-sql'): slug: the slug appears again in this file (first at record 0)" in err
        assert out.strip() == "created 0, updated 0, unchanged 0, failed 1"

    def test_every_error_of_a_file_is_reported(self, tmp_path):
        _, err = self._errors(tmp_path, [course(title=1), course("b", units=[]), course("c", extra=1)])
        assert "record 0" in err and "record 1" in err and "record 2" in err

    def test_missing_file(self, tmp_path):
        code, _, err = run(str(tmp_path / "nope.json"))
        assert code == 1 and "nope.json: cannot read" in err


class TestAllOrNothing:
    def test_an_error_in_the_last_record_leaves_the_database_as_before(self, tmp_path):
        run(write_json(tmp_path, [course("existing")], name="first.json"))
        before = snapshot()
        records = [course("existing", title="Changed"), *[course(f"new-{i}") for i in range(3)], course("bad", units=[])]
        code, out, _ = run(write_json(tmp_path, records))
        assert code == 1
        assert snapshot() == before
        assert out.strip() == "created 0, updated 0, unchanged 0, failed 1"

    def test_other_files_are_still_imported(self, tmp_path):
        good = write_json(tmp_path, [course("good")], name="good.json")
        bad = write_json(tmp_path, [course("bad", title=5)], name="bad.json")
        code, out, err = run(bad, good)
        assert code == 1
        assert out.strip() == "created 1, updated 0, unchanged 0, failed 1"
        assert Course.objects.filter(slug="good").exists() and not Course.objects.filter(slug="bad").exists()
        assert "bad.json: nothing written" in err


class TestIdempotence:
    def test_reimport_changes_and_invalidates_nothing(self, tmp_path, django_capture_on_commit_callbacks):
        path = write_json(tmp_path, [course(), course("second")])
        run(path)
        before = snapshot()
        flushes = cache.invalidations
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            code, out, _ = run(path)
        assert (code, out.strip()) == (0, "created 0, updated 0, unchanged 2, failed 0")
        assert snapshot() == before
        assert callbacks == [] and cache.invalidations == flushes

    def test_a_file_is_one_invalidation_after_commit(self, tmp_path, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            run(write_json(tmp_path, [course(f"c-{i}") for i in range(1200)]))  # three chunks
        assert len(callbacks) == 1
        assert len(callbacks[0].slugs) == 1200

    def test_reordering_through_reimport_keeps_ids(self, tmp_path):
        run(write_json(tmp_path, [course()]))
        ids = dict(Unit.objects.values_list("title", "id"))
        reordered = course(units=list(reversed(course()["units"])))
        code, out, _ = run(write_json(tmp_path, [reordered], name="again.json"))
        assert out.strip() == "created 0, updated 1, unchanged 0, failed 0"
        assert list(Unit.objects.order_by("order").values_list("title", "id")) == [("Joins", ids["Joins"]), ("Basics", ids["Basics"])]


class TestDryRun:
    def test_reports_and_writes_nothing(self, tmp_path):
        run(write_json(tmp_path, [course()], name="first.json"))
        before = snapshot()
        code, out, _ = run(write_json(tmp_path, [course(title="Renamed"), course("brand-new")]), "--dry-run")
        assert code == 0
        assert "would update intro-to-sql: title" in out
        assert "would create brand-new" in out
        assert out.strip().splitlines()[-1] == "created 1, updated 1, unchanged 0, failed 0"
        assert snapshot() == before


class TestExportRoundTrip:
    def test_export_import_export_is_identical(self, tmp_path):
        run(write_json(tmp_path, [course("b-course"), course("a-course", status="draft", units=[])]))
        first, second = tmp_path / "one.jsonl", tmp_path / "two.json"
        call_command("export_courses", "-o", str(first), stderr=io.StringIO())
        Course.objects.all().delete()
        assert run(str(first))[1].strip() == "created 2, updated 0, unchanged 0, failed 0"
        call_command("export_courses", "-o", str(tmp_path / "three.jsonl"), stderr=io.StringIO())
        assert (tmp_path / "three.jsonl").read_text() == first.read_text()
        call_command("export_courses", "-o", str(second), stderr=io.StringIO())
        assert run(str(second))[1].strip() == "created 0, updated 0, unchanged 2, failed 0"

    def test_export_filters(self):
        out = io.StringIO()
        from tests.factories import CourseFactory

        CourseFactory(slug="pub", status="published", topic="Web")
        CourseFactory(slug="dra", topic="Web")
        call_command("export_courses", "--status", "published", "--topic", "WEB", stdout=out)
        assert [c["slug"] for c in json.loads(out.getvalue())["courses"]] == ["pub"]


class TestGenerator:
    def test_same_seed_same_file_and_importable(self, tmp_path):
        a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
        for path in (a, b):
            call_command("generate_catalog", "--courses", "30", "--units", "2", "--modules", "3", "--seed", "7", "-o", str(path), stderr=io.StringIO())
        assert a.read_bytes() == b.read_bytes()
        code, out, _ = run(str(a))
        assert (code, out.strip()) == (0, "created 30, updated 0, unchanged 0, failed 0")
        statuses = set(Course.objects.values_list("status", flat=True))
        assert "published" in statuses and len(statuses) >= 2
