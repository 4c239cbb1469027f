"""import_courses: formats, every error kind, all-or-nothing, idempotence, dry run, output and exit code."""

import functools
import io
import json

import pytest
from django.core.management import execute_from_command_line

from catalog import cache, services
from catalog.errors import CatalogConflictError
from catalog.files import course_files, importing
from catalog.files.importing import Progress
from catalog.management.commands import import_courses
from catalog.models import Course, CourseTransition, Module, Unit
from tests.factories import CourseFactory, tree
from tests.helpers.commands import course, run_import, snapshot, summary, write_json, write_jsonl

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


class LinesOnly:
    """A pipe (bytes) that can only be read line by line (no read()), counting the lines taken so far."""

    def __init__(self, text: str):
        self.lines = [line.encode() for line in text.splitlines(keepends=True)]
        self.taken = 0

    def readline(self, size: int = -1) -> bytes:
        if self.taken == len(self.lines):
            return b""
        line = self.lines[self.taken]
        assert size < 0 or len(line) <= size  # these lines are short: one call takes one whole
        self.taken += 1
        return line


class TestFormats:
    @pytest.mark.parametrize("wrap", [True, False], ids=["courses-object", "bare-array"])
    def test_json_file(self, tmp_path, wrap):
        code, out, err = run_import(write_json(tmp_path, [course(), course("second")], wrap=wrap))
        assert (code, out, err) == (0, "created 2, updated 0, unchanged 0, failed 0\n", "")
        sql = Course.objects.get(slug="intro-to-sql")
        assert (sql.status, sql.topic, sql.unit_count, sql.module_count) == ("published", "databases", 2, 3)
        assert list(sql.units.values_list("order", "title")) == [(1, "Basics"), (2, "Joins")]
        modules = Module.objects.filter(unit__course=sql).values_list("unit__order", "order", "title", "content")
        assert list(modules) == [
            (1, 1, "SELECT", "…"),
            (1, 2, "WHERE", ""),
            (2, 1, "INNER JOIN", ""),
        ]
        assert sql.transitions.get().to_status == "published"  # reached through the workflow

    def test_json_lines_skip_blank_lines(self, tmp_path):
        code, out, _ = run_import(write_jsonl(tmp_path, [course("a"), "", "   ", course("b")]))
        assert (code, out) == (0, "created 2, updated 0, unchanged 0, failed 0\n")

    def test_json_lines_file_is_streamed(self, tmp_path, monkeypatch):
        lines_read, upserted_after = [], []
        original_line, original_upsert = course_files.json_line_record, importing.courses_upsert

        def counting_line(number, raw):
            lines_read.append(number)
            return original_line(number, raw)

        def spying_upsert(**kwargs):
            upserted_after.append(len(lines_read))
            return original_upsert(**kwargs)

        monkeypatch.setattr(importing, "CHUNK", 2)
        monkeypatch.setattr(course_files, "json_line_record", counting_line)
        monkeypatch.setattr(importing, "courses_upsert", spying_upsert)
        code, out, _ = run_import(write_jsonl(tmp_path, [course(f"c-{i}") for i in range(6)]))
        assert (code, summary(out)) == (0, "created 6, updated 0, unchanged 0, failed 0")
        assert upserted_after == [2, 4, 6]  # each chunk written before the next lines are read

    def test_stdin_json(self, monkeypatch):
        monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps([course()])))
        assert run_import("-") == (0, "created 1, updated 0, unchanged 0, failed 0\n", "")

    def test_stdin_pretty_printed_json(self, monkeypatch):
        monkeypatch.setattr("sys.stdin", io.StringIO("\n" + json.dumps({"courses": [course(), course("b")]}, indent=2)))
        assert run_import("-")[:2] == (0, "created 2, updated 0, unchanged 0, failed 0\n")

    def test_stdin_json_lines_is_streamed(self, monkeypatch):
        stdin = LinesOnly("".join(json.dumps(course(f"c-{i}")) + "\n" for i in range(5)))
        taken_at_upsert = []
        original = importing.courses_upsert

        def spying_upsert(**kwargs):
            taken_at_upsert.append(stdin.taken)
            return original(**kwargs)

        monkeypatch.setattr(importing, "CHUNK", 2)
        monkeypatch.setattr(importing, "courses_upsert", spying_upsert)
        monkeypatch.setattr("sys.stdin", stdin)
        assert run_import("-")[:2] == (0, "created 5, updated 0, unchanged 0, failed 0\n")
        assert taken_at_upsert == [2, 4, 5]

    def test_stdin_format_can_be_forced(self, monkeypatch):
        # A single line that is itself {"courses": [...]} would be guessed as JSON; --format says otherwise.
        monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"courses": []}) + "\n"))
        code, _, err = run_import("-", "--format", "jsonl")
        assert code == 1
        assert "<stdin>: line 1: courses: Unknown field." in err

    def test_empty_stdin_is_no_courses(self, monkeypatch):
        monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
        assert run_import("-") == (0, "created 0, updated 0, unchanged 0, failed 0\n", "")

    def test_windows_line_endings(self, tmp_path):
        path = tmp_path / "dos.jsonl"
        path.write_bytes(b"".join(json.dumps(course(s)).encode() + b"\r\n" for s in ("a", "b")) + b"{\r\n")
        code, _, err = run_import(str(path))
        assert code == 1
        assert err.splitlines()[0] == (
            f"{path}: line 3 column 2: invalid JSON: Expecting property name enclosed in double quotes"
        )

    def test_byte_order_mark_is_accepted(self, tmp_path):
        path = tmp_path / "excel.json"
        path.write_bytes("\ufeff".encode() + json.dumps([course()]).encode())
        assert run_import(str(path))[0] == 0

    def test_defaults_for_a_new_course(self, tmp_path):
        run_import(write_json(tmp_path, [{"slug": "bare", "title": "Bare", "topic": " Data Science "}]))
        bare = Course.objects.get(slug="bare")
        assert (bare.status, bare.description, bare.topic, bare.unit_count) == ("draft", "", "data-science", 0)

    def test_missing_status_leaves_an_existing_course_as_it_is(self, tmp_path):
        CourseFactory(
            slug="intro-to-sql",
            status="published",
            units=course()["units"],
            title="Intro to SQL",
            description="Learn SQL.",
            topic="Databases",
        )
        record = course()
        del record["status"]
        code, out, _ = run_import(write_json(tmp_path, [record]))
        assert (code, out) == (0, "created 0, updated 0, unchanged 1, failed 0\n")
        assert Course.objects.get(slug="intro-to-sql").status == "published"


class TestErrors:
    def _errors(self, tmp_path, records, **kwargs):
        path = write_json(tmp_path, records, **kwargs)
        code, out, err = run_import(path)
        assert code == 1
        assert not Course.objects.exists()
        return path, out, err

    def test_bad_json_names_line_and_column(self, tmp_path):
        path = tmp_path / "broken.json"
        path.write_text('{"courses": [\n  {"slug": "a",}\n]}')
        code, out, err = run_import(str(path))
        assert code == 1
        assert err.splitlines()[0] == (
            f"{path}: line 2 column 16: invalid JSON: Expecting property name enclosed in double quotes"
        )
        assert summary(out) == "created 0, updated 0, unchanged 0, failed 1"  # the file counts as one

    def test_bad_line_in_json_lines_and_the_rest_still_checked(self, tmp_path):
        path = write_jsonl(tmp_path, [course("a"), '{"slug": "b",', course("c", colour="red")])
        code, out, err = run_import(path)
        assert code == 1
        assert f"{path}: line 2 column 14: invalid JSON: Expecting property name enclosed in double quotes" in err
        assert f"{path}: line 3 (slug 'c'): colour: Unknown field." in err
        assert summary(out) == "created 0, updated 0, unchanged 0, failed 2"
        assert not Course.objects.exists()

    def test_not_a_course_file(self, tmp_path):
        path = tmp_path / "other.json"
        path.write_text('{"items": []}')
        code, _, err = run_import(str(path))
        assert code == 1
        assert f"{path}: not a course file: expected" in err

    def test_record_is_not_an_object(self, tmp_path):
        path, _, err = self._errors(tmp_path, [["intro-to-sql"]])
        assert f"{path}: record 0: A course record must be a JSON object." in err

    def test_missing_required_fields(self, tmp_path):
        path, _, err = self._errors(tmp_path, [{"slug": "x"}, {"title": "No slug", "topic": "t"}])
        assert f"{path}: record 0 (slug 'x'): title: This field is required." in err
        assert f"{path}: record 0 (slug 'x'): topic: This field is required." in err
        assert f"{path}: record 1: slug: This field is required." in err

    @pytest.mark.parametrize(
        ("change", "expected"),
        [
            ({"title": None}, "title: This field may not be null."),
            ({"title": 12}, "title: Must be a string."),
            ({"title": "x" * 201}, "title: Ensure this field has no more than 200 characters."),
            ({"units": "Basics"}, "units: Expected a list, got a string."),
            ({"units": {"title": "Basics"}}, "units: Expected a list, got an object."),
            ({"units": ["Basics"]}, "units[0]: Expected an object, got a string."),
            ({"units": [{"title": "U", "modules": 3}]}, "units[0].modules: Expected a list, got a number."),
            ({"units": [{"title": "U", "modules": [{"title": True}]}]}, "units[0].modules[0].title: Must be a string."),
            ({"status": "live"}, 'status: "live" is not a status. Expected one of: draft, published, archived.'),
        ],
        ids=[
            "null",
            "number-for-text",
            "too-long",
            "not-a-list",
            "object-for-list",
            "text-for-object",
            "number-for-list",
            "nested-type",
            "bad-choice",
        ],  # fmt: skip
    )
    def test_wrong_types_and_lengths(self, tmp_path, change, expected):
        path, _, err = self._errors(tmp_path, [course(**change)])
        assert f"{path}: record 0 (slug 'intro-to-sql'): {expected}" in err.splitlines()

    def test_field_path_of_a_deep_error(self, tmp_path):
        units = tree(1, 1, 2)
        units[2]["modules"][1]["title"] = ""
        path, _, err = self._errors(tmp_path, [course(units=units)])
        assert err.splitlines()[0] == (
            f"{path}: record 0 (slug 'intro-to-sql'): units[2].modules[1].title: This field may not be blank."
        )

    def test_unknown_keys(self, tmp_path):
        path, _, err = self._errors(tmp_path, [course(colour="red", units=[{"title": "U", "modulez": []}])])
        assert f"{path}: record 0 (slug 'intro-to-sql'): colour: Unknown field." in err
        assert f"{path}: record 0 (slug 'intro-to-sql'): units[0].modulez: Unknown field." in err

    @pytest.mark.parametrize("slug", ["Intro To SQL", "intro_to_sql", "x" * 101])
    def test_bad_slug(self, tmp_path, slug):
        path, _, err = self._errors(tmp_path, [course(slug=slug)])
        assert f"{path}: record 0 (slug '{slug}'): slug: " in err

    def test_slug_must_be_text(self, tmp_path):
        path, _, err = self._errors(tmp_path, [course(slug=12)])
        assert f"{path}: record 0: slug: Must be a string." in err

    def test_publishing_an_empty_course(self, tmp_path):
        path, _, err = self._errors(tmp_path, [course(units=[])])
        assert (
            f"{path}: record 0 (slug 'intro-to-sql'): status: cannot publish 'intro-to-sql': the course has no units"
            in err
        )

    def test_publishing_a_course_with_an_empty_unit(self, tmp_path):
        path, _, err = self._errors(tmp_path, [course(units=tree(1, 0))])
        assert "status: cannot publish 'intro-to-sql': unit 2 'Unit 2' has no modules" in err

    def test_a_move_the_workflow_refuses(self, tmp_path):
        CourseFactory(slug="old", status="archived")
        before = snapshot()
        code, _, err = run_import(write_json(tmp_path, [course("old")]))
        assert code == 1
        assert "(slug 'old'): status: cannot move 'old' from archived to published: restore it to draft first" in err
        assert snapshot() == before

    def test_duplicate_slug_in_one_file(self, tmp_path):
        path, out, err = self._errors(tmp_path, [course(), course("ok"), course()])
        assert (
            f"{path}: record 2 (slug 'intro-to-sql'): slug: The slug 'intro-to-sql' appears twice in this file "
            "(first at record 0)." in err
        )
        assert summary(out) == "created 0, updated 0, unchanged 0, failed 1"

    def test_a_duplicate_slug_does_not_hide_the_records_other_errors(self, tmp_path):
        path, out, err = self._errors(tmp_path, [course(), course(title=None, status="live")])
        where = f"{path}: record 1 (slug 'intro-to-sql')"
        assert f"{where}: slug: The slug 'intro-to-sql' appears twice in this file (first at record 0)." in err
        assert f"{where}: title: This field may not be null." in err
        assert f'{where}: status: "live" is not a status. Expected one of: draft, published, archived.' in err
        assert summary(out) == "created 0, updated 0, unchanged 0, failed 1"

    def test_no_message_names_a_python_type(self, tmp_path):
        records = [
            course(units={"a": 1}),
            course("b", units=[[1]]),
            course("c", units=[{"title": "U", "modules": "m"}]),
        ]
        _, _, err = self._errors(tmp_path, records)
        assert err.count("Expected") == 3
        for word in ("dict", "str", "list of items", "int", "type"):
            assert f'"{word}"' not in err and f" {word}." not in err

    def test_duplicate_slug_in_different_chunks(self, tmp_path, monkeypatch):
        monkeypatch.setattr(importing, "CHUNK", 2)
        path = write_jsonl(tmp_path, [course("a"), course("b"), course("c"), course("a")])
        code, _, err = run_import(path)
        assert code == 1
        assert f"{path}: line 4 (slug 'a'): slug: The slug 'a' appears twice in this file (first at line 1)." in err

    def test_every_error_of_a_file_is_reported(self, tmp_path, monkeypatch):
        monkeypatch.setattr(importing, "CHUNK", 3)  # errors found by validation and by the workflow, in several chunks
        records = [
            course(title=1),
            course("b", units=[]),
            course("c"),
            course("e", extra=1),
            course("d"),
            course("f", units=[]),
            course("g"),
        ]
        path, out, err = self._errors(tmp_path, records)
        failing = [line.split(" (slug")[0] for line in err.splitlines() if "(slug" in line]
        assert failing == [f"{path}: record {i}" for i in (0, 1, 3, 5)]  # in file order
        assert summary(out) == "created 0, updated 0, unchanged 0, failed 4"
        assert err.splitlines()[-2] == f"{path}: nothing written (4 error(s))"

    def test_missing_file(self, tmp_path):
        path = tmp_path / "nope.json"
        code, out, err = run_import(str(path))
        assert code == 1
        assert err.splitlines()[0] == f"{path}: cannot read: No such file or directory"
        assert summary(out) == "created 0, updated 0, unchanged 0, failed 1"

    def test_not_utf8(self, tmp_path):
        json_path, lines_path = tmp_path / "latin1.json", tmp_path / "latin1.jsonl"
        json_path.write_bytes(json.dumps([course(title="Café", units=tree(1))], ensure_ascii=False).encode("latin-1"))
        lines_path.write_bytes(json.dumps(course("a")).encode() + b"\n" + '{"title": "Café"}'.encode("latin-1"))
        code, _, err = run_import(str(json_path), str(lines_path))
        assert code == 1
        assert f"{json_path}: cannot read: not UTF-8 text (invalid continuation byte at byte" in err
        assert f"{lines_path}: line 2: cannot read: not UTF-8 text" in err

    def test_a_new_course_may_not_take_an_address_learners_still_use(self, tmp_path):
        first = run_import(write_json(tmp_path, [course("sql", title="Intro to SQL")], name="first.json"))
        assert first[0] == 0, first[2]
        services.course_update(course=Course.objects.get(slug="sql"), slug="sql-basics")  # not published yet
        path = write_json(tmp_path, [course("free"), course("sql", title="A squatter")])
        code, out, err = run_import(path)
        assert code == 1
        assert (
            f"{path}: record 1 (slug 'sql'): slug: Learners still find 'Intro to SQL' at 'sql' until its new "
            "address is published" in err
        )
        assert summary(out) == "created 0, updated 0, unchanged 0, failed 1"
        assert sorted(Course.objects.values_list("slug", flat=True)) == ["sql-basics"]  # all or nothing


class TestAllOrNothing:
    def test_an_error_in_the_last_record_leaves_the_database_as_before(
        self, tmp_path, monkeypatch, django_capture_on_commit_callbacks
    ):
        CourseFactory(slug="existing", status="published")
        before = snapshot()
        monkeypatch.setattr(importing, "CHUNK", 2)  # so the first chunks are written before the error shows
        records = [
            course("existing", title="Changed", units=tree(3, 1)),
            *[course(f"new-{i}") for i in range(4)],
            course("bad", units=[]),
        ]
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            code, out, err = run_import(write_json(tmp_path, records))
        assert code == 1
        assert snapshot() == before
        assert not CourseTransition.objects.exclude(course__slug="existing").exists()
        assert callbacks == []  # nothing committed, nothing invalidated
        assert out == "created 0, updated 0, unchanged 0, failed 1\n"  # the five valid records count nowhere

    def test_other_files_are_still_imported(self, tmp_path):
        bad = write_json(tmp_path, [course("bad-1", title=5), course("bad-2")], name="bad.json")
        good = write_jsonl(tmp_path, [course("good")], name="good.jsonl")
        missing = str(tmp_path / "missing.json")
        code, out, err = run_import(bad, missing, good)
        assert code == 1
        assert out == "created 1, updated 0, unchanged 0, failed 2\n"
        assert list(Course.objects.values_list("slug", flat=True)) == ["good"]
        assert f"{bad}: nothing written (1 error(s))" in err
        assert f"CommandError: 2 of 3 file(s) failed: {bad}, {missing}" in err

    def test_a_collision_with_a_concurrent_writer_fails_only_that_file(self, tmp_path, monkeypatch):
        original = importing.courses_upsert

        def colliding(*, records, **kwargs):
            if records[0]["slug"] == "raced":
                raise CatalogConflictError("A concurrent write collided with this one; retry it. (duplicate key)")
            return original(records=records, **kwargs)

        monkeypatch.setattr(importing, "courses_upsert", colliding)
        raced = write_json(tmp_path, [course("raced")], name="raced.json")
        code, out, err = run_import(raced, write_json(tmp_path, [course("calm")], name="calm.json"))
        assert code == 1
        assert f"{raced}: A concurrent write collided with this one; retry it. (duplicate key)" in err
        assert out == "created 1, updated 0, unchanged 0, failed 1\n"
        assert list(Course.objects.values_list("slug", flat=True)) == ["calm"]


class TestIdempotence:
    def test_reimport_changes_and_invalidates_nothing(self, tmp_path, django_capture_on_commit_callbacks):
        path = write_jsonl(
            tmp_path, [course(), course("draft-one", status="draft", units=[]), course("gone", status="archived")]
        )
        with django_capture_on_commit_callbacks(execute=True):
            run_import(path)
        before, flushes = snapshot(), cache.invalidation_count()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            code, out, _ = run_import(path)
        assert (code, out) == (0, "created 0, updated 0, unchanged 3, failed 0\n")
        assert snapshot() == before  # same ids, same updated_at
        assert callbacks == [] and cache.invalidation_count() == flushes

    def test_a_file_is_one_invalidation_after_commit(self, tmp_path, django_capture_on_commit_callbacks):
        flushes = cache.invalidation_count()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            code, out, _ = run_import(write_json(tmp_path, [course(f"c-{i}") for i in range(1100)]))  # three chunks
        assert (code, out) == (0, "created 1100, updated 0, unchanged 0, failed 0\n")
        assert len(callbacks) == 1
        assert len(callbacks[0].slugs) == 1100
        assert cache.invalidation_count() == flushes + 1

    def test_each_file_is_its_own_transaction(self, tmp_path, django_capture_on_commit_callbacks):
        one = write_json(tmp_path, [course("a")], name="one.json")
        two = write_json(tmp_path, [course("b")], name="two.json")
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            run_import(one, two)
        assert [sorted(c.slugs) for c in callbacks] == [["a"], ["b"]]

    def test_learners_see_the_import_at_once(self, tmp_path, api, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            run_import(write_json(tmp_path, [course()]))
        url = "/api/v1/courses/intro-to-sql/"
        assert api.get(url)["X-Cache"] == "MISS"
        assert api.get(url)["X-Cache"] == "HIT"
        with django_capture_on_commit_callbacks(execute=True):
            run_import(write_json(tmp_path, [course(title="Intro to SQL, 2nd edition")], name="again.json"))
        response = api.get(url)
        assert (response["X-Cache"], response.json()["title"]) == ("MISS", "Intro to SQL, 2nd edition")

    def test_imported_courses_are_found_by_search(self, tmp_path, api):
        units = [{"title": "Window functions", "modules": [{"title": "Ranking rows"}]}]
        run_import(write_json(tmp_path, [course(units=units), course("other", title="Pottery", topic="Crafts")]))
        found = api.get("/api/v1/courses/", {"search": "ranking"}).json()["results"]
        assert [c["slug"] for c in found] == ["intro-to-sql"]

    def test_reordering_through_reimport_keeps_ids(self, tmp_path):
        run_import(write_json(tmp_path, [course()]))
        units = dict(Unit.objects.values_list("title", "id"))
        modules = dict(Module.objects.values_list("title", "id"))
        reordered = course(
            units=[
                {
                    "title": "Joins",
                    "modules": [{"title": "INNER JOIN"}, {"title": "WHERE"}],
                },  # WHERE moved across units
                {"title": "Basics", "modules": [{"title": "SELECT", "content": "…"}, {"title": "LIMIT"}]},
            ]
        )
        code, out, _ = run_import(write_json(tmp_path, [reordered], name="again.json"))
        assert (code, out) == (0, "created 0, updated 1, unchanged 0, failed 0\n")
        assert list(Unit.objects.order_by("order").values_list("title", "id")) == [
            ("Joins", units["Joins"]),
            ("Basics", units["Basics"]),
        ]
        modules_now = Module.objects.order_by("unit__order", "order")
        tree_now = list(modules_now.values_list("unit__title", "order", "title", "id"))
        assert [row[:3] for row in tree_now] == [
            ("Joins", 1, "INNER JOIN"),
            ("Joins", 2, "WHERE"),
            ("Basics", 1, "SELECT"),
            ("Basics", 2, "LIMIT"),
        ]
        kept = {title: pk for _, _, title, pk in tree_now}
        assert kept["INNER JOIN"] == modules["INNER JOIN"] and kept["SELECT"] == modules["SELECT"]
        assert run_import(write_json(tmp_path, [reordered], name="again.json"))[1] == (
            "created 0, updated 0, unchanged 1, failed 0\n"
        )


class TestDryRun:
    def test_reports_per_course_and_writes_nothing(self, tmp_path, django_capture_on_commit_callbacks):
        CourseFactory(
            slug="intro-to-sql",
            status="published",
            units=course()["units"],
            title="Intro to SQL",
            description="Learn SQL.",
            topic="Databases",
        )
        CourseFactory(
            slug="same",
            status="published",
            units=course()["units"],
            title="Intro to SQL",
            description="Learn SQL.",
            topic="Databases",
        )
        before = snapshot()
        renamed = course(title="Renamed", units=list(reversed(course()["units"])))
        records = [renamed, course("brand-new"), course("same")]
        path = write_json(tmp_path, records)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            code, out, _ = run_import(path, "--dry-run")
        assert code == 0
        assert out.splitlines() == [
            f"{path}: would update intro-to-sql: title; units[0] moved from 2 to 1; units[1] moved from 1 to 2; "
            "publish changes",
            f"{path}: would create brand-new",
            f"{path}: unchanged same",
            "created 1, updated 1, unchanged 1, failed 0",
        ]
        assert snapshot() == before
        assert callbacks == []

    def test_a_failing_file_reports_its_errors_and_no_changes(self, tmp_path):
        path = write_json(tmp_path, [course("fine"), course("bad", units=[])])
        code, out, err = run_import(path, "--dry-run")
        assert code == 1
        assert out == "created 0, updated 0, unchanged 0, failed 1\n"
        assert "(slug 'bad'): status: cannot publish" in err


class TestOutputAndExitCode:
    def test_exactly_one_summary_line_last_on_stdout(self, tmp_path):
        code, out, err = run_import(
            write_json(tmp_path, [course("a")], name="1.json"), write_json(tmp_path, [course("b")], name="2.json")
        )
        assert (code, out, err) == (0, "created 2, updated 0, unchanged 0, failed 0\n", "")

    def test_command_line_exit_codes(self, tmp_path, capsys, monkeypatch):
        # run_from_argv closes the connections when it ends; that would break the test's transaction.
        monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
        execute_from_command_line(["manage.py", "import_courses", write_json(tmp_path, [course()])])
        assert capsys.readouterr().out == "created 1, updated 0, unchanged 0, failed 0\n"
        with pytest.raises(SystemExit) as exc:
            bad = write_json(tmp_path, [course(title=1)], "b.json")
            execute_from_command_line(["manage.py", "import_courses", bad])
        assert exc.value.code == 1
        captured = capsys.readouterr()
        assert captured.out == "created 0, updated 0, unchanged 0, failed 1\n"
        assert "CommandError: 1 of 1 file(s) failed" in captured.err


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class TestProgress:
    def test_periodic_lines_when_not_a_terminal(self):
        written, clock = [], FakeClock()
        progress = Progress(written.append, name="big.jsonl", tty=False, every=5, clock=clock)
        for n in range(1, 2001):
            clock.now += 0.01  # 20 s in all
            progress.update(n, n / 2000)
        progress.done()
        assert len(written) == 4 + 1
        assert written[0] == "big.jsonl: 500 records so far (25%), 100/s\n"
        assert written[-1] == "big.jsonl: 2,000 record(s) read in 20.0s\n"

    def test_a_bar_on_a_terminal(self):
        written, clock = [], FakeClock()
        progress = Progress(written.append, name="big.jsonl", tty=True, clock=clock)
        clock.now += 1
        progress.update(50, 0.5)
        assert written == ["\rbig.jsonl [##############--------------]  50% 50 records, 50/s"]
        progress.done()
        assert written[-1].startswith("\rbig.jsonl: 50 record(s) read in 1.0s") and written[-1].endswith("\n")

    def test_nothing_for_a_short_run(self):
        written = []
        progress = Progress(written.append, name="small.json", tty=False)
        progress.update(3, 1.0)
        progress.done()
        assert written == []

    def test_the_command_reports_progress_on_stderr(self, tmp_path, monkeypatch):
        monkeypatch.setattr(import_courses, "Progress", functools.partial(Progress, every=0))
        code, out, err = run_import(write_jsonl(tmp_path, [course("a"), course("b")]))
        assert (code, out) == (0, "created 2, updated 0, unchanged 0, failed 0\n")
        assert "courses.jsonl: 1 records so far (" in err
        assert err.splitlines()[-1].startswith(f"{tmp_path}/courses.jsonl: 2 record(s) read in ")
