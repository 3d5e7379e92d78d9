"""
Autosave and presence on the article form: the form's unsaved state is kept beside the article without
touching it, offered back on the next visit, and restored so that a colleague's save in between is still
caught by the optimistic lock; everyone with the form open sees who else has it open.
"""

import datetime
import re
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from articles.models import Article, Revision, Status
from desk.models import Autosave, NewArticleAutosave, Presence
from tests.desk.admin_helpers import change_form_data, change_url
from tests.factories import make_author, make_section
from tests.shared_fixtures import make_ready_article, make_user


def autosave_url(article):
    return f"/admin/articles/article/{article.pk}/autosave/"


def presence_url(article):
    return f"/admin/articles/article/{article.pk}/presence/"


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def draft(reporter):
    return make_ready_article(reporter, status=Status.DRAFT, headline="Council votes on budget")


@pytest.mark.django_db
def test_autosave_keeps_the_form_without_touching_the_article(reporter, draft):
    client = client_for(reporter)
    before = Article.objects.get(pk=draft.pk)
    revisions = Revision.objects.filter(article=draft).count()

    form = change_form_data(draft, headline="Council passes budget after late vote")
    response = client.post(autosave_url(draft), form)

    assert response.status_code == 200
    reply = response.json()
    assert reply["version"] == before.version and reply["others"] == [] and reply["saved_at"]
    kept = Autosave.objects.get(article=draft, user=reporter)
    assert kept.value("headline") == "Council passes budget after late vote"
    assert kept.based_on_version == before.version
    assert "csrfmiddlewaretoken" not in kept.data
    after = Article.objects.get(pk=draft.pk)
    assert (after.headline, after.version, after.modified_at) == (
        before.headline,
        before.version,
        before.modified_at,
    )
    assert Revision.objects.filter(article=draft).count() == revisions

    # A second autosave replaces the first: one row per person and article.
    client.post(autosave_url(draft), {**form, "headline": "Budget passes 7-2"})
    assert (
        Autosave.objects.filter(article=draft, user=reporter).get().value("headline") == "Budget passes 7-2"
    )


@pytest.mark.django_db
def test_a_published_article_is_not_changed_for_readers_by_an_autosave(publisher):
    article = make_ready_article(publisher, status=Status.PUBLISHED, headline="Live headline")
    client = client_for(publisher)
    response = client.post(autosave_url(article), change_form_data(article, headline="Typed, not saved"))
    assert response.status_code == 200
    page = Client().get(article.get_absolute_url())
    assert page.status_code == 200 and "Live headline" in page.text and "Typed, not saved" not in page.text
    assert Article.objects.get(pk=article.pk).headline == "Live headline"


@pytest.mark.django_db
def test_only_someone_who_may_edit_can_autosave(reporter, other_reporter, draft, editor):
    other = client_for(other_reporter)  # a reporter cannot even see a colleague's draft
    assert other.post(autosave_url(draft), change_form_data(draft)).status_code == 403

    draft.status = Status.SCHEDULED  # frozen until unscheduled: the editor may look but not edit
    draft.publish_at = timezone.now() + datetime.timedelta(days=1)
    draft.save()
    response = client_for(editor).post(autosave_url(draft), change_form_data(draft))
    assert response.status_code == 403
    assert "nothing was autosaved" in response.json()["error"]
    assert not Autosave.objects.exists()

    assert Client().post(autosave_url(draft), {}).status_code == 302  # to the login page
    assert client_for(reporter).get(autosave_url(draft)).status_code == 405


@pytest.mark.django_db
def test_the_next_visit_offers_the_autosave_and_restores_it_into_the_form(reporter, draft):
    client = client_for(reporter)
    author = make_author("Ada Reporter")
    typed = change_form_data(
        draft,
        headline="Restored headline",
        dek="Restored dek",
        body="<p>Restored <strong>body</strong></p><script>alert(1)</script>",
        tags="Budget, City Hall",
        bylines=[{"author": author.pk, "role": "reporting", "position": 0}],
        is_minor="on",
    )
    client.post(autosave_url(draft), typed)

    offer = client.get(change_url(draft)).text
    assert "You have unsaved changes to this article, autosaved at" in offer
    assert 'href="?restore=autosave"' in offer
    assert 'value="Council votes on budget"' in offer  # the form itself still shows the article

    restored = client.get(change_url(draft) + "?restore=autosave").text
    assert "Restored your autosaved changes" in restored
    assert 'value="Restored headline"' in restored
    assert "Restored dek" in restored
    assert "Restored &lt;strong&gt;body&lt;/strong&gt;" in restored  # in the editor's textarea
    assert "alert(1)" not in restored  # sanitized like any body
    assert "Budget, City Hall" in restored
    assert re.search(r'name="is_minor"[^>]*checked', restored)
    assert re.search(rf'<option value="{author.pk}" selected>', restored)  # the byline row came back
    assert f'name="loaded_version" value="{draft.version}"' in restored


@pytest.mark.django_db
def test_saving_for_real_deletes_the_autosave(reporter, draft):
    client = client_for(reporter)
    client.post(autosave_url(draft), change_form_data(draft, headline="Typed"))
    assert client.post(change_url(draft), change_form_data(draft, headline="Saved")).status_code == 302
    assert not Autosave.objects.filter(article=draft).exists()
    assert "You have unsaved changes" not in client.get(change_url(draft)).text


@pytest.mark.django_db
def test_discarding_the_autosave(reporter, draft):
    client = client_for(reporter)
    client.post(autosave_url(draft), change_form_data(draft, headline="Typed"))
    response = client.post(f"/admin/articles/article/{draft.pk}/autosave/discard/", follow=True)
    assert "Autosaved changes discarded." in response.text
    assert not Autosave.objects.exists()


@pytest.mark.django_db
def test_a_restored_autosave_still_meets_a_colleagues_save_as_a_conflict(editor, superuser, draft):
    draft.status = Status.IN_REVIEW
    draft.save()
    draft.refresh_from_db()
    mine = client_for(editor)
    mine.post(autosave_url(draft), change_form_data(draft, headline="The editor's headline"))

    # Meanwhile a colleague saves the article.
    assert (
        client_for(superuser)
        .post(change_url(draft), change_form_data(draft, dek="The chief's dek"))
        .status_code
        == 302
    )

    page = mine.get(change_url(draft) + "?restore=autosave").text
    assert "saved by someone else after you made them" in page
    loaded = re.search(r'name="loaded_version" value="(\d+)"', page).group(1)
    response = mine.post(
        change_url(draft),
        change_form_data(draft, headline="The editor's headline", loaded_version=int(loaded)),
    )
    assert response.status_code == 200
    assert "changed after you opened it" in response.text
    assert Article.objects.get(pk=draft.pk).dek == "The chief's dek"


@pytest.mark.django_db
def test_everyone_with_the_form_open_sees_the_others(reporter, editor, publisher, draft, settings):
    settings.ARTICLE_PRESENCE_TIMEOUT = 90
    draft.status = Status.IN_REVIEW
    draft.save()
    editor.first_name, editor.last_name = "Erin", "Editor"
    editor.save()
    assert client_for(editor).get(change_url(draft)).status_code == 200  # opening the form counts

    page = client_for(publisher).get(change_url(draft)).text
    assert re.search(r"Also open by Erin Editor \(since \d\d:\d\d\)", page)

    reply = client_for(editor).post(presence_url(draft)).json()
    assert [other["name"] for other in reply["others"]] == ["publisher"]
    assert reply["saved_at"] is None and reply["version"] == Article.objects.get(pk=draft.pk).version


@pytest.mark.django_db
def test_a_form_without_a_heartbeat_goes_stale_and_leaving_removes_it(reporter, editor, draft, settings):
    settings.ARTICLE_PRESENCE_TIMEOUT = 90
    draft.status = Status.IN_REVIEW
    draft.save()
    client_for(editor).get(change_url(draft))
    Presence.objects.filter(user=editor).update(last_seen=timezone.now() - datetime.timedelta(seconds=91))
    reply = client_for(reporter).post(presence_url(draft)).json()
    assert reply["others"] == []

    # Back after the timeout: a new opening, with a new "since".
    client_for(editor).post(presence_url(draft))
    presence = Presence.objects.get(user=editor)
    assert presence.opened_at > timezone.now() - datetime.timedelta(seconds=5)

    assert client_for(editor).post(presence_url(draft) + "leave/").json() == {"left": True}
    assert client_for(reporter).post(presence_url(draft)).json()["others"] == []


@pytest.mark.django_db
def test_autosave_and_heartbeat_cost_a_fixed_number_of_queries(
    reporter, editor, publisher, draft, django_assert_max_num_queries
):
    draft.status = Status.IN_REVIEW
    draft.save()
    for user in (editor, publisher):
        client_for(user).get(change_url(draft))
    client = client_for(editor)
    form = change_form_data(draft, headline="Typed")
    with django_assert_max_num_queries(15):  # session, user, permissions, article, upsert, presence
        assert client.post(autosave_url(draft), form).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.post(presence_url(draft)).status_code == 200


@pytest.mark.django_db
def test_restored_bylines_keep_edits_to_existing_rows_and_new_rows(reporter, draft):
    existing = draft.bylines.get()
    newcomer = make_author("Noor Newcomer")
    client = client_for(reporter)
    client.post(
        autosave_url(draft),
        change_form_data(
            draft,
            bylines=[
                {
                    "id": existing.pk,
                    "author": existing.author_id,
                    "role": "reporting",
                    "position": 0,
                    "DELETE": "on",
                },
                {"author": newcomer.pk, "role": "additional", "position": 1},
            ],
        ),
    )
    page = client.get(change_url(draft) + "?restore=autosave").text
    assert re.search(r'name="bylines-0-DELETE"[^>]*checked', page)  # the removal is restored, not lost
    assert f'<option value="{newcomer.pk}" selected>Noor Newcomer</option>' in page  # the new row too
    assert draft.bylines.count() == 1  # and nothing was applied to the article


# --- the add form: autosave before the article exists (desk.NewArticleAutosave) ---

ADD = "/admin/articles/article/add/"
NEW_AUTOSAVE = "/admin/articles/article/autosave/"


def add_form_token(page):
    [token] = re.findall(
        r'<input type="hidden" name="draft_token" id="id_draft_token" value="([0-9a-f-]{36})">', page
    )
    return token


def new_article_form(section, author, token, **overrides):
    data = change_form_data(
        Article(headline="", section=section),
        section=section.pk,
        bylines=[{"author": author.pk, "role": "reporting", "position": 0}],
        **overrides,
    )
    return data | {"draft_token": token}


@pytest.fixture
def section(db):
    return make_section("Politics")


@pytest.mark.django_db
def test_the_add_form_autosaves_without_creating_an_article(reporter, section):
    client = client_for(reporter)
    page = client.get(ADD).text
    token = add_form_token(page)
    assert 'data-autosave-url="/admin/articles/article/autosave/"' in page
    assert "data-presence-url" not in page  # nobody else can have an article open that does not exist

    author = make_author("Rita Reporter")
    response = client.post(
        NEW_AUTOSAVE, new_article_form(section, author, token, headline="Ferry strike", body="<p>Day one</p>")
    )

    assert response.status_code == 200
    assert response.json()["saved_at"] and response.json()["version"] is None
    kept = NewArticleAutosave.objects.get(user=reporter)
    assert str(kept.token) == token and kept.value("headline") == "Ferry strike"
    assert "draft_token" not in kept.data and "csrfmiddlewaretoken" not in kept.data
    assert not Article.objects.exists() and not Revision.objects.exists()

    # The same open form autosaves into the same row; another open form (another token) keeps its own.
    client.post(NEW_AUTOSAVE, new_article_form(section, author, token, headline="Ferry strike, day two"))
    other = add_form_token(client.get(ADD).text)
    assert other != token
    client.post(NEW_AUTOSAVE, new_article_form(section, author, other, headline="Something else"))
    assert NewArticleAutosave.objects.filter(user=reporter).count() == 2
    assert NewArticleAutosave.objects.get(token=token).value("headline") == "Ferry strike, day two"


@pytest.mark.django_db
def test_the_next_visit_to_the_add_form_offers_the_new_article_and_restores_it(reporter, section):
    client = client_for(reporter)
    token = add_form_token(client.get(ADD).text)
    author = make_author("Rita Reporter")
    typed = new_article_form(
        section,
        author,
        token,
        headline="Ferry strike",
        dek="Crossings cancelled",
        body="<p>Day <em>one</em></p><script>alert(1)</script>",
        tags="Transport, Strikes",
    )
    client.post(NEW_AUTOSAVE, typed)

    offer = client.get(ADD).text
    assert "You have an unsaved new article, “Ferry strike”, autosaved at" in offer
    assert f'href="?restore=autosave&amp;draft={token}"' in offer
    assert add_form_token(offer) != token  # the fresh form is not the restored one until asked

    restored = client.get(f"{ADD}?restore=autosave&draft={token}").text
    assert "Restored your autosaved new article" in restored
    assert add_form_token(restored) == token  # autosaving goes on in the same row
    assert 'value="Ferry strike"' in restored and "Crossings cancelled" in restored
    assert "Day &lt;em&gt;one&lt;/em&gt;" in restored and "alert(1)" not in restored
    assert "Transport, Strikes" in restored
    assert re.search(rf'<option value="{section.pk}" selected>', restored)
    byline_select = restored.split('name="bylines-0-author"')[1].split("</select>")[0]
    assert f'<option value="{author.pk}" selected>' in byline_select  # the byline row came back


@pytest.mark.django_db
def test_saving_the_new_article_deletes_its_autosave_and_starts_it_at_version_one(reporter, section):
    client = client_for(reporter)
    author = make_author("Rita Reporter")
    token = add_form_token(client.get(ADD).text)
    other = add_form_token(client.get(ADD).text)
    client.post(NEW_AUTOSAVE, new_article_form(section, author, token, headline="Ferry strike"))
    client.post(NEW_AUTOSAVE, new_article_form(section, author, other, headline="Another story"))

    response = client.post(ADD, new_article_form(section, author, token, headline="Ferry strike"))

    assert response.status_code == 302, response.text[:500]
    article = Article.objects.get()
    assert article.headline == "Ferry strike" and article.status == Status.DRAFT
    assert [r.number for r in article.revisions.all()] == [1]
    assert list(NewArticleAutosave.objects.values_list("token", flat=True)) == [uuid.UUID(other)]
    assert "Another story" in client.get(ADD).text  # the other open form's copy is still offered


@pytest.mark.django_db
def test_a_new_article_form_with_errors_keeps_its_token_and_its_autosave(reporter, section):
    client = client_for(reporter)
    author = make_author("Rita Reporter")
    token = add_form_token(client.get(ADD).text)
    client.post(NEW_AUTOSAVE, new_article_form(section, author, token, headline="Ferry strike"))

    response = client.post(ADD, new_article_form(section, author, token, headline=""))

    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert add_form_token(response.text) == token
    assert NewArticleAutosave.objects.filter(token=token).exists() and not Article.objects.exists()


@pytest.mark.django_db
def test_only_someone_who_may_add_articles_autosaves_a_new_one_and_bad_tokens_are_refused(reporter, section):
    author = make_author("Rita Reporter")
    token = str(uuid.uuid4())
    nobody = make_user("intern")  # staff, no role: may not add articles
    response = client_for(nobody).post(NEW_AUTOSAVE, new_article_form(section, author, token))
    assert response.status_code == 403 and "nothing was autosaved" in response.json()["error"]

    client = client_for(reporter)
    response = client.post(NEW_AUTOSAVE, new_article_form(section, author, "not-a-token"))
    assert response.status_code == 400 and "draft token" in response.json()["error"]
    assert client.get(NEW_AUTOSAVE).status_code == 405
    assert Client().post(NEW_AUTOSAVE, {}).status_code == 302  # to the login page
    assert not NewArticleAutosave.objects.exists()


@pytest.mark.django_db
def test_discarding_the_new_articles_autosave_and_nobody_elses(reporter, other_reporter, section):
    author = make_author("Rita Reporter")
    client = client_for(reporter)
    token = add_form_token(client.get(ADD).text)
    client.post(NEW_AUTOSAVE, new_article_form(section, author, token, headline="Ferry strike"))

    client_for(other_reporter).post(f"{NEW_AUTOSAVE}discard/", {"draft_token": token})
    assert NewArticleAutosave.objects.exists()  # someone else's token discards nothing of hers
    response = client.post(f"{NEW_AUTOSAVE}discard/", {"draft_token": token}, follow=True)

    assert response.redirect_chain[-1][0] == ADD
    assert "Autosaved new article discarded." in response.text
    assert not NewArticleAutosave.objects.exists() and "unsaved new article" not in response.text
    assert client.get(f"{ADD}?restore=autosave&draft={token}").status_code == 200  # gone: an empty form
