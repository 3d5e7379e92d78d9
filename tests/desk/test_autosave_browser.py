"""
Autosave in the real article form: typing is autosaved without a click, survives a reload and comes back on
"Restore"; leaving with unsaved changes asks first; a colleague who opens the same article is named. A new
article's add form autosaves too and is offered back on the next visit, before it was ever saved.
"""

import pytest
from playwright.sync_api import expect

from articles.models import Article, Status
from desk.models import Autosave, NewArticleAutosave
from tests.browser import log_in, orm_inside_playwrights_loop, wait_for  # noqa: F401 (an autouse fixture)
from tests.conftest import BLOCKING, axe_violations
from tests.factories import make_section
from tests.shared_fixtures import make_ready_article, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def session(browser, live_server, username):
    page = browser.new_context().new_page()
    log_in(page, live_server, username)
    return page


def test_typing_is_autosaved_survives_a_reload_and_is_restored(
    django_db_setup, live_server, browser, settings, axe_source
):
    settings.ARTICLE_AUTOSAVE_SECONDS = 1
    rita = make_user("rita", "Reporter")
    make_user("ed", "Editor")
    article = make_ready_article(rita, status=Status.DRAFT, headline="Council votes on budget")
    change = f"{live_server.url}/admin/articles/article/{article.pk}/change/"

    page = session(browser, live_server, "rita")
    page.goto(change)
    page.fill("#id_headline", "Council passes budget after late vote")
    body = page.locator(".prose-editor .ProseMirror[contenteditable]")
    body.click()
    page.keyboard.press("End")
    page.keyboard.type(" Seven votes to two.")
    expect(page.locator(".autosave-status")).to_contain_text("Autosaved at", timeout=20_000)
    # The whole sentence: a tick of the autosave clock can fall mid-typing ("Seven v"), and a later one
    # brings the rest.
    typed = Autosave.objects.filter(article=article, data__body__icontains="Seven votes to two.")
    kept = wait_for(typed.first, page, "autosaved")
    assert kept.value("headline") == "Council passes budget after late vote"
    assert "Seven votes to two." in kept.value("body")
    assert Article.objects.get(pk=article.pk).headline == "Council votes on budget"  # nothing saved

    # Leaving with changes that are not saved to the article asks first.
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    page.reload()
    assert dialogs == ["beforeunload"]

    expect(page.locator(".autosave-offer")).to_contain_text("You have unsaved changes")
    expect(page.locator("#id_headline")).to_have_value("Council votes on budget")
    blocking = [v for v in axe_violations(page, axe_source) if v["impact"] in BLOCKING]
    assert blocking == []
    page.click("text=Restore my changes")
    expect(page.locator(".autosave-restored")).to_contain_text("Restored your autosaved changes")
    expect(page.locator("#id_headline")).to_have_value("Council passes budget after late vote")
    expect(body).to_contain_text("Seven votes to two.")

    # A colleague opening the article is named in the open form, without a reload.
    ed = session(browser, live_server, "ed")
    ed.goto(change)
    expect(ed.locator(".autosave-others")).to_contain_text("Also open by rita")
    expect(page.locator(".autosave-others")).to_contain_text("Also open by ed", timeout=20_000)

    page.once("dialog", lambda dialog: dialog.accept())  # the restored text is unsaved too
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert Article.objects.get(pk=article.pk).headline == "Council passes budget after late vote"
    assert not Autosave.objects.filter(article=article).exists()


def test_a_new_article_is_autosaved_before_its_first_save_and_restored_on_the_next_visit(
    django_db_setup, live_server, browser, settings, axe_source
):
    settings.ARTICLE_AUTOSAVE_SECONDS = 1
    make_user("rita", "Reporter")
    make_section("Politics")
    add = f"{live_server.url}/admin/articles/article/add/"

    page = session(browser, live_server, "rita")
    page.goto(add)
    expect(page.locator(".autosave-status")).to_contain_text("Your new article is autosaved")
    page.fill("#id_headline", "Ferry strike strands islanders")
    body = page.locator(".prose-editor .ProseMirror[contenteditable]")
    body.click()
    page.keyboard.type("No crossings until Monday.")
    page.select_option("#id_section", label="Politics")
    expect(page.locator(".autosave-status")).to_contain_text("Autosaved at", timeout=20_000)
    typed = NewArticleAutosave.objects.filter(data__body__icontains="monday")
    kept = wait_for(typed.first, page, "autosaved")
    assert kept.value("headline") == "Ferry strike strands islanders"
    assert not Article.objects.exists()  # no article until the first real save

    # The tab is closed and the add form opened again: the new article is offered back.
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    page.goto(add)
    assert dialogs == ["beforeunload"]
    expect(page.locator(".autosave-offer")).to_contain_text(
        "You have an unsaved new article, “Ferry strike strands islanders”"
    )
    expect(page.locator("#id_headline")).to_have_value("")
    blocking = [v for v in axe_violations(page, axe_source) if v["impact"] in BLOCKING]
    assert blocking == [], blocking
    page.click("text=Restore it")
    expect(page.locator(".autosave-restored")).to_contain_text("Restored your autosaved new article")
    expect(page.locator("#id_headline")).to_have_value("Ferry strike strands islanders")
    expect(body).to_contain_text("No crossings until Monday.")
    assert page.input_value("#id_draft_token") == str(kept.token)  # autosaving goes on in the same row

    page.once("dialog", lambda dialog: dialog.accept())  # the restored text is unsaved too
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    article = Article.objects.get()
    assert (article.headline, article.body) == (
        "Ferry strike strands islanders",
        "<p>No crossings until Monday.</p>",
    )
    assert not NewArticleAutosave.objects.exists()  # the article's own autosave takes over from here
    expect(page.locator("#autosave-panel")).to_have_attribute("data-version", str(article.version))
