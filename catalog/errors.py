"""Domain errors raised by the service layer (catalog.api.exceptions maps them to HTTP), and the
wording of the errors every adapter answers alike."""

NOT_FOUND = "Not found."
BAD_REQUEST = "Bad request."
DATABASE_UNAVAILABLE = "The catalog database is unreachable right now; try again shortly."
SERVER_ERROR = "Something went wrong on our side; it has been logged."


class CatalogError(Exception):
    """Base class: carries a message a person can act on."""

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return self.message


class CatalogValidationError(CatalogError):
    """Bad field values. `errors` maps a field path (e.g. "units[1].title") to its messages."""

    def __init__(self, errors: dict[str, list[str]] | str):
        if isinstance(errors, str):
            errors = {"detail": [errors]}
        self.errors = errors
        super().__init__("; ".join(f"{path}: {' '.join(msgs)}" for path, msgs in errors.items()))


class InvalidTransitionError(CatalogError):
    """A workflow move that the rules refuse; nothing was changed."""


class CatalogConflictError(CatalogError):
    """The write lost a race with another writer (e.g. the same slug created twice)."""


class PreconditionFailedError(CatalogError):
    """The caller's precondition (e.g. an If-Match ETag) no longer holds; nothing was changed."""


class FeedCursorError(CatalogError):
    """A change-feed cursor that is not one of ours (altered, truncated, or from elsewhere)."""


class FeedCursorExpiredError(CatalogError):
    """A change-feed cursor older than what the feed still holds: start again without a cursor."""


class PruneRefusedError(CatalogError):
    """An import's --prune would archive more of a source's courses than allowed; nothing was archived."""


class CatalogBatchError(CatalogError):
    """Some records of a batch failed; the batch wrote nothing. `failures` maps index -> error."""

    def __init__(self, failures: dict[int, CatalogError]):
        self.failures = failures
        super().__init__(f"{len(failures)} record(s) failed")


class CatalogNotFoundError(CatalogError):
    """The course, unit or module is gone (deleted, possibly by a concurrent writer)."""
