"""import_courses follows the course a record created: through an editor's rename (and --prune with
it), and not past an editor's deletion unless --recreate."""

import json

import pytest

from catalog import services
from catalog.models import Course
from tests.helpers.commands import course, run_import, snapshot, summary, write_json

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

DELETED = "deleted by an editor since it was imported; not created again (--recreate creates it again)"


def imported(tmp_path, *records, args=()):
    code, out, err = run_import(write_json(tmp_path, list(records)), "--source", "gen", *args)
    assert code == 0, err
    return out, err


def slugs():
    return set(Course.objects.values_list("slug", flat=True))


def renamed(slug, to):
    """An editor's rename, published: the slug is part of a release, so learners (and other sources'
    slugs) see the new address only then."""
    course = services.course_update(course=Course.objects.get(slug=slug), slug=to)
    if course.status == Course.Status.PUBLISHED:
        services.course_publish(course=course)


class TestRenamedByAnEditor:
    def test_the_record_updates_the_renamed_course_and_creates_no_second_one(self, tmp_path):
        imported(tmp_path, course("gen-course-04"))
        renamed("gen-course-04", "gen-course-04b")
        out, _ = imported(tmp_path, course("gen-course-04", title="Generated v2"))
        assert slugs() == {"gen-course-04b"}
        assert Course.objects.get().title == "Generated v2"
        assert summary(out) == "created 0, updated 1, unchanged 0, failed 0"
        assert "record 0 (gen-course-04b): slug: kept the editor's change" in out

    def test_unchanged_records_stay_unchanged(self, tmp_path):
        imported(tmp_path, course("gen-course-04"))
        renamed("gen-course-04", "gen-course-04b")
        for _ in range(2):
            out, _ = imported(tmp_path, course("gen-course-04"))
            assert summary(out) == "created 0, updated 0, unchanged 1, failed 0"
        assert slugs() == {"gen-course-04b"}

    def test_the_plan_names_the_course_under_its_new_slug(self, tmp_path):
        imported(tmp_path, course("gen-course-04"))
        renamed("gen-course-04", "gen-course-04b")
        code, out, _ = run_import(
            write_json(tmp_path, [course("gen-course-04", title="v2")]), "--source", "gen", "--plan"
        )
        assert code == 0
        assert "record 0 (gen-course-04b): update" in out
        assert "  slug: kept the editor's change" in out

    def test_the_plans_json_names_the_slug_as_kept(self, tmp_path):
        imported(tmp_path, course("gen-course-04"))
        renamed("gen-course-04", "gen-course-04b")
        path = write_json(tmp_path, [course("gen-course-04", title="v2")])
        code, out, _ = run_import(path, "--source", "gen", "--plan", "--json")
        [entry] = json.loads(out)["files"][0]["courses"]
        assert (entry["slug"], entry["outcome"], entry["kept"]) == ("gen-course-04b", "updated", ["slug"])

    def test_a_dry_run_remembers_nothing(self, tmp_path):
        path = write_json(tmp_path, [course("gen-course-04")])
        assert run_import(path, "--source", "gen", "--dry-run")[0] == 0
        services.course_create(slug="gen-course-04", title="By hand", topic="t")
        renamed("gen-course-04", "by-hand")
        out, _ = imported(tmp_path, course("gen-course-04"))
        assert summary(out) == "created 1, updated 0, unchanged 0, failed 0"
        assert slugs() == {"gen-course-04", "by-hand"}

    def test_prune_keeps_a_renamed_course_whose_record_is_there(self, tmp_path):
        records = [course(f"gen-course-{i:02}") for i in range(10)]
        imported(tmp_path, *records)
        renamed("gen-course-04", "gen-course-04b")
        imported(tmp_path, *records, args=["--prune"])
        assert not Course.objects.filter(status="archived").exists()
        assert "gen-course-04" not in slugs()

    def test_prune_archives_the_renamed_course_when_its_record_is_gone(self, tmp_path):
        records = [course(f"gen-course-{i:02}") for i in range(10)]
        imported(tmp_path, *records)
        renamed("gen-course-04", "gen-course-04b")
        _, err = imported(tmp_path, *records[:4], *records[5:], args=["--prune"])
        assert "archived 1 course(s) of source 'gen' not in the file(s): gen-course-04b" in err
        assert list(Course.objects.filter(status="archived").values_list("slug", flat=True)) == ["gen-course-04b"]

    def test_another_source_still_goes_by_slug(self, tmp_path):
        imported(tmp_path, course("gen-course-04"))
        renamed("gen-course-04", "gen-course-04b")
        code, out, err = run_import(write_json(tmp_path, [course("gen-course-04")]), "--source", "other")
        assert (code, summary(out)) == (0, "created 1, updated 0, unchanged 0, failed 0"), err
        assert slugs() == {"gen-course-04", "gen-course-04b"}

    def test_a_new_record_cannot_take_the_slug_an_editor_gave_to_another_records_course(self, tmp_path):
        imported(tmp_path, course("gen-course-04"))
        renamed("gen-course-04", "gen-course-05")
        before = snapshot()
        path = write_json(tmp_path, [course("gen-course-04"), course("gen-course-05", title="Not mine")])
        code, out, err = run_import(path, "--source", "gen")
        assert code == 1 and summary(out) == "created 0, updated 0, unchanged 0, failed 1"
        assert (
            "record 1 (slug 'gen-course-05'): slug: 'gen-course-05' is the course this source's record"
            " 'gen-course-04' created, renamed by an editor: this record cannot have it too (give it another slug)"
        ) in err
        assert snapshot() == before


class TestDeletedByAnEditor:
    def deleted(self, tmp_path):
        imported(tmp_path, course("gen-course-07"), course("gen-course-08"))
        services.course_delete(course=Course.objects.get(slug="gen-course-07"))

    def test_it_is_not_created_again_and_the_report_says_so(self, tmp_path):
        self.deleted(tmp_path)
        out, _ = imported(tmp_path, course("gen-course-07"), course("gen-course-08"))
        assert slugs() == {"gen-course-08"}
        assert f"record 0 (gen-course-07): {DELETED}" in out
        assert summary(out) == "created 0, updated 0, unchanged 2, failed 0"

    def test_the_plan_says_so(self, tmp_path):
        self.deleted(tmp_path)
        path = write_json(tmp_path, [course("gen-course-07")])
        code, out, _ = run_import(path, "--source", "gen", "--plan")
        assert code == 0 and f"record 0 (gen-course-07): no change\n  {DELETED}" in out
        code, out, _ = run_import(path, "--source", "gen", "--plan", "--json")
        [entry] = json.loads(out)["files"][0]["courses"]
        assert (entry["slug"], entry["outcome"], entry["notes"]) == ("gen-course-07", "unchanged", [DELETED])

    def test_recreate_creates_it_again_and_it_is_followed_from_then_on(self, tmp_path):
        self.deleted(tmp_path)
        out, _ = imported(tmp_path, course("gen-course-07"), args=["--recreate"])
        assert summary(out) == "created 1, updated 0, unchanged 0, failed 0"
        assert "record 0 (gen-course-07): deleted by an editor since it was imported; created again" in out
        renamed("gen-course-07", "gen-course-07b")
        out, _ = imported(tmp_path, course("gen-course-07", title="v3"))
        assert slugs() == {"gen-course-07b", "gen-course-08"}
        assert Course.objects.get(slug="gen-course-07b").title == "v3"

    def test_prune_does_not_count_it(self, tmp_path):
        self.deleted(tmp_path)
        _, err = imported(tmp_path, course("gen-course-08"), args=["--prune"])
        assert "archived" not in err and not Course.objects.filter(status="archived").exists()
