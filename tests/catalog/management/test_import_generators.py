"""import_courses for generators: editors' hand edits survive a re-import (unless --force), --plan
(and --json) shows what would change, --prune archives what a source no longer has within
--max-prune, and --report writes every error as JSON Lines."""

import json

import pytest
from django.test import Client

from catalog import services
from catalog.models import Course, ImportState, Module, Unit
from tests.factories import CourseFactory, tree
from tests.helpers.commands import course, run_import, snapshot, summary, write_json, write_jsonl

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

KEPT = "kept the editor's change"


def sql():
    return Course.objects.get(slug="intro-to-sql")


def module(title):
    return Module.objects.get(unit__course__slug="intro-to-sql", title=title)


def tree_of(slug="intro-to-sql"):
    return [
        (unit.title, list(unit.modules.order_by("order").values_list("title", "content")))
        for unit in Unit.objects.filter(course__slug=slug).order_by("order")
    ]


def client_title(slug="intro-to-sql"):
    """The title learners see."""
    return Client().get(f"/api/v1/courses/{slug}/").json()["title"]


def imported(tmp_path, *records, name="courses.json", args=()):
    code, out, err = run_import(write_json(tmp_path, list(records), name=name), *args)
    assert code == 0, err
    return out


def kept_lines(out):
    return [line.split(": ", 1)[1] for line in out.splitlines() if line.endswith(KEPT)]


class TestHandEditsSurvive:
    def test_a_field_the_editor_changed_is_kept_and_reported_at_every_import(self, tmp_path):
        imported(tmp_path, course())
        services.course_update(course=sql(), title="Intro to SQL (fixed)")
        # The record says "published": the first import publishes the course as it now is (the
        # editor's change kept); the second skips the unchanged record, and still says what it keeps.
        for counts in ("updated 1, unchanged 0", "updated 0, unchanged 1"):
            out = imported(tmp_path, course())
            assert kept_lines(out) == [f"record 0 (intro-to-sql): title: {KEPT}"]
            assert summary(out) == f"created 0, {counts}, failed 0"
            assert sql().title == "Intro to SQL (fixed)"
        assert client_title() == "Intro to SQL (fixed)"

    def test_what_the_editor_did_not_touch_still_follows_the_file(self, tmp_path):
        imported(tmp_path, course())
        services.course_update(course=sql(), title="Hand-made title")
        out = imported(tmp_path, course(title="Generated v2", description="New words."))
        assert (sql().title, sql().description) == ("Hand-made title", "New words.")
        assert kept_lines(out) == [f"record 0 (intro-to-sql): title: {KEPT}"]
        assert summary(out) == "created 0, updated 1, unchanged 0, failed 0"

    def test_force_overwrites_the_editors_change(self, tmp_path):
        imported(tmp_path, course())
        services.course_update(course=sql(), title="Hand-made title")
        out = imported(tmp_path, course(), args=["--force"])
        assert sql().title == "Intro to SQL" and kept_lines(out) == []
        services.course_update(course=sql(), title="Hand-made again")
        assert kept_lines(imported(tmp_path, course())) == [f"record 0 (intro-to-sql): title: {KEPT}"]

    def test_force_on_a_course_an_editor_archived_writes_the_file_and_says_what_it_did(self, tmp_path):
        imported(tmp_path, course(), course("other"))
        services.course_archive(course=sql())
        out = imported(tmp_path, course(title="New title"), course("other", title="Other v2"), args=["--force"])
        assert summary(out) == "created 0, updated 2, unchanged 0, failed 0"
        assert (sql().status, sql().title) == ("archived", "New title")
        assert Course.objects.get(slug="other").title == "Other v2"
        assert (
            "record 0 (intro-to-sql): status: not published, the course is archived (the rest of the record is in"
            " its working copy; to publish it, restore it in the admin, or restore it and import again with --force)"
        ) in out

    def test_an_editor_who_makes_it_equal_to_the_file_hands_it_back(self, tmp_path):
        imported(tmp_path, course())
        services.course_update(course=sql(), title="Hand-made title")
        imported(tmp_path, course())
        services.course_update(course=sql(), title="Intro to SQL")  # back to what the file says
        out = imported(tmp_path, course(title="Generated v2"))
        assert sql().title == "Generated v2" and kept_lines(out) == []

    def test_module_content_and_titles_are_kept_per_item_while_the_file_changes_the_rest(self, tmp_path):
        imported(tmp_path, course())
        services.module_update(module=module("WHERE"), content="Filtering rows, fixed by hand.")
        services.unit_update(unit=Unit.objects.get(title="Joins"), title="Joining tables")
        ids = dict(Module.objects.values_list("title", "id"))
        changed = course()
        changed["units"][0]["modules"][1]["content"] = "Generated v2"
        changed["units"][0]["modules"].append({"title": "ORDER BY", "content": "new"})
        changed["units"][1]["modules"][0]["title"] = "JOIN"
        out = imported(tmp_path, changed)
        assert tree_of() == [
            ("Basics", [("SELECT", "…"), ("WHERE", "Filtering rows, fixed by hand."), ("ORDER BY", "new")]),
            ("Joining tables", [("JOIN", "")]),
        ]
        assert module("WHERE").pk == ids["WHERE"] and module("JOIN").pk == ids["INNER JOIN"]
        assert sorted(kept_lines(out)) == [
            f"record 0 (intro-to-sql): units[0].modules[1].content: {KEPT}",
            f"record 0 (intro-to-sql): units[1].title: {KEPT}",
        ]

    def test_an_edited_module_the_file_drops_stays(self, tmp_path):
        imported(tmp_path, course())
        services.module_update(module=module("WHERE"), content="Hand-written")
        dropped = course()
        del dropped["units"][0]["modules"][1]
        dropped["units"][1]["modules"].append({"title": "LEFT JOIN"})
        out = imported(tmp_path, dropped)
        assert tree_of() == [
            ("Basics", [("SELECT", "…"), ("WHERE", "Hand-written")]),
            ("Joins", [("INNER JOIN", ""), ("LEFT JOIN", "")]),
        ]
        assert kept_lines(out) == [f"record 0 (intro-to-sql): units[0].modules[1]: {KEPT}"]
        # An untouched module the file drops goes.
        del dropped["units"][0]["modules"][0]
        imported(tmp_path, dropped)
        assert tree_of()[0] == ("Basics", [("WHERE", "Hand-written")])

    def test_when_the_editor_reshaped_the_tree_the_whole_tree_is_theirs(self, tmp_path):
        imported(tmp_path, course())
        services.unit_create(course=sql(), title="Extra by hand", position=3)
        services.module_create(unit=Unit.objects.get(title="Extra by hand"), title="Notes", position=1)
        before = tree_of()
        changed = course(description="Changed by the generator")
        changed["units"][0]["title"] = "Fundamentals"
        out = imported(tmp_path, changed)
        assert tree_of() == before and sql().description == "Changed by the generator"
        assert kept_lines(out) == [f"record 0 (intro-to-sql): units: {KEPT}"]

    def test_a_status_the_editor_chose_is_kept(self, tmp_path):
        imported(tmp_path, course())  # published
        services.course_archive(course=sql())
        out = imported(tmp_path, course())  # still says published: no error, the course stays archived
        assert sql().status == "archived"
        assert kept_lines(out) == [f"record 0 (intro-to-sql): status: {KEPT}"]

    def test_a_record_without_status_never_keeps_one(self, tmp_path):
        record = course()
        del record["status"]
        imported(tmp_path, record)
        services.course_publish(course=sql())
        assert kept_lines(imported(tmp_path, record)) == [] and sql().status == "published"

    def test_an_api_write_counts_as_an_editors_change(self, tmp_path, editor_api):
        imported(tmp_path, course())
        body = course(title="Written through the API")
        response = editor_api.put("/api/v1/courses/intro-to-sql/", body, format="json")
        assert response.status_code == 200, response.content
        out = imported(tmp_path, course())
        assert sql().title == "Written through the API"
        assert kept_lines(out) == [f"record 0 (intro-to-sql): title: {KEPT}"]

    def test_courses_created_in_bulk_remember_their_tree(self, tmp_path):
        records = [course(), course("second"), course("third")]
        imported(tmp_path, *records)
        services.module_update(module=module("SELECT"), content="Hand-written")
        out = imported(tmp_path, *records)
        assert module("SELECT").content == "Hand-written"
        assert kept_lines(out) == [f"record 0 (intro-to-sql): units[0].modules[0].content: {KEPT}"]
        parts = ImportState.objects.get(course__slug="second").parts
        assert [len(modules) for _unit, _hash, modules in parts["tree"]] == [2, 1]

    def test_json_lines_name_the_line(self, tmp_path):
        path = write_jsonl(tmp_path, [course("other"), course()])
        assert run_import(path)[0] == 0
        services.course_update(course=sql(), description="By hand")
        code, out, _ = run_import(path)
        assert code == 0 and kept_lines(out) == [f"line 2 (intro-to-sql): description: {KEPT}"]


class TestPlan:
    def test_plan_prints_each_change_and_writes_nothing(self, tmp_path):
        imported(tmp_path, course(), course("same"))
        services.course_update(course=sql(), description="By hand")
        changed = course(title="SQL, the course")
        changed["units"] = [
            {"title": "Joins", "modules": [{"title": "JOIN"}]},
            {"title": "Basics", "modules": [{"title": "SELECT", "content": "…"}]},
            {"title": "Windows", "modules": [{"title": "OVER"}]},
        ]
        before = snapshot()
        code, out, err = run_import(write_json(tmp_path, [changed, course("same"), course("new")]), "--plan")
        assert (code, err) == (0, "")
        assert snapshot() == before
        name = str(tmp_path / "courses.json")
        assert out.splitlines() == [
            f"{name}: record 0 (intro-to-sql): update",
            "  title: 'Intro to SQL' -> 'SQL, the course'",
            "  units[0]: moved from 2 to 1",
            "  units[0].modules[0]: renamed 'INNER JOIN' -> 'JOIN'",
            "  units[1]: moved from 1 to 2",
            "  units[1].modules: removed 'WHERE'",
            "  units[2]: added 'Windows'",
            "  status: published (publishes the changes)",
            f"  description: {KEPT}",
            f"{name}: record 2 (new): create",
            "created 1, updated 1, unchanged 1, failed 0",
        ]

    def test_plan_json_is_one_document_for_machines(self, tmp_path):
        imported(tmp_path, course())
        path = write_json(tmp_path, [course(title="New title"), course("new"), {"slug": "bad"}], name="next.json")
        code, out, err = run_import(path, "--plan", "--json")
        assert code == 1 and "nothing written" in err
        document = json.loads(out)
        assert document["summary"] == {"created": 0, "updated": 0, "unchanged": 0, "failed": 1}
        [file] = document["files"]
        assert (file["file"], file["ok"]) == (path, False)
        assert file["errors"][0] | {"message": None} == {
            "file": path,
            "record": 2,
            "line": None,
            "slug": "bad",
            "path": "title",
            "message": None,
        }

    def test_plan_json_lists_the_changes(self, tmp_path):
        imported(tmp_path, course())
        code, out, _ = run_import(write_json(tmp_path, [course(title="New title")]), "--plan", "--json")
        assert code == 0
        [file] = json.loads(out)["files"]
        assert file["courses"] == [
            {
                "record": 0,
                "line": None,
                "slug": "intro-to-sql",
                "outcome": "updated",
                "changes": [
                    {"path": "title", "change": "changed", "from": "Intro to SQL", "to": "New title"},
                    {"path": "status", "change": "status", "from": "published", "to": "published"},
                ],
                "kept": [],
                "notes": [],
            }
        ]

    def test_json_needs_plan(self, tmp_path):
        code, _, err = run_import(write_json(tmp_path, [course()]), "--json")
        assert code == 1 and "--json prints a plan: use it with --plan" in err
        assert not Course.objects.exists()


class TestPrune:
    def load(self, tmp_path, count, source="generator"):
        records = [course(f"c-{i}") for i in range(count)]
        imported(tmp_path, *records, args=["--source", source])
        return records

    def test_courses_the_source_no_longer_has_are_archived(self, tmp_path):
        records = self.load(tmp_path, 20)
        CourseFactory(slug="by-hand", status="published", units=tree(1))
        self.load(tmp_path, 3, source="other")  # c-0..c-2 are now from "other"
        out = imported(tmp_path, *records[3:19], args=["--source", "generator", "--prune"])
        assert summary(out) == "created 0, updated 0, unchanged 16, failed 0"
        statuses = dict(Course.objects.values_list("slug", "status"))
        assert statuses["c-19"] == "archived"
        assert {statuses[f"c-{i}"] for i in range(19)} == {"published"}
        assert statuses["by-hand"] == "published"

    def test_refused_above_the_threshold_with_the_count(self, tmp_path):
        records = self.load(tmp_path, 10)
        before = snapshot()
        code, out, err = run_import(write_json(tmp_path, records[:8]), "--source", "generator", "--prune")
        assert code == 1
        assert "2 of the 10 course(s) imported from source 'generator' (20%)" in err
        assert "more than --max-prune 10%: c-8, c-9; nothing was archived" in err
        assert snapshot() == before
        args = ["--source", "generator", "--prune", "--max-prune", "20"]
        code, _, err = run_import(write_json(tmp_path, records[:8]), *args)
        assert code == 0, err
        assert set(Course.objects.filter(status="archived").values_list("slug", flat=True)) == {"c-8", "c-9"}

    def test_a_dry_run_says_what_it_would_archive(self, tmp_path):
        records = self.load(tmp_path, 10)
        code, _, err = run_import(write_json(tmp_path, records[:9]), "--source", "generator", "--prune", "--dry-run")
        assert code == 0 and "prune: would archive 1 course(s) of source 'generator' not in the file(s): c-9" in err
        assert not Course.objects.filter(status="archived").exists()

    def test_a_refusal_names_at_most_ten_courses_and_counts_the_rest(self, tmp_path):
        self.load(tmp_path, 30)
        code, _, err = run_import(write_json(tmp_path, [course("c-0")]), "--source", "generator", "--prune")
        named = ", ".join(sorted(f"c-{i}" for i in range(1, 30))[:10])
        assert code == 1 and f"more than --max-prune 10%: {named} and 19 more; nothing was archived" in err

    def test_no_prune_when_a_file_failed(self, tmp_path):
        records = self.load(tmp_path, 10)
        good = write_json(tmp_path, records[:9], name="good.json")
        bad = write_json(tmp_path, [{"slug": "broken"}], name="bad.json")
        code, _, err = run_import(good, bad, "--source", "generator", "--prune")
        assert code == 1 and "not pruning: a file failed" in err
        assert not Course.objects.filter(status="archived").exists()

    @pytest.mark.parametrize(
        "args, message",
        [
            (["--prune"], "--prune needs --source NAME"),
            (
                ["--prune", "--source", "g", "--max-prune", "101"],
                "--max-prune: expected a percentage from 0 to 100 (e.g. 10 or 2.5), got '101'",
            ),
            (
                ["--prune", "--source", "g", "--max-prune", "many"],
                "--max-prune: expected a percentage from 0 to 100 (e.g. 10 or 2.5), got 'many'",
            ),
        ],
    )
    def test_bad_options(self, tmp_path, args, message):
        code, _, err = run_import(write_json(tmp_path, [course()]), *args)
        assert code == 1 and message in err
        assert not Course.objects.exists()


class TestReport:
    def test_every_error_as_json_lines(self, tmp_path):
        report = tmp_path / "errors.jsonl"
        path = write_jsonl(tmp_path, [course("fine"), "{broken", course("bad", title=""), {"slug": "x", "nope": 1}])
        code, _, err = run_import(path, "--report", str(report))
        assert code == 1
        entries = [json.loads(line) for line in report.read_text().splitlines()]
        assert len(entries) == len(err.splitlines()) - 2  # minus "nothing written" and the CommandError
        assert entries[0] == {
            "file": path,
            "record": 1,
            "line": 2,
            "slug": None,
            "path": None,
            "message": entries[0]["message"],
        }
        assert "invalid JSON" in entries[0]["message"]
        assert (entries[1]["record"], entries[1]["line"], entries[1]["slug"], entries[1]["path"]) == (
            2,
            3,
            "bad",
            "title",
        )
        assert {(e["line"], e["slug"], e["path"]) for e in entries[2:]} >= {(4, "x", "nope")}

    def test_whole_file_errors_have_no_record(self, tmp_path):
        report = tmp_path / "errors.jsonl"
        missing = str(tmp_path / "missing.json")
        assert run_import(missing, "--report", str(report))[0] == 1
        [entry] = [json.loads(line) for line in report.read_text().splitlines()]
        assert (entry["file"], entry["record"], entry["line"], entry["slug"]) == (missing, None, None, None)
        assert entry["message"].startswith("cannot read")

    def test_an_unwritable_report_is_refused_before_importing(self, tmp_path):
        code, _, err = run_import(write_json(tmp_path, [course()]), "--report", str(tmp_path / "no" / "such.jsonl"))
        assert code == 1 and "--report" in err and "cannot write" in err
        assert not Course.objects.exists()


class TestReimportingLines:
    """Re-importing JSON Lines: an identical line is skipped as unchanged, and only then; what it
    reports is what reading every line would give."""

    def lines(self, tmp_path, *records, name="courses.jsonl"):
        return write_jsonl(tmp_path, [json.dumps(record) for record in records], name=name)

    def test_an_identical_line_twice_is_still_a_duplicate(self, tmp_path):
        path = self.lines(tmp_path, course())
        assert summary(run_import(path)[1]) == "created 1, updated 0, unchanged 0, failed 0"
        code, out, err = run_import(self.lines(tmp_path, course(), course(), name="twice.jsonl"))
        assert code == 1
        assert "line 2 (slug 'intro-to-sql'): slug: The slug 'intro-to-sql' appears twice in this file" in err
        assert "(first at line 1)" in err

    def test_a_course_an_editor_moved_to_another_slug_is_not_taken_for_the_line(self, tmp_path):
        path = self.lines(tmp_path, course())
        run_import(path)
        services.course_update(course=sql(), slug="sql-basics", status="published")
        code, out, err = run_import(path)
        assert (code, summary(out)) == (0, "created 1, updated 0, unchanged 0, failed 0"), err
        assert set(Course.objects.values_list("slug", flat=True)) == {"intro-to-sql", "sql-basics"}

    def test_an_identical_line_whose_course_changed_is_read_and_merged(self, tmp_path):
        path = self.lines(tmp_path, course())
        run_import(path)
        services.course_update(course=sql(), description="Fixed by hand.")
        services.course_unpublish(course=sql())
        code, out, err = run_import(path)
        assert code == 0, err
        assert kept_lines(out) == [f"line 1 (intro-to-sql): {name}: {KEPT}" for name in ("description", "status")]
        assert (sql().description, sql().status) == ("Fixed by hand.", "draft")

    def test_a_broken_line_is_reported_where_it_is(self, tmp_path):
        run_import(self.lines(tmp_path, course()))
        path = write_jsonl(tmp_path, [json.dumps(course()), "{not json"], name="broken.jsonl")
        code, out, err = run_import(path)
        assert code == 1 and "broken.jsonl: line 2 column 2: invalid JSON" in err
