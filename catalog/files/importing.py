"""Importing course files: all or nothing per file, every error named by file, record and field."""

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import OperationalError, transaction

from catalog import metrics
from catalog.domain.records import clean_record
from catalog.errors import (
    CatalogBatchError,
    CatalogConflictError,
    CatalogError,
    CatalogValidationError,
    InvalidTransitionError,
)
from catalog.files.course_files import Record, Source, SourceError, Unreadable, display_name
from catalog.services import UpsertResult, courses_upsert, deferred, duplicate_slug_error
from catalog.services.importing.imports import DEFAULT_SOURCE, record_hash, unchanged_imports

KEPT = "kept the editor's change"

# Records per courses_upsert call: big enough that a call's few queries serve many courses, small
# enough that one call's rows (500 courses x their trees) stay a modest amount of memory.
CHUNK = 500
ATTEMPTS = 3
TRANSIENT_SQLSTATES = {"40P01", "40001"}  # deadlock detected, serialization failure


# --- progress -----------------------------------------------------------------------------------


class Progress:
    """A bar on a terminal, a line every few seconds otherwise (meant for stderr)."""

    WIDTH = 28

    def __init__(self, write: Callable[[str], None], *, name: str, tty: bool, every: float = 5.0, clock=time.monotonic):
        self.write, self.name, self.tty, self.every, self.clock = write, name, tty, every, clock
        self.started = self.last = clock()
        self.count = 0
        self.shown = False

    def update(self, count: int, fraction: float | None) -> None:
        self.count = count
        now = self.clock()
        if now - self.last < (0.2 if self.tty else self.every):
            return
        self.last = now
        self.shown = True
        if self.tty:
            self.write("\r" + self._bar(fraction, now))
        else:
            self.write(self._line(fraction, now) + "\n")

    def note(self, text: str) -> None:
        """A line that must be seen whatever the pace (a retry, say)."""
        self.write(("\n" if self.tty and self.shown else "") + text + "\n")
        self.started = self.last = self.clock()
        self.count, self.shown = 0, False

    def done(self) -> None:
        if not self.shown:
            return  # a short run needs no progress report
        now = self.clock()
        text = f"{self.name}: {self.count:,} record(s) read in {now - self.started:.1f}s"
        self.write(("\r" + text.ljust(self.WIDTH + 60) if self.tty else text) + "\n")

    def _rate(self, now) -> str:
        return f"{self.count / max(now - self.started, 1e-9):,.0f}/s"

    def _bar(self, fraction, now) -> str:
        if fraction is None:
            return f"{self.name}: {self.count:,} records, {self._rate(now)}"
        filled = int(self.WIDTH * fraction)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        return f"{self.name} [{bar}] {fraction:4.0%} {self.count:,} records, {self._rate(now)}"

    def _line(self, fraction, now) -> str:
        share = f" ({fraction:.0%})" if fraction is not None else ""
        return f"{self.name}: {self.count:,} records so far{share}, {self._rate(now)}"


# --- importing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One error of an import, as a person reads it (`text`) and as --report writes it (`as_json`)."""

    file: str
    text: str
    message: str
    record: int | None = None  # the record's index in the file (0-based), when the error is about one
    line: int | None = None  # its line, in JSON Lines
    slug: str | None = None
    path: str | None = None  # the field path, e.g. "units[0].modules[1].title"
    position: int = sys.maxsize  # where it sorts: errors about the whole file go last

    def as_json(self) -> dict:
        return {
            "file": self.file,
            "record": self.record,
            "line": self.line,
            "slug": self.slug,
            "path": self.path,
            "message": self.message,
        }


@dataclass
class CoursePlan:
    """What an import does (or would do) to one course: for --plan, and the kept-change lines."""

    where: str  # "record 3" or "line 4"
    record: int
    line: int | None
    result: UpsertResult

    def as_json(self) -> dict:
        result = self.result
        return {
            "record": self.record,
            "line": self.line,
            "slug": result.slug,
            "outcome": result.outcome,
            "changes": [change.as_json() for change in result.changes],
            "kept": result.kept,
            "notes": result.notes,
        }


@dataclass
class FileReport:
    name: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    # Dry runs: every course; imports: those where an editor's change was kept.
    courses: list[CoursePlan] = field(default_factory=list)
    unpublished: list[str] = field(default_factory=list)  # slugs whose working copy now differs from what is live
    seen: set[str] = field(default_factory=set)  # every slug of the file (for --prune)
    problems: list[Problem] = field(default_factory=list)

    def add_problem(self, message: str, *, text: str | None = None, **where) -> None:
        self.problems.append(Problem(self.name, text or f"{self.name}: {message}", message, **where))

    @property
    def errors(self) -> list[str]:
        # Validation finds errors as records arrive, the workflow only when their chunk is
        # planned; people read them in file order.
        return [problem.text for problem in self.ordered_problems]

    @property
    def ordered_problems(self) -> list[Problem]:
        return sorted(self.problems, key=lambda problem: problem.position)

    @property
    def changes(self) -> list[str]:
        """--dry-run: one line per course."""
        return [f"{self.name}: {describe(course.result)}" for course in self.courses]

    @property
    def kept(self) -> list[str]:
        return [
            f"{self.name}: {course.where} ({course.result.slug}): {path}: {KEPT}"
            for course in self.courses
            for path in course.result.kept
        ]

    @property
    def notes(self) -> list[str]:
        return [f"{self.name}: {course.where} ({course.result.slug}): {note}" for course in self.courses
                for note in course.result.notes]  # fmt: skip

    @property
    def ok(self) -> bool:
        return not self.problems


def import_file(
    path: str,
    *,
    dry_run: bool = False,
    by=None,
    fmt: str | None = None,
    progress: Progress | None = None,
    source: str = DEFAULT_SOURCE,
    force: bool = False,
    recreate: bool = False,
) -> FileReport:
    """Import one file in one transaction: any error anywhere, and nothing of it is written.

    courses_upsert is called a chunk at a time inside that transaction; catalog.cache merges the
    chunks' change marks, so the whole file costs one invalidation, after the commit. When another
    writer collided with the file (PostgreSQL broke a deadlock between two big overlapping files, or
    created one of its slugs at the same moment), a file on disk is imported again from the start,
    up to ATTEMPTS times; standard input cannot be read twice and reports the collision instead.
    What the import writes is remembered as written by `source`; what an editor changed since the
    last import of a course is kept unless `force` (see catalog.services.importing.merging). A record
    follows the course it created even when an editor renamed it; one whose course an editor deleted
    is reported and skipped unless `recreate` (see catalog.services.importing.identity).
    """
    for attempt in range(1, ATTEMPTS + 1):
        report = FileReport(name=display_name(path))
        importer = _Importer(
            Source(path, fmt=fmt), report, dry_run=dry_run, by=by, progress=progress, name=source, force=force,
            recreate=recreate,
        )  # fmt: skip
        collision = _import_once(importer)
        if collision is None:
            break
        if path == "-" or attempt == ATTEMPTS:
            report.add_problem(collision)
            report.failed += 1
            break
        if progress:
            progress.note(f"{report.name}: {collision}; importing it again (attempt {attempt + 1} of {ATTEMPTS})")
    if not report.ok:
        # All or nothing: the records without errors were not written either, so they are counted
        # nowhere, and the would-be changes of a dry run are not reported.
        report.created = report.updated = report.unchanged = 0
        report.courses.clear()
        report.unpublished.clear()
    if not dry_run:
        outcomes = ("created", "updated", "unchanged", "failed")
        metrics.import_done(ok=report.ok, outcomes={name: getattr(report, name) for name in outcomes})
    return report


def _import_once(importer: "_Importer") -> str | None:
    """One attempt; returns what collided with it (nothing written), or None."""
    report = importer.report
    try:
        with transaction.atomic(), deferred():
            importer.run()
            if not report.ok or importer.dry_run:
                transaction.set_rollback(True)
    except SourceError as exc:
        report.add_problem(str(exc))
        report.failed += 1  # the unreadable file counts as one failed record
    except CatalogConflictError as exc:
        return str(exc)
    except CatalogError as exc:
        report.add_problem(str(exc))
        report.failed += 1
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) not in TRANSIENT_SQLSTATES:
            raise
        return "A concurrent import deadlocked with this one (the database undid this file)"
    return None


class _Importer:
    def __init__(
        self,
        source: Source,
        report: FileReport,
        *,
        dry_run: bool,
        by,
        progress: Progress | None,
        name: str = DEFAULT_SOURCE,
        force: bool = False,
        recreate: bool = False,
    ):
        self.source, self.report, self.dry_run, self.by, self.progress = source, report, dry_run, by, progress
        self.name = name  # what ImportState remembers as the source of what this import writes
        self.force = force  # True: the records win over editors' changes
        self.recreate = recreate  # True: records whose courses an editor deleted create them again
        self.first_seen: dict[str, str] = {}  # slug -> where it first appeared
        self.chunk: list[tuple[Record, object, str | None, str]] = []  # (record, data, slug, hash)

    def run(self) -> None:
        count = 0
        for count, record in enumerate(self.source, start=1):
            record.index = count - 1
            self._take(record)
            if len(self.chunk) >= CHUNK:
                self._flush()
            if self.progress:
                self.progress.update(count, self.source.fraction)
        self._flush()
        if self.progress:
            self.progress.done()

    def _take(self, record: Record) -> None:
        data = record.data
        if isinstance(data, Unreadable):
            message = data.detail.removeprefix(":").strip()
            text = f"{self.report.name}: {record.where}{data.detail}"
            self.report.add_problem(message, text=text, **self._where(record))
            self.report.failed += 1
            return
        slug = data.get("slug") if isinstance(data, dict) and isinstance(data.get("slug"), str) else None
        if slug is not None:
            self.report.seen.add(slug.strip())
            first = self.first_seen.setdefault(slug.strip(), record.where)
            if first != record.where:
                self._fail(record, slug, _with_other_errors(duplicate_slug_error(slug.strip(), first, "file"), data))
                return
        self.chunk.append((record, data, slug, record_hash(data, raw=record.raw)))

    def _flush(self) -> None:
        if not self.chunk:
            return
        chunk, self.chunk = self.chunk, []
        # A record equal to the one the last import wrote, on a course nobody touched since, changes
        # nothing: it is counted unchanged without being validated or compared again.
        known = {slug: digest for _r, _d, slug, digest in chunk if slug}
        statuses = {slug: data.get("status") for _r, data, slug, _h in chunk if slug}
        unchanged = {} if self.force else unchanged_imports(hashes=known, statuses=statuses, source=self.name)
        work = []
        for record, data, slug, digest in chunk:
            if slug in unchanged:
                self._count(record, UpsertResult(slug=slug, outcome="unchanged", kept=unchanged[slug]))
                continue
            try:
                work.append((record, clean_record(data), digest))
            except CatalogValidationError as exc:
                self._fail(record, slug, exc)
        if not work:
            return
        # Once the file has an error nothing more is written, but the remaining records are still
        # planned (checked against the database and the workflow) so one run reports every error.
        try:
            results = courses_upsert(
                records=[clean for _, clean, _ in work],
                by=self.by,
                dry_run=self.dry_run or not self.report.ok,
                source=self.name,
                hashes=[digest for _, _, digest in work],
                force=self.force,
                recreate=self.recreate,
            )
        except CatalogBatchError as exc:
            for index, error in sorted(exc.failures.items()):
                record, clean, _ = work[index]
                self._fail(record, clean["slug"], error)
            return
        for (record, _, _), result in zip(work, results, strict=True):
            self._count(record, result)

    def _count(self, record: Record, result: UpsertResult) -> None:
        setattr(self.report, result.outcome, getattr(self.report, result.outcome) + 1)
        if result.unpublished_changes:
            self.report.unpublished.append(result.slug)
        if self.dry_run or result.kept or result.notes:
            line = record.position if record.where.startswith("line") else None
            self.report.courses.append(CoursePlan(record.where, record.index, line, result))

    @staticmethod
    def _where(record: Record) -> dict:
        line = record.position if record.where.startswith("line") else None
        return {"record": record.index, "line": line, "position": record.position}

    def _fail(self, record: Record, slug: str | None, error: CatalogError) -> None:
        label = f"{self.report.name}: {record.where}" + (f" (slug '{slug}')" if slug else "")
        if isinstance(error, CatalogValidationError):
            found = [(None if path == "record" else path, " ".join(msgs)) for path, msgs in error.errors.items()]
        elif isinstance(error, InvalidTransitionError):
            found = [("status", str(error))]
        else:
            found = [(None, str(error))]
        for path, message in found:
            text = f"{label}: {path}: {message}" if path else f"{label}: {message}"
            self.report.add_problem(message, text=text, slug=slug, path=path, **self._where(record))
        self.report.failed += 1


def _with_other_errors(duplicate: CatalogValidationError, data) -> CatalogValidationError:
    """A record whose slug came before is not imported, but what else is wrong with it is said too
    (fixing the slug alone would only reveal it at the next run)."""
    try:
        clean_record(data)
    except CatalogValidationError as exc:
        return CatalogValidationError(duplicate.errors | {k: v for k, v in exc.errors.items() if k != "slug"})
    return duplicate


def describe(result: UpsertResult) -> str:
    if result.outcome == "updated":
        return f"would update {result.slug}: {'; '.join(map(str, result.changes))}"
    if result.outcome == "created":
        return f"would create {result.slug}"
    return f"unchanged {result.slug}"
