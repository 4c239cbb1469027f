"""Course files: reading them (JSON, JSON Lines, stdin) record by record, and writing them."""

import itertools
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import orjson

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
    raw: str | None = None  # the line as read (JSON Lines): what an unchanged record is recognised by
    index: int = 0  # its place among the file's records (0-based), set by the importer


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
                        yield from json_line_record(number, raw)
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
                yield from json_line_record(number, raw)
        else:
            text = "".join(_decode_whole(raw) if isinstance(raw, bytes) else raw for raw in lines)
            yield from self._document(text.removeprefix(BOM))

    def _document(self, text: str) -> Iterator[Record]:
        try:
            document = parse(text)
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


def json_line_record(number: int, raw) -> Iterator[Record]:
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
        data = parse(raw)
    except json.JSONDecodeError as exc:
        data = Unreadable(f" column {exc.colno}: invalid JSON: {exc.msg}")
    yield Record(where, data, number, raw)


def parse(text: str):
    """JSON text -> value: orjson (fast); whatever it refuses, the standard library decides (it accepts
    a little more, e.g. NaN and huge integers, and its error messages are the ones we report)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


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
