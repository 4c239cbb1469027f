"""The one flush per committed transaction (the Django internals it reads are pinned in
tests/catalog/db/test_internals.py)."""

import pytest
from django.db import connection, transaction

from catalog import cache
from catalog.cache import invalidation
from catalog.db import internals

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def queued():
    return [func for func in internals.queued_on_commit(connection) if isinstance(func, invalidation._Changes)]


class TestOneFlushPerTransaction:
    def test_marks_of_one_transaction_merge_into_one_flush(self, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
            cache.course_changed(slugs=["a"])
            with transaction.atomic():
                cache.course_changed(slugs=["b"])
            cache.course_changed(slugs=["c"])
        assert len(callbacks) == 1 and callbacks[0].slugs == {"a", "b", "c"}

    def test_two_transactions_flush_twice(self, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            with transaction.atomic():
                cache.course_changed(slugs=["a"])
            with transaction.atomic():
                cache.course_changed(slugs=["b"])
        assert [c.slugs for c in callbacks] == [{"a"}, {"b"}]

    def test_a_rolled_back_transaction_flushes_nothing(self, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            try:
                with transaction.atomic():
                    cache.course_changed(slugs=["a"])
                    raise RuntimeError("rolled back")
            except RuntimeError:
                pass
            assert queued() == []
        assert callbacks == []

    def test_the_flush_runs_only_after_the_outermost_commit(self, django_capture_on_commit_callbacks):
        flushes = cache.invalidation_count()
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            with transaction.atomic():
                cache.course_changed(slugs=["a"])
            assert cache.invalidation_count() == flushes
        assert cache.invalidation_count() == flushes + 1


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_flush_is_immediate():
    flushes = cache.invalidation_count()
    cache.course_changed(slugs=["a"])
    assert cache.invalidation_count() == flushes + 1
