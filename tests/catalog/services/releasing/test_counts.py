"""Kept facet counts (catalog.models.FacetCount) and sitemap blocks (SitemapBlock) stay right across
every change of what learners see.

After each write the kept counts must equal a recount of the counted listings, and the reads made from
them must equal what the courses live at that moment give: selectors.learner_kept_combinations (the
catalog page's and filtered totals') a grouped read, and the sitemap's files (selectors.site) every
live course page and module page once, in files that fit, including moments after a scheduled switch
that nothing has recorded yet; on PostgreSQL, the titles' words (TitleWord) that its triggers keep for
the suggestions equal each listing's title. The clock is stopped (time-machine) and moved by the tests. Blocks hold
two course ids here, so a few courses span several blocks.
"""

import datetime as dt
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from catalog import selectors, services
from catalog.domain import sitemaps
from catalog.domain.facets import duration_range
from catalog.domain.records import clean_record
from catalog.models import Course, FacetCount, Listing, SitemapBlock, TitleWord
from catalog.selectors import site
from catalog.services.releasing.counts import Deltas
from tests.factories import CourseFactory, next_course_id

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def course(slug, *, level=None, language="en", minutes=None, topic="databases", published=True):
    units = [{"title": "U", "modules": [{"title": "M", "minutes": minutes}]}]
    status = "published" if published else "draft"
    return CourseFactory(slug=slug, title=slug, topic=topic, level=level, language=language, status=status, units=units)


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    monkeypatch.setattr(sitemaps, "BLOCK", 2)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    return timezone.now()


def grow(slug, modules):
    """A new release of `slug` with `modules` modules in its one unit."""
    units = [{"title": "U", "modules": [{"title": f"M{i}"} for i in range(modules)]}]
    services.course_upsert_tree(
        record=clean_record({"slug": slug, "title": slug, "topic": "databases", "status": "published", "units": units})
    )


def later(moment, minutes):
    return moment + dt.timedelta(minutes=minutes)


def kept_rows() -> Counter:
    return Counter({(f.topic, f.level, f.language, f.span): f.courses for f in FacetCount.objects.exclude(courses=0)})


def recounted() -> Counter:
    return Counter(
        (topic, level or "", language, duration_range(minutes))
        for topic, level, language, minutes in Listing.objects.filter(counted=True).values_list(
            "topic", "level", "language", "duration_minutes"
        )
    )


def combinations(moment, max_duration=None):
    return sorted(selectors.learner_kept_combinations(now=moment, max_duration=max_duration), key=repr)


def grouped(moment, max_duration=None):
    live = selectors.listings_live(now=moment)
    return sorted(selectors.learner_facet_combinations(live, max_duration=max_duration), key=repr)


def kept_blocks() -> dict:
    return {b.block: (b.courses, b.pages) for b in SitemapBlock.objects.exclude(courses=0, pages=0)}


def reblocked() -> dict:
    blocks = Counter(), Counter()
    for course_id, modules in Listing.objects.filter(counted=True).values_list("course_id", "module_count"):
        blocks[0][sitemaps.block_of(course_id)] += 1
        blocks[1][sitemaps.block_of(course_id)] += modules + 1
    return {block: (n, blocks[1][block]) for block, n in blocks[0].items()}


def assert_files_right(moment):
    """The files placed from the kept blocks at `moment` hold each live course's pages once, in course
    order, each file within its limit, each file's lastmod no older than its courses' going live."""
    live = {
        slug: (course_id, modules + 1, live_from)
        for slug, course_id, modules, live_from in selectors.listings_live(now=moment).values_list(
            "slug", "course_id", "module_count", "live_from"
        )
    }
    for limit in (3, 5, 100):  # blocks (4 pages here) split course by course, packed, all in one file
        files = site.sitemap_files(now=moment, limit=limit)
        assert [f.number for f in files] == list(range(1, len(files) + 1))
        seen = []
        for file in files:
            entries = list(site.sitemap_entries(file, now=moment))
            assert entries, (limit, file)
            assert file.pages == sum(1 + len(modules) for _s, modules, _at in entries) <= max(limit, 2)
            assert file.lastmod >= max(live[slug][2] for slug, _m, _at in entries)
            seen += [(live[slug][0], slug, 1 + len(modules)) for slug, modules, _at in entries]
        assert seen == sorted((course_id, slug, pages) for slug, (course_id, pages, _at) in live.items())
        assert all(a.last + 1 == b.first for a, b in zip(files, files[1:], strict=False))
        if limit == 100:
            assert len(files) == (1 if live else 0)


def title_words() -> set:
    return set(TitleWord.objects.values_list("listing_id", "lexeme", "created_at", "live_from", "live_until"))


def title_words_rewritten() -> set:
    """Each listing's title words as its title_vector holds them now (the A part)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.id, u.lexeme, l.created_at, l.live_from, l.live_until "
            "FROM catalog_listing l, unnest(l.title_vector) u WHERE 'A' = ANY(u.weights)"
        )
        return set(cursor.fetchall())


def assert_right(moment):
    assert kept_rows() == recounted()
    assert kept_blocks() == reblocked()
    if connection.vendor == "postgresql":  # kept by PostgreSQL's triggers (migration 0022); SQLite has none
        assert title_words() == title_words_rewritten()
    for max_duration in (None, 60, 180, 600):
        assert combinations(moment, max_duration) == grouped(moment, max_duration)
    assert_files_right(moment)


def totals(moment) -> Counter:
    return Counter({(c.topic, c.level, c.language, c.range): c.n for c in combinations(moment)})


class TestKeptAcrossWrites:
    def test_publish_update_unpublish_archive_delete(self, now):
        sql = course("sql", level="beginner", minutes=45)
        course("joins", level="advanced", minutes=300)
        course("dados", level="beginner", language="pt-BR")
        css = course("css", minutes=2000, topic="web")
        course("draft", level="beginner", published=False)
        assert_right(now)
        assert totals(now) == {
            ("databases", "beginner", "en", 60): 1,
            ("databases", "advanced", "en", 600): 1,
            ("databases", "beginner", "pt-BR", -1): 1,
            ("web", None, "en", 0): 1,
        }
        # A new release that changes the level and the length moves the course to its new combination.
        services.course_update(course=sql, level="intermediate")
        assert_right(now)  # the working copy changed, not what learners see
        assert totals(now)[("databases", "beginner", "en", 60)] == 1
        services.course_upsert_tree(
            record=clean_record({"slug": "sql", "title": "sql", "topic": "databases", "level": "intermediate",
                    "units": [{"title": "U", "modules": [{"title": "M", "minutes": 150}]}]})
        )  # fmt: skip
        services.course_publish(course=Course.objects.get(pk=sql.pk))
        assert_right(now)
        assert totals(now)[("databases", "intermediate", "en", 180)] == 1
        assert totals(now)[("databases", "beginner", "en", 60)] == 0
        services.course_unpublish(course=Course.objects.get(slug="joins"))
        services.course_archive(course=Course.objects.get(slug="dados"))
        services.course_delete(course=css)
        assert_right(now)
        assert totals(now) == {("databases", "intermediate", "en", 180): 1}

    def test_an_import_counts_new_and_changed_courses_once(self, now):
        course("old", level="beginner", minutes=30)
        records = [
            {"slug": "old", "title": "old", "topic": "databases", "level": "advanced", "status": "published",
             "units": [{"title": "U", "modules": [{"title": "M", "minutes": 500}]}]},
            *[
                {"slug": f"new-{i}", "title": f"new {i}", "topic": "cloud", "language": "de", "status": "published",
                 "units": [{"title": "U", "modules": [{"title": "M", "minutes": 10 * i}]}]}
                for i in range(1, 8)
            ],
        ]  # fmt: skip
        records = [clean_record(r) for r in records]
        services.courses_upsert(records=records)
        assert_right(now)
        assert totals(now) == {
            ("databases", "advanced", "en", 600): 1,
            ("cloud", None, "de", 60): 6,
            ("cloud", None, "de", 180): 1,
        }
        with services.deferred():
            services.courses_upsert(records=[{**records[1], "status": "draft"}])
        assert_right(now)
        assert totals(now)[("cloud", None, "de", 60)] == 5


class TestScheduledSwitches:
    def test_read_right_before_and_after_the_switches_are_recorded(self, now, time_machine):
        course("kept", level="beginner", minutes=20)
        coming = course("coming", level="advanced", minutes=100, published=False)
        leaving = course("leaving", level="beginner", minutes=20)
        window = course("window", language="fr", minutes=700, published=False)
        go, leave = later(now, 5), later(now, 10)
        services.course_schedule(course=coming, publish_at=go)
        services.course_schedule(course=leaving, unpublish_at=go)
        services.course_schedule(course=window, publish_at=go, unpublish_at=leave)
        cancelled = course("cancelled", published=False)
        services.course_schedule(course=cancelled, publish_at=go)
        services.course_schedule_cancel(course=cancelled)  # its listing was never counted
        assert_right(now)
        for moment in (now, go, later(now, 7), leave, later(now, 11)):
            assert combinations(moment) == grouped(moment)  # nothing recorded: the reads correct the kept counts
            assert_files_right(moment)
        assert totals(later(now, 7)) == {
            ("databases", "beginner", "en", 60): 1,
            ("databases", "advanced", "en", 180): 1,
            ("databases", None, "fr", 0): 1,
        }
        time_machine.move_to(later(now, 7), tick=False)
        services.schedule_apply_due()
        assert_right(timezone.now())
        assert_right(later(now, 11))  # the window's end is not recorded yet
        time_machine.move_to(later(now, 11), tick=False)
        services.schedule_apply_due()
        assert_right(timezone.now())
        assert totals(timezone.now()) == {
            ("databases", "beginner", "en", 60): 1,
            ("databases", "advanced", "en", 180): 1,
        }


@pytest.mark.postgres_only
class TestFilteredTotals:
    def test_a_filtered_lists_total_is_the_live_courses_it_holds(self, now):
        if connection.vendor != "postgresql":
            pytest.skip("learner_narrowed_page is PostgreSQL's")
        course("a", level="beginner", minutes=45)
        course("b", level="beginner", minutes=170, language="de")
        course("c", level="advanced", minutes=45, topic="cloud")
        leaving = course("d", level="beginner", minutes=30)
        coming = course("e", level="beginner", minutes=60, published=False)
        services.course_schedule(course=leaving, unpublish_at=later(now, 5))
        services.course_schedule(course=coming, publish_at=later(now, 5))
        cases = [
            {},
            {"levels": ["beginner"]},
            {"levels": ["beginner"], "languages": ["en"], "topics": ["databases"]},
            {"max_duration": 60},
            {"max_duration": 50},  # inside a range: counted from the courses' durations
            {"topics": ["cloud", "databases"], "max_duration": 180, "languages": ["en", "de"]},
        ]
        for moment in (now, later(now, 6)):
            for case in cases:
                live = selectors.listings_live(now=moment)
                for name, column in (("levels", "level"), ("languages", "language"), ("topics", "topic")):
                    if case.get(name):
                        live = live.filter(**{f"{column}__in": case[name]})
                if "max_duration" in case:
                    live = live.filter(duration_minutes__lte=case["max_duration"])
                count, summaries, _switch = selectors.learner_narrowed_page(**case, offset=0, limit=2, now=moment)
                assert count == live.count(), (moment, case)
                assert len(summaries) == min(2, count)


class TestSitemapLastmod:
    def test_a_file_changed_when_a_course_went_live_or_left_recorded_or_not(self, now, time_machine):
        def lastmods(moment=None):
            return [f.lastmod for f in site.sitemap_files(now=moment, limit=100)]

        course("kept")
        leaving = course("leaving")
        assert lastmods() == [now]
        services.course_schedule(course=leaving, unpublish_at=later(now, 5))
        assert lastmods(later(now, 6)) == [later(now, 5)]  # not recorded: the read corrects the block
        time_machine.move_to(later(now, 6), tick=False)
        services.schedule_apply_due()
        assert lastmods() == [later(now, 5)]  # recorded: the same
        time_machine.move_to(later(now, 8), tick=False)
        newer = course("newer")
        assert lastmods() == [later(now, 8)]
        time_machine.move_to(later(now, 9), tick=False)
        services.course_unpublish(course=newer)
        assert lastmods() == [later(now, 9)]  # a withdrawal changes the file, though its courses are older
        assert_right(timezone.now())

    def test_a_blocks_lastmod_never_goes_back(self, now, time_machine, monkeypatch):
        monkeypatch.setattr(sitemaps, "BLOCK", 10**6)  # one block
        course("kept")
        coming = course("coming", published=False)
        services.course_schedule(course=coming, publish_at=later(now, 2))
        time_machine.move_to(later(now, 5), tick=False)
        course("newer")  # the block changed at 5
        services.schedule_apply_due()  # records a going live at 2, after the change at 5
        assert [b.lastmod for b in SitemapBlock.objects.all()] == [later(now, 5)]
        assert [f.lastmod for f in site.sitemap_files(limit=100)] == [later(now, 5)]

    def test_a_window_that_came_and_went_unrecorded_changed_its_file(self, now, time_machine, monkeypatch):
        monkeypatch.setattr(sitemaps, "BLOCK", 10**6)
        course("kept")
        window = course("window", published=False)
        services.course_schedule(course=window, publish_at=later(now, 2), unpublish_at=later(now, 4))
        assert [f.lastmod for f in site.sitemap_files(now=later(now, 6), limit=100)] == [later(now, 4)]
        time_machine.move_to(later(now, 6), tick=False)
        services.schedule_apply_due()
        assert [f.lastmod for f in site.sitemap_files(limit=100)] == [later(now, 4)]  # recorded: the same
        assert_right(timezone.now())

    def test_a_file_after_a_block_that_shrank_changed(self, now, time_machine, monkeypatch):
        monkeypatch.setattr(sitemaps, "BLOCK", 1)  # a block per course, 2 pages each: files of two
        course("a")
        second = course("b")
        for n in range(4):
            course(f"c{n}")
        before = site.sitemap_files(limit=4)
        assert len(before) == 3 and all(f.lastmod == now for f in before)
        time_machine.move_to(later(now, 3), tick=False)
        services.course_unpublish(course=second)
        after = site.sitemap_files(limit=4)
        # [a, c0], [c1, c2], [c3]: the last two hold courses that did not change, but start elsewhere.
        assert [f.pages for f in after] == [4, 4, 2]
        assert [f.lastmod for f in after] == [later(now, 3)] * 3

    def test_a_block_keeps_when_it_last_grew_through_changes_of_another_kind(self, now, time_machine, monkeypatch):
        monkeypatch.setattr(sitemaps, "BLOCK", 1)  # a block per course, 2 pages each
        for slug in ("a", "b", "c", "d"):
            course(slug)
        assert [f.pages for f in site.sitemap_files(limit=4)] == [4, 4]  # [a, b], [c, d]
        time_machine.move_to(later(now, 2), tick=False)
        grow("a", 2)  # 3 pages: [a], [b, c], [d]
        time_machine.move_to(later(now, 4), tick=False)
        services.course_update(course=Course.objects.get(slug="a"), title="A")
        services.course_publish(course=Course.objects.get(slug="a"))  # a new release, the same size
        files = site.sitemap_files(limit=4)
        assert [f.pages for f in files] == [3, 4, 2]
        assert [f.lastmod for f in files] == [later(now, 4), later(now, 2), later(now, 2)]

    def test_an_unrecorded_withdrawal_moves_the_files_after_it(self, now, time_machine, monkeypatch):
        monkeypatch.setattr(sitemaps, "BLOCK", 1)
        first = course("a")
        for slug in ("b", "c", "d"):
            course(slug)
        services.course_schedule(course=first, unpublish_at=later(now, 5))
        unrecorded = site.sitemap_files(now=later(now, 6), limit=4)  # [b, c], [d]
        assert [f.pages for f in unrecorded] == [4, 2]
        assert [f.lastmod for f in unrecorded] == [later(now, 5)] * 2
        time_machine.move_to(later(now, 6), tick=False)
        services.schedule_apply_due()
        assert site.sitemap_files(limit=4) == unrecorded  # recorded: the same

    def test_a_scheduled_release_of_the_same_size_moves_nothing_recorded_or_not(self, now, time_machine, monkeypatch):
        monkeypatch.setattr(sitemaps, "BLOCK", 1)
        for slug in ("a", "b", "c", "d"):
            course(slug)
        second = Course.objects.get(slug="b")
        services.course_update(course=second, title="B")
        services.course_schedule(course=second, publish_at=later(now, 5))
        unrecorded = site.sitemap_files(now=later(now, 6), limit=4)
        assert [(f.pages, f.lastmod) for f in unrecorded] == [(4, later(now, 5)), (4, now)]
        time_machine.move_to(later(now, 6), tick=False)
        services.schedule_apply_due()
        assert site.sitemap_files(limit=4) == unrecorded
        assert_right(timezone.now())

    def test_a_block_read_course_by_course_moves_the_files_after_it(self, now, time_machine):
        next_course_id(1000)  # blocks of two ids (the fixture): [a, b], [c, d]
        for slug in ("a", "b", "c", "d"):
            course(slug)
        assert [f.pages for f in site.sitemap_files(limit=4)] == [4, 4]
        time_machine.move_to(later(now, 2), tick=False)
        grow("a", 2)  # a's block, 5 pages, is read course by course: [a], [b], [c, d]
        files = site.sitemap_files(limit=4)
        assert [f.pages for f in files] == [3, 2, 4]
        assert [f.lastmod for f in files] == [later(now, 2)] * 3  # [c, d] was file 2, now file 3


class TestDeltas:
    def test_merged_changes_keep_each_blocks_latest_time(self):
        T = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        one, two = Deltas(), Deltas()
        one.changed = {0: T + dt.timedelta(minutes=5), 1: T}
        two.changed = {0: T, 1: T + dt.timedelta(minutes=3), 2: T}
        one.update(two)
        assert one.changed == {0: T + dt.timedelta(minutes=5), 1: T + dt.timedelta(minutes=3), 2: T}


class TestRecount:
    def test_recount_mends_what_was_not_kept_and_keeps_what_was(self, now, time_machine):
        course("a", level="beginner")
        course("b", topic="web")
        assert services.counts_recount() == {"topics": 0, "facets": 0, "sitemap blocks": 0}
        kept = {b.block: b.lastmod for b in SitemapBlock.objects.all()}
        time_machine.move_to(later(now, 5), tick=False)
        # Writes the kept counts missed (old code in a deployment's window), made here by hand.
        late = course("late", topic="web")
        FacetCount.objects.all().delete()
        SitemapBlock.objects.filter(block=sitemaps.block_of(late.pk)).delete()
        a_block = SitemapBlock.objects.get(block=sitemaps.block_of(Course.objects.get(slug="a").pk))
        if a_block.block != sitemaps.block_of(late.pk):  # a block whose count is wrong, not missing
            SitemapBlock.objects.filter(block=a_block.block).update(pages=a_block.pages + 7)
        wrong = services.counts_recount()
        assert wrong["facets"] == 2 and wrong["topics"] == 0
        assert wrong["sitemap blocks"] == (1 if a_block.block == sitemaps.block_of(late.pk) else 2)
        assert_right(timezone.now())
        blocks = {b.block: (b.lastmod, b.resized) for b in SitemapBlock.objects.all()}
        mended = {sitemaps.block_of(late.pk), a_block.block}
        assert all(blocks[b] == (later(now, 5), later(now, 5)) for b in mended)  # marked changed
        assert all(blocks[b][0] == at for b, at in kept.items() if b not in mended)

    def test_recount_refuses_to_run_inside_an_import(self):
        with pytest.raises(RuntimeError, match="inside deferred"), services.deferred():
            services.counts_recount()

    def test_a_block_the_counts_lost_still_has_its_courses_listed(self, monkeypatch):
        monkeypatch.setattr(sitemaps, "BLOCK", 1)  # a block per course, 2 pages each: a file per course
        courses = [course(slug) for slug in ("a", "b", "c")]
        SitemapBlock.objects.filter(block=courses[1].pk).delete()  # as old code would have left it
        files = site.sitemap_files(limit=2)
        listed = [slug for f in files for slug, _m, _at in site.sitemap_entries(f)]
        assert listed == ["a", "b", "c"]  # b in the file after a's: files have no gaps between them

    def test_the_command_says_what_it_mended(self):
        from io import StringIO

        from django.core.management import call_command

        course("a")
        out = StringIO()
        call_command("catalog_recount", stdout=out)
        assert out.getvalue().strip() == "recounted; every kept count was right"
        FacetCount.objects.all().delete()
        call_command("catalog_recount", stdout=out)
        assert "these rows were wrong and are right now: 0 topics, 1 facets, 0 sitemap blocks" in out.getvalue()
        assert_right(timezone.now())
