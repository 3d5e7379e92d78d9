"""The story budget in Debian's chromium: it renders under the CSP, the person filter works, overdue plans
say so, printing hides the admin's chrome, the week pages on, and axe-core finds no serious or critical
issue on either page."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from planning.models import Story
from tests.browser import log_in, orm_inside_playwrights_loop  # noqa: F401 (an autouse fixture)
from tests.conftest import BLOCKING, axe_violations
from tests.planning.helpers import local, make_story
from tests.shared_fixtures import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_budget_filters_by_person_marks_overdue_and_prints_without_chrome(
    django_db_setup, live_server, browser, axe_source
):
    editor = make_user("desk_head", "Editor")
    rita = make_user("rita", "Reporter", first_name="Rita", last_name="Reyes")
    sam = make_user("sam", "Reporter", first_name="Sam", last_name="Okafor")
    make_story(slug="late-copy", reporters=[rita], status=Story.Status.IN_PROGRESS,
               due_at=timezone.now() - datetime.timedelta(hours=1), publish_slot=local(1, 9))  # fmt: skip
    make_story(slug="sams-story", reporters=[sam], publish_slot=local(0, 23, 30))

    context = browser.new_context()
    csp_errors = []
    page = context.new_page()
    page.on("console", lambda m: "Content Security Policy" in m.text and csp_errors.append(m.text))
    log_in(page, live_server, editor.username)
    page.goto(f"{live_server.url}/admin/planning/story/budget/")

    overdue = page.locator("tr.overdue")
    expect(overdue).to_have_count(1)
    expect(overdue).to_contain_text("late-copy")
    expect(overdue.locator(".overdue-marker")).to_have_text("OVERDUE")
    assert overdue.evaluate("row => getComputedStyle(row).color") != page.locator("body").evaluate(
        "body => getComputedStyle(body).color"
    )
    expect(page.locator(".budget")).to_contain_text("sams-story")

    page.select_option("#budget-person", label="Rita Reyes")
    page.click(".budget-filter button")
    expect(page).to_have_url(f"{live_server.url}/admin/planning/story/budget/?person={rita.pk}")
    expect(page.locator(".budget")).to_contain_text("late-copy")
    expect(page.locator(".budget")).not_to_contain_text("sams-story")

    violations = [v for v in axe_violations(page, axe_source) if v["impact"] in BLOCKING]
    assert violations == []

    page.emulate_media(media="print")
    expect(page.locator(".budget-filter")).to_be_hidden()
    expect(page.locator("#header")).to_be_hidden()
    expect(page.locator("tr.overdue .overdue-marker")).to_be_visible()  # the word survives black-and-white
    page.emulate_media(media="screen")

    page.goto(f"{live_server.url}/admin/planning/story/week/")
    expect(page.locator("table.week")).to_contain_text("sams-story")
    page.click("a[rel=next]")
    expect(page.locator("table.week")).to_contain_text("late-copy" if local(1, 9).weekday() == 0 else "—")
    assert [v for v in axe_violations(page, axe_source) if v["impact"] in BLOCKING] == []
    assert csp_errors == []
    context.close()
