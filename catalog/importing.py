"""Course files: reading (JSON, JSON Lines, stdin), importing all-or-nothing per file, writing."""
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction

from .errors import CatalogBatchError, CatalogError, CatalogValidationError, InvalidTransitionError
from .records import clean_record
from .services import courses_upsert

CHUNK = 500


@dataclass
class Record:
    where: str  # "record 3" (index in a JSON array) or "line 4" (JSON Lines, 1-based)
    data: object


@dataclass
class FileReport:
    name: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # dry-run lines

    @property
    def ok(self) -> bool:
        return not self.errors


class _Rollback(Exception):
    """Raised inside the file's transaction to undo everything it wrote."""


class SourceError(Exception):
    """The file cannot be read or parsed as a whole."""


def read_records(path: str, *, fmt: str | None = None) -> Iterator[Record]:
    """Records of a file: JSON (`{"courses": [...]}` or `[...]`), JSON Lines, or `-` for stdin.

    JSON Lines files are streamed line by line; a line that is not JSON is yielded as a
    SourceError in place of its record so the rest of the file is still checked.
    """
    if path == "-":
        text = sys.stdin.read()
        if fmt is None:
            fmt = "jsonl" if _looks_like_json_lines(text) else "json"
        if fmt == "jsonl":
            yield from _json_lines(text.splitlines())
        else:
            yield from _json_document(text)
        return
    if fmt is None:
        fmt = "jsonl" if is_json_lines(path) else "json"
    try:
        handle = open(path, encoding="utf-8")  # noqa: SIM115 - closed below, streamed meanwhile
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}") from exc
    with handle:
        try:
            if fmt == "jsonl":
                yield from _json_lines(handle)
            else:
                yield from _json_document(handle.read())
        except UnicodeDecodeError as exc:
            raise SourceError(f"cannot read: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


def _looks_like_json_lines(text: str) -> bool:
    """A whole-text JSON array or {"courses": ...} is a JSON file; anything else is read by lines."""
    try:
        document = json.loads(text)
    except ValueError:
        return True
    return not (isinstance(document, list) or (isinstance(document, dict) and "courses" in document))


def _json_document(text: str) -> Iterator[Record]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"line {exc.lineno} column {exc.colno}: invalid JSON: {exc.msg}") from exc
    if isinstance(document, dict) and set(document) == {"courses"}:
        document = document["courses"]
    elif isinstance(document, dict):
        raise SourceError('expected {"courses": [...]} or a JSON array of courses at the top level')
    if not isinstance(document, list):
        raise SourceError('expected {"courses": [...]} or a JSON array of courses at the top level')
    for index, item in enumerate(document):
        yield Record(f"record {index}", item)


def _json_lines(lines) -> Iterator[Record]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield Record(f"line {number}", json.loads(line))
        except json.JSONDecodeError as exc:
            yield Record(f"line {number}", SourceError(f"column {exc.colno}: invalid JSON: {exc.msg}"))


class Progress:
    """A bar on a terminal, a line every few seconds otherwise; always on stderr."""

    def __init__(self, stream, name: str):
        self.stream, self.name = stream, name
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.count = 0
        self.started = self.last = time.monotonic()

    def tick(self, n: int = 1):
        self.count += n
        now = time.monotonic()
        if self.tty and now - self.last >= 0.2:
            rate = self.count / max(now - self.started, 1e-6)
            self.stream.write(f"\r{self.name}: {self.count} records ({rate:,.0f}/s)")
            self.stream.flush()
            self.last = now
        elif not self.tty and now - self.last >= 5:
            self.stream.write(f"{self.name}: {self.count} records so far\n")
            self.stream.flush()
            self.last = now

    def done(self):
        if self.tty and self.count:
            self.stream.write(f"\r{self.name}: {self.count} records in {time.monotonic() - self.started:.1f}s\n")


def import_file(path: str, *, dry_run: bool = False, by=None, fmt: str | None = None, progress=None) -> FileReport:
    """Import one file in one transaction: any error anywhere, and nothing of it is written."""
    name = "<stdin>" if path == "-" else path
    report = FileReport(name=name)
    try:
        with transaction.atomic():
            _import_records(read_records(path, fmt=fmt), report, dry_run=dry_run, by=by, progress=progress)
            if report.errors or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    except SourceError as exc:
        report.errors.append(f"{name}: {exc}")
    if report.errors:
        # All or nothing: the records that were fine were not written either.
        report.created = report.updated = report.unchanged = 0
    return report


def _import_records(records, report: FileReport, *, dry_run, by, progress) -> None:
    seen: dict[str, str] = {}
    chunk: list[tuple[Record, dict]] = []

    def fail(record: Record, slug, path: str, message: str):
        label = f"{report.name}: {record.where}" + (f" (slug '{slug}')" if slug else "")
        report.errors.append(f"{label}: {path}: {message}" if path else f"{label}: {message}")

    def flush():
        if not chunk:
            return
        # Once the file has an error nothing more is written, but every record is still checked
        # against the workflow, so that one run reports all the file's errors.
        try:
            results = courses_upsert(
                records=[clean for _, clean in chunk], by=by, dry_run=dry_run or bool(report.errors)
            )
        except CatalogBatchError as exc:
            for index, error in sorted(exc.failures.items()):
                record, clean = chunk[index]
                _report_error(fail, record, clean["slug"], error)
                report.failed += 1
        else:
            for result in results:
                setattr(report, result.outcome, getattr(report, result.outcome) + 1)
                if dry_run:
                    report.changes.append(_describe(result))
        chunk.clear()

    for record in records:
        if progress:
            progress.tick()
        data = record.data
        slug = data.get("slug") if isinstance(data, dict) and isinstance(data.get("slug"), str) else None
        if isinstance(data, SourceError):
            fail(record, None, "", str(data))
            report.failed += 1
            continue
        try:
            clean = clean_record(data)
        except CatalogValidationError as exc:
            _report_error(fail, record, slug, exc)
            report.failed += 1
            continue
        if clean["slug"] in seen:
            fail(record, slug, "slug", f"the slug appears again in this file (first at {seen[clean['slug']]})")
            report.failed += 1
            continue
        seen[clean["slug"]] = record.where
        chunk.append((record, clean))
        if len(chunk) >= CHUNK:
            flush()
    flush()
    if progress:
        progress.done()


def _report_error(fail, record, slug, error: CatalogError) -> None:
    if isinstance(error, CatalogValidationError):
        for path, messages in error.errors.items():
            fail(record, slug, "" if path == "record" else path, " ".join(messages))
    else:
        fail(record, slug, "status" if isinstance(error, InvalidTransitionError) else "", error.message)


def _describe(result) -> str:
    if result.outcome == "updated":
        return f"would update {result.slug}: {'; '.join(result.changes)}"
    return f"would {'create' if result.outcome == 'created' else 'leave unchanged'} {result.slug}"


def is_json_lines(path: str) -> bool:
    return path.endswith((".jsonl", ".ndjson"))


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
