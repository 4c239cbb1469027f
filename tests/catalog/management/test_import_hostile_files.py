"""A hostile import file is reported like any other bad line: never a traceback, never raw control
characters on the operator's terminal, never a line of many megabytes held in memory whole."""

import io
import json
import sys

import pytest

from catalog.domain import limits
from catalog.models import Course
from tests.helpers.commands import course, run, write_json, write_jsonl

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

HOSTILE_LINES = {
    "nested": "[" * 100_000,
    "nested-object": '{"a":' * 50_000,
    "long-number": '{"slug": "n", "title": "T", "topic": "x", "units": ' + "9" * 5_000 + "}",
    "long-float": "1" * 5_000 + "." + "1" * 5_000,
}


@pytest.mark.parametrize("name", HOSTILE_LINES)
def test_a_line_neither_parser_can_read_is_a_line_error(tmp_path, name):
    path = write_jsonl(tmp_path, [course("fine"), HOSTILE_LINES[name], course("other")])
    code, out, err = run("import_courses", path)
    assert code == 1 and "Traceback" not in err
    assert len([e for e in err.splitlines() if ": line 2" in e]) == 1  # a line error like any other
    assert out.strip().endswith("failed 1")
    assert not Course.objects.exists()


@pytest.mark.parametrize("name", ["nested", "long-number"])
def test_the_same_in_a_json_document(tmp_path, name):
    path = tmp_path / "hostile.json"
    path.write_text(HOSTILE_LINES[name])
    code, _out, err = run("import_courses", str(path))
    assert code == 1 and "Traceback" not in err and "invalid JSON" in err


def test_a_line_over_the_record_limit_is_refused_without_reading_it_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_RECORD_BYTES", 1000)
    from catalog.files import course_files

    monkeypatch.setattr(course_files, "MAX_RECORD_BYTES", 1000)
    big = json.dumps(course("big", description="x" * 5000))
    path = write_jsonl(tmp_path, [course("fine"), big, course("other")])
    code, out, err = run("import_courses", path)
    assert code == 1
    (line,) = [e for e in err.splitlines() if ": line 2" in e]
    assert "longer than the limit of 1000 bytes" in line
    assert "xxxx" not in err and out.strip().endswith("failed 1")


def test_a_record_over_the_limit_in_a_json_document(tmp_path, monkeypatch):
    from catalog.files import course_files

    monkeypatch.setattr(course_files, "MAX_RECORD_BYTES", 1000)
    path = write_json(tmp_path, [course("fine"), course("big", description="x" * 5000)])
    code, _out, err = run("import_courses", path)
    assert code == 1 and "record 1: the record is larger than the limit of 1000 bytes" in err


def test_a_long_line_on_standard_input(monkeypatch):
    from catalog.files import course_files

    monkeypatch.setattr(course_files, "MAX_RECORD_BYTES", 1000)
    text = json.dumps(course("fine")) + "\n" + json.dumps(course("big", description="x" * 5000)) + "\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    code, _out, err = run("import_courses", "-")
    assert code == 1 and "<stdin>: line 2" in err and "longer than the limit" in err


ESCAPES = "\x1b]0;owned\x07\x1b[2J\r\x9b31m\u202e"
CONTROLS = "\x1b\x07\r\x9b\u202e"


def test_nothing_from_a_file_reaches_the_terminal_unescaped(tmp_path):
    lines = [
        course("fine", title="Fine"),
        {**course(f"bad{ESCAPES}"), "title": f"T{ESCAPES}"},
        {**course("other"), f"colour{ESCAPES}": 1},
        f'{{"slug": "x{ESCAPES}", ' + '"broken"',
    ]
    path = write_jsonl(tmp_path, lines)
    for args in ((path,), (path, "--plan"), (path, "--plan", "--json"), (path, "--dry-run")):
        code, out, err = run("import_courses", *args)
        assert code == 1
        for char in CONTROLS:
            assert char not in out + err, (args, repr(char))
        assert "\\u001b" in err  # still there to read, escaped


def test_a_plan_of_titles_with_escapes_is_escaped_and_stays_json(tmp_path):
    path = write_jsonl(tmp_path, [course("fine", title=f"Fine{ESCAPES}")])
    code, out, _err = run("import_courses", path, "--plan", "--json")
    assert code == 0 and not any(char in out for char in CONTROLS)
    assert json.loads(out)["files"][0]["courses"][0]["changes"] is not None
