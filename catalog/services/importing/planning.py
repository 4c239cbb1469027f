"""Planning an upsert: what each record changes in the working copy and the workflow; no writes.

Units and modules are matched by title first, then by position, so a reorder keeps their ids.
"""

from collections import defaultdict, deque
from dataclasses import dataclass, field

from catalog.domain import workflow
from catalog.errors import InvalidTransitionError
from catalog.models import Course, Module, Unit

Status = Course.Status


@dataclass(frozen=True)
class Change:
    """One thing an upsert changes. `path` is a field path of the record ("title", "units[0]",
    "units[0].modules[1].content"); `change` is changed, added, removed, renamed, moved or status."""

    path: str
    change: str
    before: object = None
    after: object = None

    def __str__(self) -> str:
        """The short form (`import_courses --dry-run`)."""
        return {
            "added": f"{self.path} added",
            "removed": f"{self.path}: '{self.before}' removed",
            "renamed": f"{self.path}.title",
            "moved": f"{self.path} moved from {self.before} to {self.after}",
            "status": f"status: {self.before} -> {self.after}" if self.before != self.after else "publish changes",
        }.get(self.change, self.path)

    def describe(self) -> str:
        """The long form (`import_courses --plan`)."""
        if self.change == "changed":
            shown = self.path.rsplit(".", 1)[-1] in ("title", "topic", "level", "language", "minutes")
            return f"{self.path}: {self.before!r} -> {self.after!r}" if shown else f"{self.path}: changed"
        return {
            "added": f"{self.path}: added {self.after!r}",
            "removed": f"{self.path}: removed {self.before!r}",
            "renamed": f"{self.path}: renamed {self.before!r} -> {self.after!r}",
            "moved": f"{self.path}: moved from {self.before} to {self.after}",
            "status": f"status: {self.before} -> {self.after}"
            if self.before != self.after
            else f"status: {self.after} (publishes the changes)",
        }[self.change]

    def as_json(self) -> dict:
        return {"path": self.path, "change": self.change, "from": self.before, "to": self.after}


@dataclass
class UpsertResult:
    slug: str
    outcome: str  # "created", "updated" or "unchanged"
    changes: list[Change] = field(default_factory=list)
    course: Course | None = None
    # True when this write changed the working copy of a published course and left that unpublished.
    unpublished_changes: bool = False
    kept: list[str] = field(default_factory=list)  # imports: where an editor's change was kept (field paths)
    notes: list[str] = field(default_factory=list)  # imports: what else happened to the record, as people read it
    remember: dict | None = field(default=None, repr=False)  # imports: what to remember as written
    # New courses written in bulk: the ids of their units, each with the ids of its modules, in order.
    tree_ids: list | None = field(default=None, repr=False)


@dataclass
class Plan:
    record: dict
    course: Course | None
    result: UpsertResult
    live_fingerprint: str | None = None  # the live release's, when there is one
    course_values: dict = field(default_factory=dict)
    action: str | None = None
    unit_deletes: list = field(default_factory=list)
    unit_rows: list = field(default_factory=list)  # final order: existing Unit or new Unit
    unit_updates: list = field(default_factory=list)
    module_deletes: list = field(default_factory=list)
    module_rows: dict = field(default_factory=dict)  # id(unit row) -> final list of Module rows
    module_updates: list = field(default_factory=list)
    working_changed: bool = False

    @property
    def changed(self) -> bool:
        return self.result.outcome != "unchanged"


def match(existing: list, wanted: list[dict]) -> tuple[list, list]:
    """Pair wanted items with existing rows: same title first, then the rest in order."""
    by_title = defaultdict(deque)
    for row in existing:
        by_title[row.title].append(row)
    paired = [by_title[w["title"]].popleft() if by_title.get(w["title"]) else None for w in wanted]
    used = {id(row) for row in paired if row is not None}
    leftovers = deque(row for row in existing if id(row) not in used)
    paired = [row if row is not None else (leftovers.popleft() if leftovers else None) for row in paired]
    return paired, list(leftovers)


def plan_record(record: dict, course: Course | None, units: list, modules_of, *, live_fingerprint=None) -> Plan:
    result = UpsertResult(slug=record["slug"], outcome="created" if course is None else "unchanged", course=course)
    plan = Plan(record=record, course=course, result=result, live_fingerprint=live_fingerprint)
    _plan_fields(plan)
    _plan_units(plan, units, modules_of)
    plan.working_changed = course is None or bool(result.changes)
    _plan_status(plan)
    # For dry runs (applying knows exactly): this write leaves changes that learners do not see yet.
    result.unpublished_changes = plan.action is None and live_fingerprint is not None and plan.working_changed
    if course is not None and result.changes:
        result.outcome = "updated"
    return plan


def _plan_fields(plan: Plan) -> None:
    for name in ("title", "description", "topic", "level", "language"):
        if plan.course is None or getattr(plan.course, name) != plan.record[name]:
            plan.course_values[name] = plan.record[name]
            if plan.course is not None:
                plan.result.changes.append(Change(name, "changed", getattr(plan.course, name), plan.record[name]))


def _plan_units(plan: Plan, units: list, modules_of) -> None:
    changes = plan.result.changes
    wanted_units = plan.record["units"]
    paired, plan.unit_deletes = match(units, wanted_units)
    changes.extend(Change("units", "removed", row.title) for row in plan.unit_deletes)
    for position, (wanted, row) in enumerate(zip(wanted_units, paired, strict=True), start=1):
        path = f"units[{position - 1}]"
        if row is None:
            row = Unit(title=wanted["title"], order=position)
            if plan.course is not None:
                changes.append(Change(path, "added", after=wanted["title"]))
        else:
            dirty = []
            if row.title != wanted["title"]:
                dirty.append("title")
                changes.append(Change(path, "renamed", row.title, wanted["title"]))
            if row.order != position:
                dirty.append("order")
                changes.append(Change(path, "moved", row.order, position))
            if dirty:
                plan.unit_updates.append((row, wanted["title"]))
        plan.unit_rows.append(row)
        existing_modules = modules_of.get(row.pk, []) if row.pk else []
        plan.module_rows[id(row)] = _plan_modules(plan, path, row, existing_modules, wanted["modules"])
    plan.course_values["unit_count"] = len(wanted_units)
    plan.course_values["module_count"] = sum(len(rows) for rows in plan.module_rows.values())


def _plan_modules(plan: Plan, path: str, unit: Unit, existing: list, wanted_modules: list) -> list:
    changes = plan.result.changes
    paired, deletes = match(existing, wanted_modules)
    plan.module_deletes.extend(deletes)
    changes.extend(Change(f"{path}.modules", "removed", m.title) for m in deletes)
    rows = []
    for position, (wanted, row) in enumerate(zip(wanted_modules, paired, strict=True), start=1):
        m_path = f"{path}.modules[{position - 1}]"
        if row is None:
            row = Module(title=wanted["title"], content=wanted["content"], minutes=wanted["minutes"], order=position)
            if unit.pk:
                changes.append(Change(m_path, "added", after=wanted["title"]))
        else:
            dirty = [n for n in ("title", "content", "minutes") if getattr(row, n) != wanted[n]]
            if "title" in dirty:
                changes.append(Change(m_path, "renamed", row.title, wanted["title"]))
            if "content" in dirty:
                changes.append(Change(f"{m_path}.content", "changed", row.content, wanted["content"]))
            if "minutes" in dirty:
                changes.append(Change(f"{m_path}.minutes", "changed", row.minutes, wanted["minutes"]))
            if row.order != position:
                dirty.append("order")
                changes.append(Change(m_path, "moved", row.order, position))
            if dirty:
                plan.module_updates.append((row, wanted))
        rows.append(row)
    return rows


def _plan_status(plan: Plan) -> None:
    """The workflow move the record asks for; "published" publishes the result when it differs from
    what learners see (a new course, a changed working copy, or changes waiting from before)."""
    slug = plan.record["slug"]
    current = plan.course.status if plan.course else Status.DRAFT
    said = plan.record.get("status")  # none said: the status stays, and changes wait in the working copy
    target = said or current
    plan.course_values["status"] = target
    if target == current and not (said == Status.PUBLISHED and _differs_from_live(plan)):
        return
    plan.action, refusal = workflow.action_for(slug, current, target)
    if refusal:
        raise InvalidTransitionError(refusal)
    if plan.course is not None:  # a new course's changes are the course itself
        plan.result.changes.append(Change("status", "status", current, target))
    if plan.action == "publish":
        refusal = workflow.publish_refusal(slug, [(w["title"], len(w["modules"])) for w in plan.record["units"]])
        if refusal:
            raise InvalidTransitionError(refusal)


def _differs_from_live(plan: Plan) -> bool:
    return plan.working_changed or plan.live_fingerprint != plan.course.fingerprint
