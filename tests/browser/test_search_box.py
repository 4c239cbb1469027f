"""The search box's suggestions in a real browser: a WAI-ARIA combobox driven by the keyboard, and the
plain form when the suggestion is not chosen."""

import pytest

from tests.factories import CourseFactory

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalog():
    CourseFactory(slug="k8s", title="Kubernetes in production", topic="DevOps", status="published")
    CourseFactory(slug="k8s-intro", title="Kubernetes for beginners", topic="DevOps", status="published")
    CourseFactory(slug="py", title="Python basics", topic="Programming", status="published")


def test_arrows_enter_and_escape(page, live_server, catalog):
    page.goto(f"{live_server.url}/")
    box = page.locator("#q")
    assert box.get_attribute("role") == "combobox" and box.get_attribute("aria-expanded") == "false"
    box.press_sequentially("kubernets")  # a typo: suggestions forgive it like search
    options = page.locator("#q-suggestions [role=option]")
    options.first.wait_for()
    assert options.all_inner_texts() == ["Kubernetes for beginners", "Kubernetes in production"]
    assert box.get_attribute("aria-expanded") == "true"
    assert "2 suggestions" in page.locator("#q-status").inner_text()
    box.press("ArrowDown")
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == "q-suggestion-1"
    assert options.nth(1).get_attribute("aria-selected") == "true"
    box.press("Escape")
    assert page.locator("#q-suggestions").is_hidden() and box.get_attribute("aria-expanded") == "false"
    box.press("ArrowDown")  # closed: nothing to choose
    box.press_sequentially("e")
    options.first.wait_for()
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url(f"{live_server.url}/courses/k8s-intro/")


def test_enter_without_a_choice_searches(page, live_server, catalog):
    page.goto(f"{live_server.url}/")
    page.locator("#q").press_sequentially("pyth")
    page.locator("#q-suggestions [role=option]").first.wait_for()
    page.locator("#q").press("Enter")
    page.wait_for_url(f"{live_server.url}/?q=pyth")
    assert page.locator(".course-card h3").all_inner_texts() == ["Python basics"]
