"""`import_courses PATH [PATH ...]`: upsert course files by slug, all or nothing per file."""

import argparse
import json

from django.core.management.base import BaseCommand, CommandError

from catalog import services
from catalog.errors import PruneRefusedError
from catalog.files.course_files import printable
from catalog.files.importing import KEPT, FileReport, Progress, import_file
from catalog.services.importing.imports import DEFAULT_SOURCE

COUNTS = ("created", "updated", "unchanged", "failed")


def percent(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"expected a percentage from 0 to 100 (e.g. 10 or 2.5), got '{text}'")
    return value


class Printable:
    """An output whose lines reach the terminal with control characters escaped: slugs, titles and
    messages come from files, and an escape sequence in one must not steer the operator's terminal."""

    def __init__(self, out):
        self.raw = out

    def write(self, msg="", style_func=None, ending=None):
        self.raw.write(printable(msg), style_func=style_func, ending=ending)

    def write_document(self, text: str):
        """A multi-line document (JSON, whose strings escape their own line breaks): line by line."""
        self.raw.write("\n".join(printable(line) for line in text.split("\n")))

    def __getattr__(self, name):
        return getattr(self.raw, name)


class Command(BaseCommand):
    help = (
        'Import courses from JSON ({"courses": [...]} or [...]) or JSON Lines (.jsonl) files; '
        "'-' reads standard input. Each file is written whole or not at all. See docs/import.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="a .json or .jsonl file, or - for standard input")
        parser.add_argument("--dry-run", action="store_true", help="report what would change per course; write nothing")
        parser.add_argument(
            "--plan", action="store_true", help="print in detail what would change per course; write nothing"
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="with --plan: print the plan as one JSON document"
        )
        parser.add_argument(
            "--format", choices=["json", "jsonl"], help="force the format (default: by extension; stdin: guessed)"
        )
        parser.add_argument(
            "--source",
            metavar="NAME",
            help=(
                "the name of what produced the files: its records follow the courses they created (through"
                f" editors' renames), and --prune goes by it (default: {DEFAULT_SOURCE}, which goes by slug only)"
            ),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="overwrite what editors changed since the last import too (an archived course stays archived)",
        )
        parser.add_argument(
            "--recreate",
            action="store_true",
            help="create again the courses of --source that an editor deleted (default: report and skip them)",
        )
        parser.add_argument(
            "--prune",
            action="store_true",
            help="archive the courses last imported from --source that are not in the files",
        )
        parser.add_argument(
            "--max-prune",
            type=percent,
            default=10.0,
            metavar="PERCENT",
            help="refuse to prune more than this share of the source's courses (default: 10)",
        )
        parser.add_argument("--report", metavar="FILE", help="also write every error to FILE as JSON Lines")

    def handle(self, *args, paths, dry_run, plan, as_json, format, source, force, recreate, prune, max_prune, report,
               **options):  # fmt: skip
        self.stdout, self.stderr = Printable(self.stdout), Printable(self.stderr)
        if as_json and not plan:
            raise CommandError("--json prints a plan: use it with --plan")
        if prune and not source:
            raise CommandError("--prune needs --source NAME: the source whose missing courses are archived")
        source = source or DEFAULT_SOURCE
        try:
            report_file = open(report, "w", encoding="utf-8") if report else None  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"--report {report}: cannot write: {exc.strerror or exc}") from exc
        try:
            self._import(
                paths, dry_run=dry_run or plan, plan=plan, as_json=as_json, fmt=format, source=source, force=force,
                recreate=recreate, prune=prune, max_prune=max_prune, report_file=report_file,
            )  # fmt: skip
        finally:
            if report_file:
                report_file.close()

    def _import(self, paths, *, dry_run, plan, as_json, fmt, source, force, recreate, prune, max_prune, report_file):
        totals = dict.fromkeys(COUNTS, 0)
        reports: list[FileReport] = []
        for path in paths:
            progress = Progress(self._progress_write, name="<stdin>" if path == "-" else path, tty=self.stderr.isatty())
            file_report = import_file(path, dry_run=dry_run, fmt=fmt, progress=progress, source=source, force=force,
                                      recreate=recreate)  # fmt: skip
            reports.append(file_report)
            self._show(file_report, dry_run=dry_run, plan=plan, as_json=as_json, report_file=report_file)
            for key in COUNTS:
                totals[key] += getattr(file_report, key)
        failed = [r.name for r in reports if not r.ok]
        pruned, refusal = self._prune(reports, source, max_prune, dry_run, report_file) if prune else (None, None)
        unpublished = [slug for r in reports for slug in r.unpublished]
        if as_json:
            self._print_json(reports, totals, source, pruned)
        else:
            if unpublished and not plan:
                self._print_unpublished(unpublished, dry_run)
            self.stdout.write(", ".join(f"{key} {totals[key]}" for key in COUNTS))
        if failed:
            raise CommandError(f"{len(failed)} of {len(paths)} file(s) failed: {', '.join(failed)}")
        if refusal:
            raise CommandError(refusal)

    def _show(self, report: FileReport, *, dry_run, plan, as_json, report_file) -> None:
        if plan and not as_json:
            self._print_plan(report)
        elif not plan:
            for line in (report.changes if dry_run else []) + report.kept + report.notes:
                self.stdout.write(line)
        for line in report.errors:
            self.stderr.write(line)
        if report_file:
            for problem in report.ordered_problems:
                report_file.write(json.dumps(problem.as_json(), ensure_ascii=False) + "\n")
        if not report.ok:
            self.stderr.write(f"{report.name}: nothing written ({len(report.errors)} error(s))")

    def _prune(self, reports, source, max_prune, dry_run, report_file):
        """(slugs archived or that would be, the refusal); nothing when a file failed."""
        if any(not r.ok for r in reports):
            self.stderr.write("not pruning: a file failed, so which courses it still has is unknown")
            return None, None
        keep = set().union(*(r.seen for r in reports))
        try:
            gone = services.courses_prune(source=source, keep=keep, max_percent=max_prune, dry_run=dry_run)
        except PruneRefusedError as exc:
            self.stderr.write(str(exc))
            if report_file:
                entry = dict.fromkeys(("file", "record", "line", "slug", "path")) | {"message": str(exc)}
                report_file.write(json.dumps(entry, ensure_ascii=False) + "\n")
            return None, str(exc)
        if gone:
            shown = ", ".join(gone[:10]) + (f" and {len(gone) - 10} more" if len(gone) > 10 else "")
            verb = "would archive" if dry_run else "archived"
            self.stderr.write(f"prune: {verb} {len(gone)} course(s) of source '{source}' not in the file(s): {shown}")
        return gone, None

    def _print_plan(self, report: FileReport) -> None:
        for course in report.courses:
            result = course.result
            if result.outcome == "unchanged" and not result.kept and not result.notes:
                continue
            self.stdout.write(f"{report.name}: {course.where} ({result.slug}): {_outcome(result.outcome)}")
            for change in result.changes:
                self.stdout.write(f"  {change.describe()}")
            for path in result.kept:
                self.stdout.write(f"  {path}: {KEPT}")
            for note in result.notes:
                self.stdout.write(f"  {note}")

    def _print_json(self, reports, totals, source, pruned) -> None:
        document = {
            "files": [
                {
                    "file": r.name,
                    "ok": r.ok,
                    **{key: getattr(r, key) for key in COUNTS},
                    "courses": [
                        c.as_json()
                        for c in r.courses
                        if c.result.outcome != "unchanged" or c.result.kept or c.result.notes
                    ],
                    "errors": [problem.as_json() for problem in r.ordered_problems],
                }
                for r in reports
            ],
            "prune": None if pruned is None else {"source": source, "archive": pruned},
            "summary": totals,
        }
        self.stdout.write_document(json.dumps(document, ensure_ascii=False, indent=2))

    def _print_unpublished(self, unpublished, dry_run) -> None:
        shown = ", ".join(unpublished[:10]) + (f" and {len(unpublished) - 10} more" if len(unpublished) > 10 else "")
        when = "would" if dry_run else "now"
        self.stdout.write(
            f"{len(unpublished)} published course(s) {when} have unpublished changes ({shown}): learners see "
            'them once published (in the admin, or import them with "status": "published")'
        )

    def _progress_write(self, text: str) -> None:
        # No added newline (the bar redraws itself with \r) and no error colouring.
        self.stderr.raw.write(text, style_func=str, ending="")
        self.stderr.flush()


def _outcome(outcome: str) -> str:
    return {"created": "create", "updated": "update", "unchanged": "no change"}[outcome]
