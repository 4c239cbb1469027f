"""Versions of a course for the admin (release n, `live`, `draft`) and their differences, made readable."""

from dataclasses import dataclass, field

from django.utils import timezone

from catalog import selectors
from catalog.domain import documents
from catalog.models import Course

FIELD_LABELS = {
    "slug": "Address (slug)",
    "title": "Title",
    "description": "Description",
    "topic": "Topic",
    "level": "Level",
    "language": "Language",
}
KIND_WORDS = {"added": "Added", "removed": "Removed", "changed": "Changed", "moved": "Moved"}


class VersionError(Exception):
    """A version that does not exist or cannot be named; the message says which."""


def live_number(course: Course) -> int | None:
    live = course.listings.filter(selectors.live_at(timezone.now()))
    return live.values_list("release__number", flat=True).first()


def version_document(course: Course, pick: str) -> dict:
    if pick == "draft":
        return selectors.version_of(course=course)
    if pick == "live":
        number = live_number(course)
        if number is None:
            raise VersionError(f"'{course.slug}' has no live release.")
        pick = str(number)
    if not (pick.isascii() and pick.isdigit() and len(pick) < 10):
        raise VersionError(f"'{pick[:40]}' is not a version: use a release number, live or draft.")
    release = course.releases.filter(number=int(pick)).first()
    if release is None:
        raise VersionError(f"'{course.slug}' has no release {pick}.")
    return selectors.version_of(course=course, release=release)


def version_label(course: Course, pick: str) -> str:
    if pick == "draft":
        return "the working copy (draft)"
    if pick == "live":
        return f"the live release ({live_number(course)})"
    return f"release {pick}"


def version_choices(course: Course) -> list[tuple[str, str]]:
    live = live_number(course)
    choices = [("draft", "Working copy (draft)")]
    if live is not None:
        choices.append(("live", f"Live (release {live})"))
    for number, created_at in course.releases.order_by("-number").values_list("number", "created_at"):
        marker = " (live)" if number == live else ""
        choices.append((str(number), f"Release {number}{marker}, {timezone.localtime(created_at):%Y-%m-%d %H:%M}"))
    return choices


@dataclass
class Comparison:
    old_label: str
    new_label: str
    fields: list = field(default_factory=list)  # (label, before, after, text diff or None)
    units: list = field(default_factory=list)  # (kind word, title, detail)
    modules: list = field(default_factory=list)  # (kind word, title, detail, text diff or None)

    @property
    def empty(self) -> bool:
        return not (self.fields or self.units or self.modules)


def comparison(course: Course, old: str, new: str) -> Comparison:
    """What changed from version `old` to `new`, grouped for reading (raises VersionError)."""
    before, after = version_document(course, old), version_document(course, new)
    result = Comparison(version_label(course, old), version_label(course, new))
    for change in documents.diff(before, after):
        kind, what, name = change["kind"], change["what"], change["field"]
        if what == "course":
            long = name == "description"
            lines = documents.text_diff(change["from"], change["to"]) if long else None
            result.fields.append((FIELD_LABELS.get(name, name), change["from"], change["to"], lines))
        elif what == "unit":
            result.units.append((KIND_WORDS[kind], change["title"], _detail(change)))
        elif name == "content":
            lines = documents.text_diff(change["from"], change["to"])
            result.modules.append(("Changed the content of", change["title"], "", lines))
        else:
            result.modules.append((KIND_WORDS[kind], change["title"], _detail(change), None))
    return result


def _detail(change) -> str:
    kind, name, old, new = change["kind"], change["field"], change["from"], change["to"]
    if change["what"] == "unit":
        if kind == "added":
            return f"as unit {new}"
        if kind == "moved":
            return f"from position {old} to {new}"
        if kind == "changed":
            return f"title '{old}' → '{new}'"
        return ""
    if kind == "added":
        return f"in unit '{new}'"
    if kind == "removed":
        return f"from unit '{old}'"
    if kind == "moved" and name == "unit":
        return f"from unit '{old}' to unit '{new}'"
    if kind == "moved":
        return f"from position {old} to {new} in its unit"
    if name == "title":
        return f"title '{old}' → '{new}'"
    if name == "minutes":
        return f"minutes {'not set' if old is None else old} → {'not set' if new is None else new}"
    return ""
