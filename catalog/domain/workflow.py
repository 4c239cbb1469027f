"""The status workflow's rules: which move goes from where to where, and why one is refused (no database)."""

from catalog.models import Course

Status = Course.Status

TRANSITIONS = {
    # From published: "publish changes" (a new release when the working copy differs from the live one).
    "publish": ((Status.DRAFT, Status.PUBLISHED), Status.PUBLISHED),
    "unpublish": ((Status.PUBLISHED,), Status.DRAFT),
    "archive": ((Status.DRAFT, Status.PUBLISHED), Status.ARCHIVED),
    "restore": ((Status.ARCHIVED,), Status.DRAFT),
}
PAST_TENSE = {"publish": "published", "unpublish": "unpublished", "archive": "archived", "restore": "restored"}
LABELS = {"publish": "Publish", "unpublish": "Unpublish", "archive": "Archive", "restore": "Restore"}


def actions_from(status: str) -> list[str]:
    """The moves a course in `status` can make, in the table's order."""
    return [action for action, (sources, _to) in TRANSITIONS.items() if status in sources]


def target_of(action: str) -> str:
    return TRANSITIONS[action][1]


def unknown_action_refusal(action: str) -> str | None:
    if action in TRANSITIONS:
        return None
    return f"'{action}' is not a transition (use {', '.join(TRANSITIONS)})."


def action_for(slug: str, current: str, target: str) -> tuple[str | None, str | None]:
    """(the action that moves `current` to `target`, None) or (None, why no action does)."""
    for action, (sources, to) in TRANSITIONS.items():
        if to == target and current in sources:
            return action, None
    if target not in Status.values:
        how = f"'{target}' is not a status (use draft, published or archived)."
    elif current == Status.ARCHIVED and target == Status.PUBLISHED:
        how = "restore it to draft first, then publish it."
    else:
        how = "no transition leads there directly."
    return None, f"cannot move '{slug}' from {current} to {target}: {how}"


def transition_refusal(slug: str, current: str, action: str) -> str | None:
    sources, _to = TRANSITIONS[action]
    if current in sources:
        return None
    allowed = " or ".join(sources)
    return f"cannot {action} '{slug}': it is {current}, and only a {allowed} course can be {PAST_TENSE[action]}"


def publish_refusal(slug: str, units: list[tuple[str, int]]) -> str | None:
    """`units` lists (title, module count) in order; None when the tree may be published."""
    if not units:
        return f"cannot publish '{slug}': the course has no units"
    for position, (title, module_count) in enumerate(units, start=1):
        if module_count == 0:
            return f"cannot publish '{slug}': unit {position} '{title}' has no modules"
    return None
