"""Re-imports that respect editors: a three-way merge of a course with what its last import wrote.

Three versions of a course meet when a course is imported again: base, what the last import
wrote (ImportState.parts); ours, the working copy now, which an editor may have changed since; and
theirs, the new record. Where ours differs from base an editor changed it, and theirs does not
overwrite it (unless the import is forced); every such place is reported as kept. What an import
remembers is always theirs, so a kept change stays kept at the next import of the same record, and
is given up only when the editor makes it equal to what the import says.

Granularity: each course field (title, description, topic, and status when the record says one;
level, language and module minutes are the record's: the generator owns them);
in the tree, each unit's title and each module's title and content, told apart by the ids of the
rows the import wrote. An edited unit or module that the new record drops stays (after the
record's items). When an editor changed the tree's shape (added, removed or reordered units or
modules), ids no longer line up with what was written and the whole tree is the editor's.
"""

import zlib
from dataclasses import dataclass, field

from catalog.services.importing.planning import match

FIELDS = ("title", "description", "topic")
VERSION = 3
EDITED = -1  # the remembered hash of an item kept from the editor: it never equals a real one


def text_hash(text: str) -> int:
    """Enough to tell an edit (a 32-bit checksum: one edit in four billion would go unnoticed)."""
    return zlib.crc32(text.encode())


def tree_of(units, modules_of) -> list[dict]:
    """The working copy's tree in record form."""
    return [{"title": u.title, "modules": [_module(m) for m in modules_of.get(u.pk, [])]} for u in units]


def _module(row) -> dict:
    return {"title": row.title, "content": row.content, "minutes": row.minutes}


def item_hashes(units: list[dict]) -> list:
    """[[unit title hash, [[module title hash, content hash], ...]], ...], in order."""
    crc = zlib.crc32
    return [
        [crc(u["title"].encode()), [[crc(m["title"].encode()), crc(m["content"].encode())] for m in u["modules"]]]
        for u in units
    ]


def tree_hash(units: list[dict], items: list | None = None) -> int:
    """Of the whole tree: its titles, contents and shape (from its item hashes, when known)."""
    return text_hash(repr(item_hashes(units) if items is None else items))


def remembered(record: dict, *, items: list | None = ..., status=...) -> dict:
    """What an import remembers of writing `record` (the tree's ids are added once they exist)."""
    written = item_hashes(record["units"])
    return {
        "v": VERSION,
        **{name: text_hash(record[name]) for name in FIELDS},
        "status": record.get("status") if status is ... else status,
        "units": tree_hash(record["units"], written),
        "items": written if items is ... else items,
    }


def with_ids(parts: dict, unit_ids: list[int], module_ids: dict[int, list[int]]) -> dict:
    """Attach the ids of the rows written (in order) to the remembered item hashes: the "tree"."""
    items = parts.pop("items")
    if items is None or len(items) != len(unit_ids):
        parts["tree"] = None
        return parts
    tree = []
    for (unit_hash, modules), unit_id in zip(items, unit_ids, strict=True):
        ids = module_ids.get(unit_id, [])
        if len(ids) != len(modules):
            parts["tree"] = None
            return parts
        tree.append([unit_id, unit_hash, [[m_id, *hashes] for m_id, hashes in zip(ids, modules, strict=True)]])
    parts["tree"] = tree
    return parts


@dataclass
class Merge:
    record: dict  # what to write: theirs, with the editor's changes in place
    remember: dict  # what to remember as written (see remembered)
    kept: list[str] = field(default_factory=list)  # where the editor's change was kept, as field paths


def merge(theirs: dict, course, units: list, modules_of, base: dict | None) -> Merge:
    """Theirs, with what an editor changed in `course` since `base` was written kept."""
    if course is None or not base or base.get("v") != VERSION:
        return Merge(theirs, remembered(theirs))
    record, kept = dict(theirs), []
    for name in FIELDS:
        ours = getattr(course, name)
        if text_hash(ours) != base[name] and theirs[name] != ours:
            record[name] = ours
            kept.append(name)
    said = theirs.get("status")
    if said and base["status"] and course.status != base["status"] and said != course.status:
        record["status"] = course.status
        kept.append("status")

    ours_tree = tree_of(units, modules_of)
    items = ...
    ours_hash = tree_hash(ours_tree)
    if ours_hash != base["units"] and ours_hash != tree_hash(theirs["units"]):
        if _same_shape(units, modules_of, base.get("tree")):
            record["units"], items, kept_items = _merge_items(theirs["units"], units, modules_of, base["tree"])
            kept += kept_items
        else:
            record["units"], items = ours_tree, None
            kept.append("units")
    return Merge(record, remembered(theirs, items=items, status=said), kept)


def _same_shape(units, modules_of, tree) -> bool:
    if tree is None:
        return False
    shape = [[u.pk, [m.pk for m in modules_of.get(u.pk, [])]] for u in units]
    return shape == [[unit_id, [m[0] for m in modules]] for unit_id, _, modules in tree]


def _merge_items(theirs_units: list[dict], units: list, modules_of, tree) -> tuple[list, list, list]:
    """Theirs' tree with the editor's unit titles and module titles and contents in place."""
    unit_base = {unit_id: unit_hash for unit_id, unit_hash, _ in tree}
    module_base = {m_id: dict(title=title, content=content) for _, _, ms in tree for m_id, title, content in ms}

    def edited_module(row) -> set[str]:
        return {name for name, h in module_base[row.pk].items() if text_hash(getattr(row, name)) != h}

    merged, hashes, kept = [], [], []
    paired, dropped_units = match(units, theirs_units)
    for i, (wanted, row) in enumerate(zip(theirs_units, paired, strict=True)):
        unit = {"title": wanted["title"], "modules": []}
        if row is not None and text_hash(row.title) != unit_base[row.pk] and row.title != wanted["title"]:
            unit["title"] = row.title
            kept.append(f"units[{i}].title")
        module_hashes = []
        rows = modules_of.get(row.pk, []) if row is not None else []
        paired_modules, dropped = match(rows, wanted["modules"])
        for j, (wanted_module, module_row) in enumerate(zip(wanted["modules"], paired_modules, strict=True)):
            module = dict(wanted_module)
            for name in sorted(edited_module(module_row)) if module_row is not None else ():
                if getattr(module_row, name) != wanted_module[name]:
                    module[name] = getattr(module_row, name)
                    kept.append(f"units[{i}].modules[{j}].{name}")
            unit["modules"].append(module)
            module_hashes.append([text_hash(wanted_module["title"]), text_hash(wanted_module["content"])])
        for module_row in dropped:
            if edited_module(module_row):
                kept.append(f"units[{i}].modules[{len(unit['modules'])}]")
                unit["modules"].append(_module(module_row))
                module_hashes.append([EDITED, EDITED])
        merged.append(unit)
        hashes.append([text_hash(wanted["title"]), module_hashes])
    for row in dropped_units:
        rows = modules_of.get(row.pk, [])
        if text_hash(row.title) != unit_base[row.pk] or any(edited_module(m) for m in rows):
            kept.append(f"units[{len(merged)}]")
            merged.append({"title": row.title, "modules": [_module(m) for m in rows]})
            hashes.append([EDITED, [[EDITED, EDITED] for _ in rows]])
    return merged, hashes, kept
