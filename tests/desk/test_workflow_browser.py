"""One article walks the whole desk in the real admin UI: three people, three browser sessions."""

import pytest
from playwright.sync_api import expect

from articles.models import Article, Status
from desk.models import Transition
from tests.browser import log_in, orm_inside_playwrights_loop  # noqa: F401 (an autouse fixture)
from tests.factories import make_author, make_section, make_tag
from tests.shared_fixtures import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


CSP_ERRORS = []


def session(browser, live_server, username):
    context = browser.new_context()
    page = context.new_page()
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and CSP_ERRORS.append(message.text),
    )
    log_in(page, live_server, username)
    return page


def take_action(page, action, comment=""):
    form = page.locator(f"form.workflow-action[data-action={action}]")
    if comment:
        form.locator("textarea[name=comment]").fill(comment)
    form.locator("button[type=submit]").click()
    expect(page.locator(".messagelist")).to_contain_text("done")


def test_draft_to_published_through_review_as_reporter_editor_and_publisher(
    django_db_setup, live_server, browser
):
    make_user("rita", "Reporter")
    make_user("ed", "Editor")
    make_user("pat", "Publisher")
    make_author("Rita Reporter", email="rita@example.com")
    make_section("Politics")
    make_tag("Budget")

    # The reporter writes a draft.
    rita = session(browser, live_server, "rita")
    rita.goto(f"{live_server.url}/admin/articles/article/add/")
    rita.fill("#id_headline", "Council passes the budget")
    rita.fill("#id_dek", "After a long night.")
    editor = rita.locator(".prose-editor .ProseMirror[contenteditable]")
    expect(editor).to_have_attribute("aria-label", "Body")  # our accessible name for the editor
    editor.click()
    editor.type("The council voted 7 to 2.")
    rita.select_option("#id_section", label="Politics")
    tags = rita.locator("#id_tags")
    tags.fill("Bud")
    expect(rita.locator("#tag-suggestions option[value=Budget]")).to_have_count(1)  # autocomplete
    tags.fill("Budget, city hall")
    rita.locator("#bylines-0 .select2-selection").click()
    rita.locator(".select2-search__field").fill("Rita")
    rita.locator(".select2-results__option", has_text="Rita Reporter").click()
    rita.click("input[name=_continue]")
    expect(rita.locator(".messagelist")).to_contain_text("was added successfully")
    article = Article.objects.get(headline="Council passes the budget")
    assert article.body == "<p>The council voted 7 to 2.</p>"
    assert sorted(article.tags.names()) == ["Budget", "city hall"]
    take_action(rita, "submit")

    # The editor sends it back.
    ed = session(browser, live_server, "ed")
    change = f"{live_server.url}/admin/articles/article/{article.pk}/change/"
    ed.goto(change)
    take_action(ed, "request_changes", "Add the vote count to the dek.")

    # The reporter revises and resubmits.
    rita.goto(change)
    rita.fill("#id_dek", "After a long night, 7 votes to 2.")
    rita.click("input[name=_continue]")
    expect(rita.locator(".messagelist")).to_contain_text("was changed successfully")
    take_action(rita, "submit")

    # The editor approves; the publisher publishes.
    ed.goto(change)
    take_action(ed, "approve")
    pat = session(browser, live_server, "pat")
    pat.goto(change)
    take_action(pat, "publish")

    article.refresh_from_db()
    assert article.status == Status.PUBLISHED
    assert list(
        Transition.objects.filter(article=article).order_by("pk").values_list("action", "actor__username")
    ) == [
        ("submit", "rita"),
        ("request_changes", "ed"),
        ("submit", "rita"),
        ("approve", "ed"),
        ("publish", "pat"),
    ]
    assert CSP_ERRORS == []  # the editor, select2 and our scripts all run under the strict policy
    reader = browser.new_context().new_page()
    reader.goto(f"{live_server.url}/")
    reader.click("text=Council passes the budget")
    expect(reader.locator("h1")).to_have_text("Council passes the budget")
    expect(reader.locator(".dek")).to_have_text("After a long night, 7 votes to 2.")
    expect(reader.locator(".story-body")).to_contain_text("The council voted 7 to 2.")
