"""
The desk walk-through (issue 18) in Debian's chromium, driven only through the UI; the ORM only sets up
people and sections and checks the result at the end. An editor plans a story on the budget and assigns
it; the reporter finds it on the desk, drafts the article from the plan with an embed, and the autosave
survives a reload; the editor approves and publishes; a reader gets a click-to-load placeholder and no
third-party request; the article becomes a live blog and three updates reach the reader's open page
without a reload.

axe-core judges every admin and public page on the way; the blocking violations of all of them are
asserted at the end, each with its page. Screenshots go to $ARTIFACTS_DIR/walkthrough/NN-step.png
(var/artifacts by default; .ci/run lists them), numbered in the order taken, so a step inserted later
renumbers the rest.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article, Status
from desk.models import Transition
from embeds.models import Embed
from live.models import LiveCoverage
from planning.models import Story
from tests.browser import log_in, orm_inside_playwrights_loop, wait_for  # noqa: F401 (an autouse fixture)
from tests.conftest import BLOCKING, axe_violations
from tests.embeds.conftest import RECORDED, oembed, oembed_server  # noqa: F401 (fixtures)
from tests.factories import make_section
from tests.shared_fixtures import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", Path(django_settings.BASE_DIR) / "var" / "artifacts"))
SCREENSHOTS = ARTIFACTS / "walkthrough"
VIDEO = RECORDED["youtube"]  # the local oEmbed server answers it (tests/embeds/conftest.py)
SLUG = "council-budget-vote"  # what the add form makes of the working headline
HEADLINE = "Council passes the budget after a late vote"
UPDATES = ["Councillors are back in the chamber.", "The mayor speaks next.", "The vote is 7 to 2."]


class Walk:
    """What the walk-through keeps as it goes: the axe-core findings by page, the screenshots taken."""

    def __init__(self, browser, live_server, axe_source):
        self.browser, self.live_server, self.axe_source = browser, live_server, axe_source
        self.url = live_server.url
        self.violations = []  # (page path, violation): the serious and critical ones
        self.pages = []
        self.shots = 0
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for old in SCREENSHOTS.glob("*.png"):  # the directory shows one run, not a mix of runs
            old.unlink()

    def open(self, username=None):
        """A browser of its own (cookies, session): logged in to the admin as `username`, or a reader."""
        page = self.browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.set_default_timeout(15_000)  # a step that cannot happen fails in seconds, not Playwright's 30
        self.pages.append(page)
        if username:
            page.goto(f"{self.url}/admin/login/")
            self.judge(page)
            log_in(page, self.live_server, username)
            self.judge(page)  # the admin's index
        return page

    def judge(self, page):
        """axe-core on the page as it is now."""
        path = urlsplit(page.url)._replace(scheme="", netloc="").geturl()
        found = axe_violations(page, self.axe_source)
        self.violations += [(path, v) for v in found if v["impact"] in BLOCKING]

    def screenshot(self, page, step):
        self.shots += 1
        page.screenshot(path=SCREENSHOTS / f"{self.shots:02d}-{step}.png", full_page=True)

    def close(self):
        for page in self.pages:
            page.context.close()


def accept_leaving(page):
    """The article form asks before leaving with changes not saved to the article: say yes once."""
    page.once("dialog", lambda dialog: dialog.accept())


def take_action(page, action):
    page.locator(f"form.workflow-action[data-action={action}] button[type=submit]").click()
    expect(page.locator(".messagelist")).to_contain_text(": done.")


# --- the steps, in order --------------------------------------------------------------------------------


def editor_plans_and_assigns_the_story(walk, editor, reporter):
    editor.goto(f"{walk.url}/admin/planning/story/budget/")
    walk.judge(editor)
    editor.click("text=Plan a story")
    expect(editor.locator("h1")).to_have_text("Add story plan")
    walk.judge(editor)
    editor.locator("#id_working_headline").press_sequentially("Council budget vote")  # keys: the slug follows
    expect(editor.locator("#id_slug")).to_have_value(SLUG)
    editor.select_option("#id_section", label="Politics")
    editor.select_option("#id_desk", label="Politics")
    editor.select_option("#id_status", label="Assigned")
    editor.select_option("#id_reporters", label=reporter.username)
    editor.select_option("#id_editor", label="dana")
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    for field, time in (("due_at", "18:00"), ("publish_slot", "20:00")):
        editor.fill(f"#id_{field}_0", tomorrow)
        editor.fill(f"#id_{field}_1", time)
    editor.fill("#id_target_words", "600")
    editor.click("input[name=_save]")
    expect(editor.locator(".messagelist")).to_contain_text("was added successfully")
    walk.judge(editor)  # the plans' list
    editor.locator(".object-tools").get_by_role("link", name="Budget", exact=True).click()
    line = editor.locator(".budget tr", has_text=SLUG)
    expect(line).to_contain_text("rita")
    expect(line).to_contain_text("Assigned")
    walk.screenshot(editor, "budget-assigned")


def reporter_drafts_from_the_plan(walk, reporter):
    reporter.goto(f"{walk.url}/admin/articles/article/desk/")
    assignment = reporter.locator("section[aria-labelledby=desk-assignments] tr", has_text=SLUG)
    expect(assignment).to_contain_text("Council budget vote")
    walk.judge(reporter)
    walk.screenshot(reporter, "desk-my-assignments")
    assignment.get_by_role("link", name=SLUG).click()
    expect(reporter.locator("h1")).to_contain_text("Change story plan")
    walk.judge(reporter)
    reporter.get_by_role("button", name="Create draft from plan").click()
    expect(reporter.locator(".messagelist")).to_contain_text("created from the plan")
    expect(reporter.locator("#id_headline")).to_have_value("Council budget vote")
    walk.judge(reporter)


def reporter_writes_with_an_embed(walk, reporter):
    """Headline, dek, tags, then a body with the video's URL on a paragraph of its own (an embed)."""
    reporter.fill("#id_headline", HEADLINE)
    reporter.fill("#id_dek", "Seven votes to two, after midnight.")
    reporter.fill("#id_tags", "Budget, city hall")
    reporter.get_by_role("textbox", name="Body").click()
    reporter.keyboard.type("The council voted 7 to 2 after a debate that ran past midnight.")
    reporter.keyboard.press("Enter")
    reporter.keyboard.type(VIDEO)
    reporter.locator("#id_headline").click()  # leaving the editor autosaves (autosave.js, focusout)


# gallery step: added when galleries land (the reporter adds a gallery to the draft, after the embed)


def autosave_survives_a_reload(walk, reporter, article):
    expect(reporter.locator(".autosave-status")).to_contain_text("Autosaved at", timeout=20_000)
    autosaves = article.autosaves.filter(data__body__icontains="dQw4w9WgXcQ")
    wait_for(autosaves.exists, reporter, "autosaved with the embed")
    walk.screenshot(reporter, "draft-autosaved")

    accept_leaving(reporter)
    reporter.reload()
    expect(reporter.locator(".autosave-offer")).to_contain_text("You have unsaved changes")
    expect(reporter.locator("#id_headline")).to_have_value("Council budget vote")  # the saved draft
    walk.judge(reporter)
    reporter.click("text=Restore my changes")
    expect(reporter.locator(".autosave-restored")).to_contain_text("Restored your autosaved changes")
    expect(reporter.locator("#id_headline")).to_have_value(HEADLINE)
    expect(reporter.get_by_role("textbox", name="Body")).to_contain_text(VIDEO)
    walk.judge(reporter)
    walk.screenshot(reporter, "draft-restored")


def reporter_saves_and_submits(walk, reporter):
    accept_leaving(reporter)  # the restored text is not saved to the article yet
    reporter.click("input[name=_continue]")
    messages = reporter.locator(".messagelist")
    expect(messages).to_contain_text("was changed successfully")
    expect(messages).not_to_contain_text("Could not")  # the embed was fetched
    take_action(reporter, "submit")
    expect(reporter.locator(".workflow-state")).to_contain_text("In review")
    walk.judge(reporter)
    walk.screenshot(reporter, "submitted")


def editor_approves_and_publishes(walk, editor):
    editor.goto(f"{walk.url}/admin/articles/article/desk/")
    in_review = editor.locator("section[aria-labelledby=desk-review]")
    expect(in_review).to_contain_text(HEADLINE)
    walk.judge(editor)
    in_review.get_by_role("link", name=HEADLINE).click()
    expect(editor.locator(".workflow-state")).to_contain_text("not approved yet")
    walk.judge(editor)
    take_action(editor, "approve")
    expect(editor.locator(".workflow-state")).to_contain_text("approved by dana")
    take_action(editor, "publish")
    expect(editor.locator(".workflow-state .status-badge")).to_have_text("Published")
    walk.judge(editor)
    walk.screenshot(editor, "published")


def watch_requests(page):
    """Every URL the page asks for, from now on."""
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    return requested


def reader_gets_a_placeholder_and_no_third_party_request(walk, reader, requested):
    reader.goto(f"{walk.url}/")
    walk.judge(reader)
    reader.get_by_role("link", name=HEADLINE).first.click()
    expect(reader.locator("h1")).to_have_text(HEADLINE)
    reader.wait_for_load_state("networkidle")
    video = reader.locator("figure.embed-youtube")
    expect(video.locator(".embed-provider")).to_have_text("YouTube")
    expect(video.get_by_role("button", name="Load YouTube content")).to_be_visible()
    expect(reader.locator("iframe")).to_have_count(0)
    assert {urlsplit(url).hostname for url in requested} == {urlsplit(walk.url).hostname}, requested
    walk.judge(reader)
    walk.screenshot(reader, "public-article")


def editor_makes_it_live(walk, editor):
    editor.goto(f"{walk.url}/admin/live/livecoverage/")
    walk.judge(editor)
    editor.locator(".object-tools").get_by_role("link", name="Add live blog").click()
    walk.judge(editor)
    editor.locator(".field-article .select2-selection").click()
    editor.locator(".select2-search__field").fill("Council passes")
    editor.locator(".select2-results__option", has_text=HEADLINE).click()
    editor.click("input[name=_continue]")
    expect(editor.locator(".messagelist")).to_contain_text("was added successfully")
    expect(editor.locator("#live-desk-state")).to_contain_text("Live since")
    walk.judge(editor)  # the live blog's desk page


def updates_reach_the_readers_open_page(walk, editor, reader):
    reader.reload()  # the page of a live blog now: it polls
    expect(reader.locator("#live")).to_have_attribute("data-live-polling", "on")
    reader.evaluate("window.walkMarker = 'not reloaded'")
    quick_form = editor.locator(".live-quick-form")
    new_updates = reader.locator("#live-new")
    for number, text in enumerate(UPDATES, start=1):
        quick_form.locator("textarea[name=body]").fill(text)
        quick_form.get_by_role("button", name="Add update").click()
        expect(editor.locator(".messagelist")).to_contain_text("was added successfully")
        expect(editor.locator("#live-desk-updates")).to_contain_text(f"Updates ({number})")
        expect(new_updates).to_have_text("1 new update", timeout=15_000)
        new_updates.click()
        expect(reader.locator("#live-updates .live-update")).to_have_count(number)
        expect(reader.locator("#live-updates .live-update").first).to_contain_text(text)
        assert reader.evaluate("window.walkMarker") == "not reloaded"
    walk.judge(editor)
    walk.screenshot(editor, "live-desk")
    walk.judge(reader)
    walk.screenshot(reader, "live-reader")


@pytest.mark.usefixtures("oembed")  # the embed's recorded oEmbed answer: no network
def test_a_story_goes_from_the_budget_to_a_live_blog_through_the_desk(
    django_db_setup, live_server, browser, axe_source, settings
):
    settings.ARTICLE_AUTOSAVE_SECONDS = 1  # leaving a field autosaves; the 1 s clock catches the last keys
    settings.LIVE_POLL_SECONDS = 1
    dana = make_user("dana", "Editor")
    dana.groups.add(Group.objects.get(name="Publisher"))  # the night editor approves and publishes
    rita = make_user("rita", "Reporter")
    make_section("Politics")

    walk = Walk(browser, live_server, axe_source)
    try:
        editor = walk.open("dana")
        editor_plans_and_assigns_the_story(walk, editor, rita)
        reporter = walk.open("rita")
        reporter_drafts_from_the_plan(walk, reporter)
        article = Story.objects.get(slug=SLUG).article
        reporter_writes_with_an_embed(walk, reporter)
        # gallery step: added when galleries land
        autosave_survives_a_reload(walk, reporter, article)
        reporter_saves_and_submits(walk, reporter)
        editor_approves_and_publishes(walk, editor)
        reader = walk.open()
        requested = watch_requests(reader)
        reader_gets_a_placeholder_and_no_third_party_request(walk, reader, requested)
        editor_makes_it_live(walk, editor)
        updates_reach_the_readers_open_page(walk, editor, reader)
    except Exception:
        for number, page in enumerate(walk.pages, start=1):  # where each browser was when it failed
            page.screenshot(path=SCREENSHOTS / f"failed-browser-{number}.png", full_page=True)
        raise
    finally:
        walk.close()

    article = Article.objects.get(pk=article.pk)
    assert (article.headline, article.status) == (HEADLINE, Status.PUBLISHED)
    assert f"<p>{VIDEO}</p>" in article.body
    assert Embed.objects.get(url=VIDEO).status == Embed.Status.OK
    assert [a.name for a in article.authors.all()] == ["rita"]
    assert Story.objects.get(slug=SLUG).status == Story.Status.PUBLISHED
    assert list(
        Transition.objects.filter(article=article).order_by("pk").values_list("action", "actor__username")
    ) == [
        ("submit", "rita"),
        ("approve", "dana"),
        ("publish", "dana"),
    ]
    assert LiveCoverage.objects.get(article=article).is_live
    assert sorted(u.body for u in article.live_updates.all()) == sorted(f"<p>{t}</p>" for t in UPDATES)
    assert not article.autosaves.exists()  # saving for real ends the safety copy
    assert {urlsplit(url).hostname for url in requested} == {urlsplit(live_server.url).hostname}
    assert walk.violations == [], walk.violations
