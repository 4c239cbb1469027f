"""The course page's tree with the keyboard only: one tab stop per row, arrow keys inside, labels and
the move buttons' accessible names that follow moves and renames before anything is saved."""

import os
import tempfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from catalog.models import Unit
from tests.factories import CourseFactory, tree

pytestmark = [pytest.mark.django_db(transaction=True)]
# docs/screenshots are refreshed only when asked (UPDATE_SCREENSHOTS=1, as `make screenshots` does).
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("UPDATE_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "catalog-screenshots"
)
ANNOUNCED = "text => (document.getElementById('catalog-live') || {}).textContent?.includes(text)"


@pytest.fixture
def editor(page, live_server, django_user_model):
    user = django_user_model.objects.create_user("tree-editor", password="pw-tree-1", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "tree-editor")
    page.fill("#id_password", "pw-tree-1")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return page


@pytest.fixture
def course():
    return CourseFactory(slug="three", title="Three by three", units=tree(3, 3, 3))


def open_course(page, live_server, course):
    page.goto(f"{live_server.url}/admin/catalog/course/{course.pk}/change/")
    page.wait_for_selector("#units-0 .catalog-module-number:text('1.1')")


def focused_name(page) -> str:
    return page.evaluate("document.activeElement.getAttribute('aria-label') || document.activeElement.textContent")


def unit_labels(page) -> list[str]:
    return page.locator(
        "div.djn-inline-form[data-inline-model=catalog-unit]:not(.djn-empty-form) .inline_label"
    ).all_inner_texts()


def module_labels(page, unit_index) -> list[str]:
    rows = page.locator(f"#units-{unit_index}-modules-group tbody.djn-item")
    return [
        f"{row.locator('.catalog-module-number').inner_text()} {row.locator('input[name$=-title]').input_value()}"
        for row in rows.all()
    ]


def titles(course):
    return [
        (u.title, list(u.modules.order_by("order").values_list("title", flat=True)))
        for u in Unit.objects.filter(course=course).order_by("order")
    ]


def test_each_row_is_one_tab_stop_with_arrow_keys_inside(editor, live_server, course):
    page = editor
    open_course(page, live_server, course)
    page.focus("#units-0 > h3 button.catalog-move[data-direction=up]")
    assert focused_name(page) == "Move unit “Unit 1” up"
    # Unit 1, its three modules, "Add another Module", unit 2, then module 2.1: one Tab each.
    stops = []
    for _ in range(6):
        page.keyboard.press("Tab")
        stops.append(focused_name(page).strip())
    assert stops == [
        "Move module “Module 1.1” up",
        "Move module “Module 1.2” up",
        "Move module “Module 1.3” up",
        "Add another Module",
        "Move unit “Unit 2” up",
        "Move module “Module 2.1” up",
    ]
    # Inside a row: → to the down button, then the title and content; ↑ ↓ to the rows around.
    page.keyboard.press("ArrowRight")
    assert focused_name(page) == "Move module “Module 2.1” down"
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.name") == "units-1-modules-0-title"
    page.keyboard.press("ArrowLeft")  # the title came selected: the caret goes into the text
    assert page.evaluate("document.activeElement.name") == "units-1-modules-0-title"
    page.keyboard.press("ArrowLeft")  # at its start: back to the button
    assert focused_name(page) == "Move module “Module 2.1” down"
    page.keyboard.press("ArrowDown")
    assert focused_name(page) == "Move module “Module 2.2” down"
    # The row remembers where the keyboard was: Shift+Tab out and Tab back lands there again.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert focused_name(page) == "Move module “Module 2.2” down"


def test_keyboard_only_reordering_and_a_move_across_units_keep_names_and_numbers_live(editor, live_server, course):
    page = editor
    open_course(page, live_server, course)
    page.focus("#units-1-modules-0 button.catalog-move[data-direction=down]")
    page.keyboard.press("Enter")  # "Module 2.1" below "Module 2.2"
    page.wait_for_function(ANNOUNCED, arg="Moved “Module 2.1” to position 2. Save to keep it.")
    assert module_labels(page, 1) == ["2.1 Module 2.2", "2.2 Module 2.1", "2.3 Module 2.3"]
    assert focused_name(page) == "Move module “Module 2.1” down"

    # Up twice with Space: first in unit 2, then across into unit 1, last.
    page.keyboard.press("ArrowLeft")
    assert focused_name(page) == "Move module “Module 2.1” up"
    page.keyboard.press(" ")
    page.wait_for_function(ANNOUNCED, arg="Moved “Module 2.1” to position 1.")
    page.keyboard.press(" ")
    page.wait_for_function(ANNOUNCED, arg="to unit “Unit 1”, last")
    assert module_labels(page, 0) == ["1.1 Module 1.1", "1.2 Module 1.2", "1.3 Module 1.3", "1.4 Module 2.1"]
    assert module_labels(page, 1) == ["2.1 Module 2.2", "2.2 Module 2.3"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#units-group").screenshot(path=str(SCREENSHOTS / "admin-tree-keyboard.png"))
    # The screen reader's name of the focused button, as the accessibility tree gives it.
    assert page.get_by_role("button", name="Move module “Module 2.1” up").evaluate("b => b === document.activeElement")

    # Unit 3 above unit 2 with Enter, then renamed: its label and its buttons' names follow at once.
    page.focus("#units-2 > h3 button.catalog-move[data-direction=up]")
    page.keyboard.press("Enter")
    page.wait_for_function(ANNOUNCED, arg="Moved “Unit 3” to position 2.")
    assert unit_labels(page) == ["1. Unit 1", "2. Unit 3", "3. Unit 2"]
    page.keyboard.press("End")  # the unit's row: ↑, ↓, Delete, then its title
    assert page.evaluate("document.activeElement.name") == "units-2-title"
    page.keyboard.press("Control+A")
    page.keyboard.type("Window functions")
    assert unit_labels(page) == ["1. Unit 1", "2. Window functions", "3. Unit 2"]
    assert page.get_by_role("button", name="Move unit “Window functions” down").count() == 1
    assert page.get_by_role("button", name="Move unit “Unit 3” down").count() == 0

    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist li")
    assert titles(course) == [
        ("Unit 1", ["Module 1.1", "Module 1.2", "Module 1.3", "Module 2.1"]),
        ("Window functions", ["Module 3.1", "Module 3.2", "Module 3.3"]),
        ("Unit 2", ["Module 2.2", "Module 2.3"]),
    ]


def test_add_another_answers_space_and_the_new_row_is_numbered(editor, live_server, course):
    page = editor
    open_course(page, live_server, course)
    page.focus("#units-0-modules-group a.djn-add-handler")
    page.keyboard.press(" ")
    page.wait_for_selector("#units-0-modules-3")
    page.wait_for_function(
        "() => document.querySelector('#units-0-modules-3 .catalog-module-number').textContent === '1.4'"
    )
    assert page.locator("#units-0-modules-3 button.catalog-move[data-direction=up]").get_attribute("aria-label") == (
        "Move this new module up"
    )
    page.fill("#id_units-0-modules-3-title", "Subqueries")
    assert page.get_by_role("button", name="Move module “Subqueries” up").count() == 1
    # A unit added with Space too, and its "Remove" link answers Space.
    page.focus("a.djn-add-handler.djn-model-catalog-unit")
    page.keyboard.press(" ")
    page.wait_for_selector("#units-3")
    assert unit_labels(page)[-1] == "4. New unit"
    page.focus("#units-3 a.djn-remove-handler")
    page.keyboard.press(" ")
    page.wait_for_selector("#units-3", state="detached")


def test_a_content_box_grows_and_previews_its_markdown_as_learners_see_it(editor, live_server, course):
    page = editor
    open_course(page, live_server, course)
    box = page.locator("#id_units-0-modules-0-content")
    before = box.bounding_box()["height"]
    box.fill("# Rows\n\nPick **columns**.\n\n" + "More words.\n\n" * 12 + "<script>window.hacked = 1</script>")
    assert box.bounding_box()["height"] > before
    preview = page.locator("#units-0-modules-0 button.catalog-markdown-preview-button")
    preview.click()
    assert preview.get_attribute("aria-expanded") == "true"
    panel = page.locator("#units-0-modules-0 .catalog-markdown-preview")
    panel.locator("h1:text('Rows')").wait_for()
    assert panel.locator("strong").inner_text() == "columns"
    assert page.evaluate("window.hacked") is None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#units-0").screenshot(path=str(SCREENSHOTS / "admin-markdown-preview.png"))
    # It follows the text while open, and closes again.
    box.fill("*changed*")
    panel.locator("em:text('changed')").wait_for()
    preview.click()
    assert panel.is_hidden()
