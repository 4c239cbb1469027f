"""Course documents: a course's content as plain data, what learners are served of it, and diffs.

A document is {"title", "description", "topic", "level", "language", "units": [{"id", "title",
"order", "modules": [{"id", "title", "order", "content", "minutes"}]}]}: the working copy, or a
release, with ids (learners address modules by id) and without the slug (an address, not content).
Everything here is pure: no database.
"""

import datetime as dt
import difflib
import hashlib

import orjson

CONTENT_FIELDS = ("title", "description", "topic", "level", "language")
MODULE_FIELDS = ("title", "content", "minutes")
# Releases made before level, language and minutes existed were given these by migration 0014.
DEFAULTS = {"level": None, "language": "en"}


def dumps(value) -> str:
    """Compact JSON, as the API renders it (UTF-8, no spaces)."""
    return orjson.dumps(value).decode()


def loads(text: str):
    return orjson.loads(text)


def fingerprint(document: dict) -> str:
    return hashlib.sha256(orjson.dumps(document, option=orjson.OPT_SORT_KEYS)).hexdigest()


def timestamp(value: dt.datetime | None) -> str | None:
    """A datetime as the API writes it (ISO 8601 in UTC, "Z"), like DRF's DateTimeField."""
    if value is None:
        return None
    text = value.astimezone(dt.UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def counts(document: dict) -> tuple[int, int]:
    units = document["units"]
    return len(units), sum(len(u["modules"]) for u in units)


def duration(document: dict) -> int | None:
    """The sum of the modules' minutes; None when no module's is known."""
    known = [m["minutes"] for u in document["units"] for m in u["modules"] if m.get("minutes") is not None]
    return sum(known) if known else None


def summary(document: dict, *, course_id, slug, status, published_at, created_at, updated_at) -> dict:
    """The list entry of a course (see the contract's summary), from its document."""
    unit_count, module_count = counts(document)
    return {
        "id": course_id,
        "slug": slug,
        "title": document["title"],
        "description": document["description"],
        "topic": document["topic"],
        "status": status,
        "published_at": timestamp(published_at),
        "created_at": timestamp(created_at),
        "updated_at": timestamp(updated_at),
        "unit_count": unit_count,
        "module_count": module_count,
        "level": document.get("level"),
        "language": document.get("language", DEFAULTS["language"]),
        "duration_minutes": duration(document),
    }


def detail(document: dict, **summary_fields) -> dict:
    """The summary plus the ordered tree, module content left out (it has its own endpoint)."""
    return {
        **summary(document, **summary_fields),
        "units": [
            {
                "id": u["id"],
                "title": u["title"],
                "order": u["order"],
                "modules": [{"id": m["id"], "title": m["title"], "order": m["order"]} for m in u["modules"]],
            }
            for u in document["units"]
        ],
    }


def module_page(document: dict, module_id: int) -> dict | None:
    """One module with its content, its unit and its neighbours in course order; None if absent."""
    flat = [(u, m) for u in document["units"] for m in u["modules"]]
    for i, (unit, module) in enumerate(flat):
        if module["id"] == module_id:
            return {
                "id": module["id"],
                "title": module["title"],
                "order": module["order"],
                "content": module["content"],
                "minutes": module.get("minutes"),
                "unit": {"id": unit["id"], "title": unit["title"], "order": unit["order"]},
                "previous": flat[i - 1][1]["id"] if i > 0 else None,
                "next": flat[i + 1][1]["id"] if i + 1 < len(flat) else None,
            }
    return None


def titles(document: dict) -> tuple[str, str]:
    """(unit titles, module titles), space-separated: what search needs of the tree."""
    units = document["units"]
    return " ".join(u["title"] for u in units), " ".join(m["title"] for u in units for m in u["modules"])


def search_parts(document: dict) -> tuple[str, str, str]:
    """(unit titles, module titles, module content): what search needs of the tree, weighted apart."""
    units = document["units"]
    content = " ".join(m.get("content") or "" for u in units for m in u["modules"])
    return *titles(document), content


def publish_shape(document: dict) -> list[tuple[str, int]]:
    """(unit title, module count) in order, for the publish rule."""
    return [(u["title"], len(u["modules"])) for u in document["units"]]


# --- diff -----------------------------------------------------------------------------------------


def diff(old: dict, new: dict) -> list[dict]:
    """What changed from `old` to `new`: course fields; units and modules added, removed, renamed,
    moved; module content. Each change is {"kind", "what", "title", "field", "from", "to"}."""
    # The slug is part of a release but kept beside its document: compared when both versions name it.
    fields = ("slug", *CONTENT_FIELDS) if "slug" in old and "slug" in new else CONTENT_FIELDS
    changes = [
        _change(
            "changed",
            "course",
            new["title"],
            name,
            old.get(name, DEFAULTS.get(name)),
            new.get(name, DEFAULTS.get(name)),
        )
        for name in fields
        if old.get(name, DEFAULTS.get(name)) != new.get(name, DEFAULTS.get(name))
    ]
    old_units, new_units = _by_id(old["units"]), _by_id(new["units"])
    changes += _diff_rows("unit", old_units, new_units)
    old_modules = {m["id"]: (m, u) for u in old["units"] for m in u["modules"]}
    new_modules = {m["id"]: (m, u) for u in new["units"] for m in u["modules"]}
    changes += _diff_modules(old_modules, new_modules)
    return changes


def _by_id(rows):
    return {row["id"]: row for row in rows}


def _change(kind, what, title, field=None, before=None, after=None) -> dict:
    return {"kind": kind, "what": what, "title": title, "field": field, "from": before, "to": after}


def _diff_rows(what, old, new) -> list[dict]:
    changes = [_change("removed", what, row["title"]) for pk, row in old.items() if pk not in new]
    for pk, row in new.items():
        before = old.get(pk)
        if before is None:
            changes.append(_change("added", what, row["title"], "order", None, row["order"]))
            continue
        if before["title"] != row["title"]:
            changes.append(_change("changed", what, row["title"], "title", before["title"], row["title"]))
        if before["order"] != row["order"]:
            changes.append(_change("moved", what, row["title"], "order", before["order"], row["order"]))
    return changes


def _diff_modules(old, new) -> list[dict]:
    changes = [
        _change("removed", "module", m["title"], "unit", u["title"], None)
        for pk, (m, u) in old.items()
        if pk not in new
    ]
    for pk, (module, unit) in new.items():
        if pk not in old:
            changes.append(_change("added", "module", module["title"], "unit", None, unit["title"]))
            continue
        before, before_unit = old[pk]
        if before["title"] != module["title"]:
            changes.append(_change("changed", "module", module["title"], "title", before["title"], module["title"]))
        if before_unit["id"] != unit["id"]:
            changes.append(_change("moved", "module", module["title"], "unit", before_unit["title"], unit["title"]))
        elif before["order"] != module["order"]:
            changes.append(_change("moved", "module", module["title"], "order", before["order"], module["order"]))
        if before["content"] != module["content"]:
            changes.append(
                _change("changed", "module", module["title"], "content", before["content"], module["content"])
            )
        if before.get("minutes") != module.get("minutes"):
            changes.append(
                _change("changed", "module", module["title"], "minutes", before.get("minutes"), module.get("minutes"))
            )
    return changes


def text_diff(before: str, after: str) -> list[tuple[str, str]]:
    """Line by line: (" " kept, "-" removed, "+" added, line), for showing module content changes."""
    lines = difflib.ndiff((before or "").splitlines(), (after or "").splitlines())
    return [(line[0], line[2:]) for line in lines if line[:1] in (" ", "-", "+")]
