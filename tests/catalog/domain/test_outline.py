"""A module's place in its course: the outline with the current module marked, "Module N of M", the first module."""

from catalog.domain import outline

DOCUMENT = {
    "units": [
        {"title": "Basics", "order": 1, "modules": [{"id": 10, "title": "A"}, {"id": 11, "title": "B"}]},
        {"title": "Empty", "order": 2, "modules": []},
        {"title": "Joins", "order": 3, "modules": [{"id": 7, "title": "C", "minutes": 15}]},
    ]
}


def test_marks_the_current_module_and_counts_in_course_order():
    found = outline.module_outline(DOCUMENT, 7)
    assert (found["number"], found["total"]) == (3, 3)
    flat = [(m["id"], m["number"], m["current"]) for u in found["units"] for m in u["modules"]]
    assert flat == [(10, 1, False), (11, 2, False), (7, 3, True)]
    assert [u["current"] for u in found["units"]] == [False, False, True]
    assert found["units"][2]["modules"][0]["minutes"] == 15


def test_a_module_of_another_course_has_no_outline():
    assert outline.module_outline(DOCUMENT, 99) is None


def test_the_first_module_skips_empty_units():
    assert outline.first_module_id(DOCUMENT) == 10
    assert outline.first_module_id({"units": [{"modules": []}, {"modules": [{"id": 5}]}]}) == 5
    assert outline.first_module_id({"units": []}) is None
