"""Course files: reading (JSON, JSON Lines, stdin), importing all-or-nothing per file, writing."""

import itertools
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import OperationalError, transaction

from .errors import (
    CatalogBatchError,
    CatalogConflictError,
    CatalogError,
    CatalogValidationError,
    InvalidTransitionError,
)
from .records import clean_record
from .services import UpsertResult, courses_upsert

# Records per courses_upsert call: big enough that a call's few queries serve many courses, small
# enough that one call's rows (500 courses x their trees) stay a modest amount of memory.
CHUNK = 500
ATTEMPTS = 3
TRANSIENT_SQLSTATES = {"40P01", "40001"}  # deadlock detected, serialization failure

JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")
BOM = "\ufeff"


def display_name(path: str) -> str:
    """How reports name a source: its path, or <stdin> for "-"."""
    return "<stdin>" if path == "-" else path


class SourceError(Exception):
    """The file as a whole cannot be read or parsed; nothing of it can be imported."""


@dataclass
class Unreadable:
    """Stands in for a JSON Lines record whose line could not be parsed (the rest is still checked)."""

    detail: str  # follows "line N", e.g. " column 3: invalid JSON: Expecting value"


@dataclass
class Record:
    where: str  # "record 3" (0-based index in a JSON array) or "line 4" (1-based line of JSON Lines)
    data: object  # the parsed JSON value, or Unreadable
    position: int = 0  # the index or the line number, for sorting errors


def is_json_lines(path: str) -> bool:
    return path.endswith(JSON_LINES_SUFFIXES)


class Source:
    """The records of one input, read lazily; `fraction` tells how far reading has got (None: unknown)."""

    def __init__(self, path: str, *, fmt: str | None = None):
        self.path = path
        self.name = display_name(path)
        self.fmt = fmt
        self.fraction: float | None = None

    def __iter__(self) -> Iterator[Record]:
        if self.path == "-":
            yield from self._stdin()
            return
        fmt = self.fmt or ("jsonl" if is_json_lines(self.path) else "json")
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 - closed below, streamed meanwhile
        except OSError as exc:
            raise SourceError(f"cannot read: {exc.strerror or exc}") from exc
        with handle:
            try:
                if fmt == "jsonl":
                    size = os.fstat(handle.fileno()).st_size
                    done = 0
                    for number, raw in enumerate(handle, start=1):
                        done += len(raw)
                        self.fraction = done / size if size else None
                        yield from _json_line(number, raw)
                else:
                    yield from self._document(_decode_whole(handle.read()))
            except OSError as exc:
                raise SourceError(f"cannot read: {exc.strerror or exc}") from exc

    def _stdin(self) -> Iterator[Record]:
        stream = getattr(sys.stdin, "buffer", sys.stdin)
        lines = iter(stream)
        # Peek at the first line that is not blank to tell the formats apart without reading
        # everything, so that JSON Lines on a pipe is streamed like a file.
        head = []
        for line in lines:
            head.append(line)
            if line.strip():
                break
        fmt = self.fmt or _guess_format(head[-1] if head else "")
        lines = itertools.chain(head, lines)
        if fmt == "jsonl":
            for number, raw in enumerate(lines, start=1):
                yield from _json_line(number, raw)
        else:
            text = "".join(_decode_whole(raw) if isinstance(raw, bytes) else raw for raw in lines)
            yield from self._document(text.removeprefix(BOM))

    def _document(self, text: str) -> Iterator[Record]:
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SourceError(f"line {exc.lineno} column {exc.colno}: invalid JSON: {exc.msg}") from exc
        del text  # this generator lives as long as the import: don't keep the text beside its records
        if isinstance(document, dict) and set(document) == {"courses"}:
            document = document["courses"]
        if not isinstance(document, list):
            raise SourceError(
                'not a course file: expected {"courses": [...]} or a JSON array of courses at the top level'
            )
        total = len(document)
        for index, item in enumerate(document):
            self.fraction = (index + 1) / total
            yield Record(f"record {index}", item, index)


def _guess_format(first_line) -> str:
    """JSON Lines when the first line alone is one course; a JSON document otherwise."""
    if isinstance(first_line, bytes):
        first_line = first_line.decode("utf-8", errors="replace")
    first_line = first_line.strip().removeprefix(BOM)
    if not first_line:
        return "jsonl"  # nothing at all: no courses, like an empty .jsonl file
    if first_line.startswith("["):
        return "json"
    try:
        value = json.loads(first_line)
    except ValueError:
        # The start of a multi-line document such as '{"courses": [' (or a broken first line,
        # which the document parser then reports with its line and column).
        return "json"
    return "json" if isinstance(value, dict) and "courses" in value else "jsonl"


def _decode_whole(raw) -> str:
    if isinstance(raw, str):
        return raw.removeprefix(BOM)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(f"cannot read: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


def _json_line(number: int, raw) -> Iterator[Record]:
    where = f"line {number}"
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield Record(where, Unreadable(f": cannot read: not UTF-8 text ({exc.reason} at byte {exc.start})"), number)
            return
    # Without the line break, so that an error at the end of the line gets a column on it.
    raw = raw.rstrip("\r\n")
    if number == 1:
        raw = raw.removeprefix(BOM)
    if not raw.strip():
        return
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        data = Unreadable(f" column {exc.colno}: invalid JSON: {exc.msg}")
    yield Record(where, data, number)


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


# --- importing ----------------------------------------------------------------------------------


@dataclass
class FileReport:
    name: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    changes: list[str] = field(default_factory=list)  # --dry-run: one line per course
    _errors: list[tuple[int, str]] = field(default_factory=list)

    def add_error(self, text: str, *, position: int = sys.maxsize) -> None:
        """`position` is the record's place in the file; errors about the whole file go last."""
        self._errors.append((position, text))

    @property
    def errors(self) -> list[str]:
        # Validation finds errors as records arrive, the workflow only when their chunk is
        # planned; people read them in file order.
        return [text for _, text in sorted(self._errors, key=lambda item: item[0])]

    @property
    def ok(self) -> bool:
        return not self._errors


def import_file(
    path: str, *, dry_run: bool = False, by=None, fmt: str | None = None, progress: Progress | None = None
) -> FileReport:
    """Import one file in one transaction: any error anywhere, and nothing of it is written.

    courses_upsert is called a chunk at a time inside that transaction; catalog.cache merges the
    chunks' change marks, so the whole file costs one invalidation, after the commit. When another
    writer collided with the file (PostgreSQL broke a deadlock between two big overlapping files, or
    created one of its slugs at the same moment), a file on disk is imported again from the start,
    up to ATTEMPTS times; standard input cannot be read twice and reports the collision instead.
    """
    for attempt in range(1, ATTEMPTS + 1):
        report = FileReport(name=display_name(path))
        collision = _import_once(path, report, dry_run=dry_run, by=by, fmt=fmt, progress=progress)
        if collision is None:
            break
        if path == "-" or attempt == ATTEMPTS:
            report.add_error(f"{report.name}: {collision}")
            report.failed += 1
            break
        if progress:
            progress.note(f"{report.name}: {collision}; importing it again (attempt {attempt + 1} of {ATTEMPTS})")
    if not report.ok:
        # All or nothing: the records without errors were not written either, so they are counted
        # nowhere, and the would-be changes of a dry run are not reported.
        report.created = report.updated = report.unchanged = 0
        report.changes.clear()
    return report


def _import_once(path, report, *, dry_run, by, fmt, progress) -> str | None:
    """One attempt; returns what collided with it (nothing written), or None."""
    try:
        source = Source(path, fmt=fmt)
        with transaction.atomic():
            _Importer(source, report, dry_run=dry_run, by=by, progress=progress).run()
            if not report.ok or dry_run:
                transaction.set_rollback(True)
    except SourceError as exc:
        report.add_error(f"{report.name}: {exc}")
        report.failed += 1  # the unreadable file counts as one failed record
    except CatalogConflictError as exc:
        return str(exc)
    except CatalogError as exc:
        report.add_error(f"{report.name}: {exc}")
        report.failed += 1
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) not in TRANSIENT_SQLSTATES:
            raise
        return "A concurrent import deadlocked with this one (the database undid this file)"
    return None


class _Importer:
    def __init__(self, source: Source, report: FileReport, *, dry_run: bool, by, progress: Progress | None):
        self.source, self.report, self.dry_run, self.by, self.progress = source, report, dry_run, by, progress
        self.first_seen: dict[str, str] = {}  # slug -> where it first appeared
        self.chunk: list[tuple[Record, dict]] = []

    def run(self) -> None:
        count = 0
        for record in self.source:
            count += 1
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
            self.report.add_error(f"{self.report.name}: {record.where}{data.detail}", position=record.position)
            self.report.failed += 1
            return
        slug = data.get("slug") if isinstance(data, dict) and isinstance(data.get("slug"), str) else None
        try:
            clean = clean_record(data)
        except CatalogValidationError as exc:
            self._fail(record, slug, exc)
            return
        first = self.first_seen.setdefault(clean["slug"], record.where)
        if first != record.where:
            message = f"The slug '{clean['slug']}' appears twice in this file (first at {first})."
            self._fail(record, slug, CatalogValidationError({"slug": [message]}))
            return
        self.chunk.append((record, clean))

    def _flush(self) -> None:
        if not self.chunk:
            return
        chunk, self.chunk = self.chunk, []
        # Once the file has an error nothing more is written, but the remaining records are still
        # planned (checked against the database and the workflow) so one run reports every error.
        try:
            results = courses_upsert(
                records=[clean for _, clean in chunk], by=self.by, dry_run=self.dry_run or not self.report.ok
            )
        except CatalogBatchError as exc:
            for index, error in sorted(exc.failures.items()):
                record, clean = chunk[index]
                self._fail(record, clean["slug"], error)
            return
        for result in results:
            setattr(self.report, result.outcome, getattr(self.report, result.outcome) + 1)
            if self.dry_run:
                self.report.changes.append(f"{self.report.name}: {describe(result)}")

    def _fail(self, record: Record, slug: str | None, error: CatalogError) -> None:
        label = f"{self.report.name}: {record.where}" + (f" (slug '{slug}')" if slug else "")
        if isinstance(error, CatalogValidationError):
            lines = [
                f"{label if path == 'record' else f'{label}: {path}'}: {' '.join(messages)}"
                for path, messages in error.errors.items()
            ]
        elif isinstance(error, InvalidTransitionError):
            lines = [f"{label}: status: {error}"]
        else:
            lines = [f"{label}: {error}"]
        for line in lines:
            self.report.add_error(line, position=record.position)
        self.report.failed += 1


def describe(result: UpsertResult) -> str:
    if result.outcome == "updated":
        return f"would update {result.slug}: {'; '.join(result.changes)}"
    if result.outcome == "created":
        return f"would create {result.slug}"
    return f"unchanged {result.slug}"


# --- writing ------------------------------------------------------------------------------------


def write_records(out, records, *, lines: bool) -> int:
    """Write records as JSON Lines or as {"courses": [...]}, one record at a time; returns the count."""
    count = 0
    if lines:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
        return count
    out.write('{"courses": [')
    for record in records:
        out.write(("\n  " if count == 0 else ",\n  ") + json.dumps(record, ensure_ascii=False))
        count += 1
    out.write("\n]}\n" if count else "]}\n")
    return count
