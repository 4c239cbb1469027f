"""export_courses: the import format with status and whole tree, filters, streaming, round trips."""

import json
import os
import stat

import pytest

from catalog import selectors, services
from catalog.models import Course, Unit
from tests.factories import CourseFactory, tree
from tests.helpers.commands import course, run, run_import, write_json

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def export(*args):
    code, out, err = run("export_courses", *args)
    assert code == 0, err
    return out


@pytest.fixture
def catalog(tmp_path):
    records = [
        course("b-course", units=[{"title": "Only", "modules": [{"title": "M", "content": "Line one\nline two"}]}]),
        course("a-course", status="draft", units=[], description=""),
        course("c-course", status="archived", topic="Web Development", units=tree(2, 1)),
    ]
    code, _, err = run_import(write_json(tmp_path, records, name="seed.json"))
    assert code == 0, err
    return records


class TestExportCourses:
    def test_stdout_is_json_with_status_and_the_whole_tree(self, catalog):
        document = json.loads(export())
        assert [c["slug"] for c in document["courses"]] == ["a-course", "b-course", "c-course"]
        assert document["courses"][1] == {
            "slug": "b-course",
            "title": "Intro to SQL",
            "description": "Learn SQL.",
            "topic": "databases",
            "level": None,
            "language": "en",
            "status": "published",
            "units": [{"title": "Only", "modules": [{"title": "M", "content": "Line one\nline two", "minutes": None}]}],
        }
        assert document["courses"][2]["status"] == "archived"
        assert document["courses"][2]["units"] == [
            {
                "title": "Unit 1",
                "modules": [
                    {"title": "Module 1.1", "content": "", "minutes": None},
                    {"title": "Module 1.2", "content": "", "minutes": None},
                ],
            },
            {"title": "Unit 2", "modules": [{"title": "Module 2.1", "content": "", "minutes": None}]},
        ]

    def test_json_lines_by_extension_or_format(self, catalog, tmp_path):
        path = tmp_path / "out.jsonl"
        code, out, err = run("export_courses", "-o", str(path))
        assert (code, out, err) == (0, "", f"exported 3 course(s) to {path}\n")
        lines = path.read_text().splitlines()
        assert [json.loads(line)["slug"] for line in lines] == ["a-course", "b-course", "c-course"]
        assert export("--format", "jsonl").splitlines() == lines

    @pytest.mark.parametrize(
        ("args", "slugs"),
        [
            (["--status", "published"], ["b-course"]),
            (["--status", "draft", "--status", "archived"], ["a-course", "c-course"]),
            (["--topic", " web development"], ["c-course"]),
            (["--topic", "Databases", "--status", "draft"], ["a-course"]),
            (["--topic", "nothing"], []),
        ],
    )
    def test_filters(self, catalog, args, slugs):
        assert [c["slug"] for c in json.loads(export(*args))["courses"]] == slugs

    def test_streams_in_chunks_with_prefetch(self, catalog, monkeypatch, django_assert_num_queries):
        CourseFactory(slug="d-course", status="published")
        CourseFactory(slug="e-course", status="published")
        monkeypatch.setattr(selectors.courses, "EXPORT_CHUNK", 2)
        # Three chunks (2 + 2 + 1 courses): three queries each (courses, units, modules), not one per course.
        with django_assert_num_queries(9):
            slugs = [c["slug"] for c in json.loads(export())["courses"]]
        assert slugs == ["a-course", "b-course", "c-course", "d-course", "e-course"]

    def test_an_export_file_is_readable_by_its_owner_only(self, catalog, tmp_path):
        # Exports hold drafts and archived courses: never world- or group-readable, whatever the umask.
        fresh, replaced = tmp_path / "fresh.json", tmp_path / "replaced.jsonl"
        replaced.write_text("old")
        replaced.chmod(0o644)
        mask = os.umask(0)
        try:
            export("-o", str(fresh))
            export("-o", str(replaced))
        finally:
            os.umask(mask)
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
        assert stat.S_IMODE(replaced.stat().st_mode) == 0o600
        assert json.loads(fresh.read_text())["courses"]

    def test_a_failed_export_leaves_no_file(self, tmp_path):
        code, _, err = run("export_courses", "-o", str(tmp_path / "no-such-dir" / "out.json"))
        assert code == 1
        assert "out.json: cannot write: No such file or directory" in err
        assert list(tmp_path.iterdir()) == []

    def test_an_empty_catalog_exports_an_importable_file(self, tmp_path):
        path = tmp_path / "empty.json"
        run("export_courses", "-o", str(path))
        assert json.loads(path.read_text()) == {"courses": []}
        assert run_import(str(path))[:2] == (0, "created 0, updated 0, unchanged 0, failed 0\n")


class TestRoundTrip:
    @pytest.mark.parametrize("name", ["export.json", "export.jsonl"])
    def test_export_import_into_an_empty_database_export_is_identical(self, catalog, tmp_path, name):
        first, second = tmp_path / name, tmp_path / f"again-{name}"
        run("export_courses", "-o", str(first))
        Course.objects.all().delete()
        assert run_import(str(first))[:2] == (0, "created 3, updated 0, unchanged 0, failed 0\n")
        run("export_courses", "-o", str(second))
        assert second.read_bytes() == first.read_bytes()

    def test_export_import_into_the_same_database_is_all_unchanged(
        self, catalog, tmp_path, django_capture_on_commit_callbacks
    ):
        path = tmp_path / "export.jsonl"
        run("export_courses", "-o", str(path))
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            assert run_import(str(path))[:2] == (0, "created 0, updated 0, unchanged 3, failed 0\n")
        assert callbacks == []

    def test_stdout_export_imports_through_stdin(self, catalog, monkeypatch):
        import io

        monkeypatch.setattr("sys.stdin", io.StringIO(export()))
        assert run_import("-")[:2] == (0, "created 0, updated 0, unchanged 3, failed 0\n")

    def test_a_published_course_emptied_by_an_editor_round_trips(self, tmp_path):
        published = CourseFactory(slug="emptied", status="published")
        services.unit_delete(unit=Unit.objects.get(course=published))
        path = tmp_path / "export.json"
        run("export_courses", "-o", str(path))
        assert run_import(str(path))[:2] == (0, "created 0, updated 0, unchanged 1, failed 0\n")
