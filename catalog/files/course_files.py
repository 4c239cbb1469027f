"""Course files: reading them (JSON, JSON Lines, stdin) record by record, and writing them."""

import itertools
import json
import os
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import orjson

from catalog.domain.limits import MAX_RECORD_BYTES

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
                    for number, raw in enumerate(bounded_lines(handle), start=1):
                        done += raw.size if isinstance(raw, TooLong) else len(raw)
                        self.fraction = done / size if size else None
                        yield from json_line_record(number, raw)
                else:
                    yield from self._document(_decode_whole(handle.read()))
            except OSError as exc:
                raise SourceError(f"cannot read: {exc.strerror or exc}") from exc

    def _stdin(self) -> Iterator[Record]:
        stream = getattr(sys.stdin, "buffer", sys.stdin)
        lines = bounded_lines(stream)
        # Peek at the first line that is not blank to tell the formats apart without reading
        # everything, so that JSON Lines on a pipe is streamed like a file.
        head = []
        for line in lines:
            head.append(line)
            if isinstance(line, TooLong) or line.strip():
                break
        fmt = self.fmt or _guess_format(head[-1] if head and not isinstance(head[-1], TooLong) else "")
        lines = itertools.chain(head, lines)
        if fmt == "jsonl":
            for number, raw in enumerate(lines, start=1):
                yield from json_line_record(number, raw)
        else:
            if any(isinstance(raw, TooLong) for raw in head):
                raise SourceError(TOO_LONG.format(limit=MAX_RECORD_BYTES))
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
            if _too_big(item):
                item = Unreadable(f": the record is larger than the limit of {MAX_RECORD_BYTES} bytes (as JSON)")
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
    if isinstance(raw, TooLong):
        yield Record(where, Unreadable(": " + TOO_LONG.format(limit=MAX_RECORD_BYTES)), number)
        return
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
    a little more, e.g. NaN and big integers, and its error messages are the ones we report). What
    neither can take (nesting thousands deep, a number thousands of digits long) is a JSONDecodeError
    like any other, never a RecursionError or ValueError that would end the import in a traceback."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text, 0) from None
    except ValueError as exc:  # e.g. "Exceeds the limit (4300 digits) for integer string conversion"
        raise json.JSONDecodeError(f"a value that cannot be read ({str(exc)[:80]})", text, 0) from None


TOO_LONG = "the line is longer than the limit of {limit} bytes for one record"


@dataclass
class TooLong:
    """Stands in for a line over MAX_RECORD_BYTES: it was skipped, never held in memory whole."""

    size: int


def bounded_lines(stream, limit: int | None = None) -> Iterator:
    """The lines of a binary stream, each at most `limit` bytes; a longer one is read past in pieces
    and given as TooLong (a line of many megabytes is an error of that line, not a memory spike)."""
    limit = limit or MAX_RECORD_BYTES
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or line.endswith(b"\n"):  # the line break is not part of the record
            yield line
            continue
        size = len(line)
        while not line.endswith(b"\n"):
            line = stream.readline(1024 * 1024)
            if not line:
                break
            size += len(line)
        yield TooLong(size)


def _too_big(item) -> bool:
    """Whether a record of a JSON document is over the limit as compact JSON (cheap for small ones)."""
    try:
        return len(orjson.dumps(item)) > MAX_RECORD_BYTES
    except (orjson.JSONEncodeError, TypeError):  # e.g. an integer orjson cannot write: not big
        return False


# Control and formatting characters (ESC, CR, C1 controls, bidirectional overrides, …) that would
# steer an operator's terminal: escaped in everything the import prints.
_UNPRINTABLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def printable(text: str) -> str:
    """`text` with every control or formatting character written as a JSON-style \\uXXXX escape."""
    if text.isprintable():
        return text
    out = []
    for char in text:
        if unicodedata.category(char) in _UNPRINTABLE:
            code = ord(char)
            if code > 0xFFFF:
                code -= 0x10000
                out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
            else:
                out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


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
