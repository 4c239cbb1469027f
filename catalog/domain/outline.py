"""A course's outline as a module page shows it beside the content: every unit and module in course
order, the current module marked, and where it stands ("Module 3 of 9")."""


def module_outline(document: dict, module_id: int) -> dict | None:
    """{"units": [{"title", "order", "current", "modules": [{"id", "title", "number", "minutes", "current"}]}],
    "number", "total"} for the module `module_id` of `document` (a release document or a course detail);
    None when it has no such module."""
    number = total = 0
    units = []
    for unit in document["units"]:
        modules = []
        for module in unit["modules"]:
            total += 1
            current = module["id"] == module_id
            if current:
                number = total
            # minutes: known once module durations exist (issue 22's metadata); absent, the template says nothing.
            modules.append(
                {
                    "id": module["id"],
                    "title": module["title"],
                    "number": total,
                    "minutes": module.get("minutes"),
                    "current": current,
                }
            )
        units.append(
            {
                "title": unit["title"],
                "order": unit["order"],
                "current": any(m["current"] for m in modules),
                "modules": modules,
            }
        )
    return {"units": units, "number": number, "total": total} if number else None


def first_module_id(document: dict) -> int | None:
    """Where "Start course" leads: the first module in course order."""
    for unit in document["units"]:
        if unit["modules"]:
            return unit["modules"][0]["id"]
    return None
