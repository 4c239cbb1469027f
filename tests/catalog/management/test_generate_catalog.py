"""generate_catalog: deterministic for a seed, JSON or JSON Lines, plausible and importable, no database."""

import collections
import json

import pytest

from catalog.domain.records import clean_record
from catalog.domain.workflow import publish_refusal
from catalog.files.catalog_generator import generate
from tests.helpers.commands import run, run_import

pytestmark = [pytest.mark.embedded]


def generate_file(path, *args):
    code, out, err = run("generate_catalog", *args, "-o", str(path))
    assert code == 0, err
    return path


def read(path):
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text().splitlines()]
    return json.loads(path.read_text())["courses"]


# No django_db mark: any query here would fail the test, which is the point (it needs no database).
class TestGenerateCatalog:
    @pytest.mark.parametrize("name", ["a.jsonl", "a.json"])
    def test_same_seed_same_bytes(self, tmp_path, name):
        first = generate_file(tmp_path / name, "--courses", "40", "--seed", "7")
        second = generate_file(tmp_path / f"again-{name}", "--courses", "40", "--seed", "7")
        other = generate_file(tmp_path / f"other-{name}", "--courses", "40", "--seed", "8")
        assert first.read_bytes() == second.read_bytes()
        assert other.read_bytes() != first.read_bytes()

    def test_json_lines_by_extension(self, tmp_path):
        lines = generate_file(tmp_path / "c.jsonl", "--courses", "3").read_text().splitlines()
        assert len(lines) == 3 and all(json.loads(line)["slug"] for line in lines)
        assert set(json.loads((generate_file(tmp_path / "c.json", "--courses", "3")).read_text())) == {"courses"}

    def test_exact_tree_sizes(self, tmp_path):
        records = read(generate_file(tmp_path / "c.jsonl", "--courses", "25", "--units", "8", "--modules", "6"))
        assert [len(r["units"]) for r in records] == [8] * 25
        assert {len(u["modules"]) for r in records for u in r["units"]} == {6}

    def test_records_are_valid_varied_and_publishable(self):
        records = list(generate(courses=1000, seed=3))
        for record in records:
            clean_record(record)  # raises on any schema error
            if record["status"] != "draft":
                units = [(u["title"], len(u["modules"])) for u in record["units"]]
                assert publish_refusal(record["slug"], units) is None, record["slug"]
        statuses = collections.Counter(r["status"] for r in records)
        assert statuses["published"] > 700 and statuses["draft"] > 60 and statuses["archived"] > 30
        assert len({r["topic"] for r in records}) >= 6
        assert len({r["title"] for r in records}) > 100 and len({r["description"] for r in records}) > 500
        assert len({r["slug"] for r in records}) == 1000

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--courses", "-1"], "--courses must be 0 or more"),
            (["--courses", "3", "--units", "0"], "--units must be 1 or more"),
            (["--courses", "3", "--modules", "0"], "--modules must be 1 or more"),
        ],
    )
    def test_bad_sizes(self, tmp_path, args, message):
        code, _, err = run("generate_catalog", *args, "-o", str(tmp_path / "x.json"))
        assert code == 1 and message in err


@pytest.mark.django_db
def test_a_generated_catalog_imports_cleanly_and_again_unchanged(tmp_path):
    path = str(generate_file(tmp_path / "c.jsonl", "--courses", "60", "--seed", "5"))
    assert run_import(path)[:2] == (0, "created 60, updated 0, unchanged 0, failed 0\n")
    assert run_import(path)[:2] == (0, "created 0, updated 0, unchanged 60, failed 0\n")
