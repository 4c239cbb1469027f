"""The one flush per committed transaction, and the Django internals it reads (pinned here).

catalog.cache.invalidation.pending_flush is the only code that reads Django's private transaction
state. These tests pin what it relies on, so that a Django upgrade that changes it fails here, loudly,
instead of silently merging or losing invalidations.
"""

import pytest
from django.db import connection, transaction

from catalog import cache
from catalog.cache import invalidation

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def queued():
    return [func for _sids, func, _robust in connection.run_on_commit if isinstance(func, invalidation._Changes)]


class TestDjangoInternalsWeRelyOn:
    def test_run_on_commit_holds_savepoint_ids_callback_and_robust(self):
        def marker():
            pass

        with transaction.atomic():
            transaction.on_commit(marker, robust=True)
            sids, func, robust = connection.run_on_commit[-1]
            assert func is marker and robust is True and isinstance(sids, (list, set, tuple))

    def test_test_case_blocks_are_marked_and_savepoints_parallel_the_blocks(self):
        # pytest-django wraps each test in TestCase atomics; ours come after them.
        assert connection.in_atomic_block
        assert all(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)
        outer = len(connection.atomic_blocks)
        with transaction.atomic():
            assert not getattr(connection.atomic_blocks[outer], "_from_testcase", False)
            assert len(connection.savepoint_ids) == len(connection.atomic_blocks) - 1
            assert connection.savepoint_ids[outer - 1] is not None


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
