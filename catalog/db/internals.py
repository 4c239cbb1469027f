"""The Django internals the catalog reads, in one place: each has no public equivalent, each is
pinned by tests/catalog/db/test_internals.py so that a Django upgrade that changes it fails there,
loudly, instead of silently breaking what relies on it."""

from django.db.models import QuerySet


def application_transaction(connection):
    """The key of the transaction the application opened on `connection`: None for the outermost
    atomic block, else the id of the savepoint that opened it.

    Why internal: Django has no word for "the blocks TestCase wrapped around this test" (they carry
    its `_from_testcase` mark), and its atomic blocks' savepoint ids (`savepoint_ids`, parallel to
    `atomic_blocks` inside the outermost one) are not public. One flush per application transaction
    (catalog.cache.invalidation) must tell them apart, or a test would see one flush per test.
    """
    for i, block in enumerate(connection.atomic_blocks):
        if not getattr(block, "_from_testcase", False):
            return None if i == 0 else connection.savepoint_ids[i - 1]
    return None


def queued_on_commit(connection) -> list:
    """The callbacks queued with transaction.on_commit() on `connection`, oldest first.

    Why internal: Django offers on_commit() but no way to find a callback already queued; the queue
    is `run_on_commit`, a list of (savepoint ids, callback, robust)."""
    return [func for _sids, func, _robust in connection.run_on_commit]


def sql_of(queryset: QuerySet) -> tuple[str, tuple]:
    """(SQL, parameters) of a queryset, to wrap in SQL the ORM cannot say (FOR KEY SHARE, a CTE).

    Why internal: `str(queryset.query)` is documented but quotes parameters for display only;
    `Query.sql_with_params()` gives what the database is sent, and has no public name."""
    return queryset.query.sql_with_params()
