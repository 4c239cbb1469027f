"""The Django internals catalog.db.internals reads, pinned: a Django upgrade that changes one fails
here, loudly, instead of silently merging or losing cache invalidations or changing SQL."""

import pytest
from django.db import connection, transaction

from catalog.db import internals
from catalog.models import Course
from tests.factories import CourseFactory

pytestmark = pytest.mark.embedded


@pytest.mark.django_db
class TestTransactions:
    def test_queued_on_commit_lists_the_callbacks_queued_oldest_first(self):
        def first():
            pass

        def second():
            pass

        with transaction.atomic():
            before = len(internals.queued_on_commit(connection))
            transaction.on_commit(first)
            transaction.on_commit(second, robust=True)
            assert internals.queued_on_commit(connection)[before:] == [first, second]
            # Django's own shape of the queue, which the function unpacks
            assert [len(entry) for entry in connection.run_on_commit[before:]] == [3, 3]

    def test_blocks_a_test_case_opened_are_not_the_application_s(self):
        # pytest-django wraps each test in TestCase's atomic blocks (marked); ours come after them.
        assert connection.in_atomic_block
        assert all(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)
        with transaction.atomic():
            key = internals.application_transaction(connection)
            assert key is not None  # a savepoint inside the test case's transaction
            assert key == connection.savepoint_ids[len(connection.atomic_blocks) - 2]
            with transaction.atomic():
                assert internals.application_transaction(connection) == key  # nested: the same one
        with transaction.atomic():
            assert internals.application_transaction(connection) not in (None, key)  # another one


@pytest.mark.django_db(transaction=True)
def test_outside_a_test_case_the_outermost_block_is_the_application_s():
    with transaction.atomic():
        assert internals.application_transaction(connection) is None
        with transaction.atomic():
            assert internals.application_transaction(connection) is None


@pytest.mark.django_db
def test_sql_of_a_queryset_is_what_the_database_runs():
    kept = CourseFactory(title="Kept")
    CourseFactory(title="Other")
    sql, params = internals.sql_of(Course.objects.filter(title="Kept").values_list("pk", flat=True))
    assert "Kept" in params and "Kept" not in sql  # parameters apart, as the database gets them
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        assert cursor.fetchall() == [(kept.pk,)]
