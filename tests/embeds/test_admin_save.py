"""Saving an article in the admin fetches the embeds of its lone provider URLs; failures warn the editor."""

import pytest

from articles.models import Status
from embeds.models import Embed
from tests.desk.admin_helpers import change_form_data, change_url
from tests.embeds.conftest import RECORDED
from tests.factories import make_article

pytestmark = pytest.mark.django_db

UNKNOWN = "https://example.org/some/page"


def body_with(*urls):
    return "<p>Intro.</p>" + "".join(f"<p>{url}</p>" for url in urls)


def save_in_admin(client, user, article):
    client.force_login(user)
    return client.post(change_url(article), change_form_data(article), follow=True)


def warnings(response):
    return [str(m) for m in response.context["messages"] if m.level_tag == "warning"]


def test_saving_stores_a_sanitized_embed_per_provider_url(client, superuser, oembed):
    article = make_article(status=Status.DRAFT, body=body_with(*RECORDED.values(), UNKNOWN))

    response = save_in_admin(client, superuser, article)

    assert response.status_code == 200 and not warnings(response)
    embeds = {e.provider: e for e in Embed.objects.all()}
    assert sorted(embeds) == sorted(RECORDED)  # the unknown URL is not fetched, nor stored
    assert sorted(provider for provider, _, _ in oembed) == sorted(RECORDED)
    youtube, vimeo, bluesky, datawrapper = (embeds[n] for n in ("youtube", "vimeo", "bluesky", "datawrapper"))
    assert youtube.frame_url == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    assert youtube.title == "Council budget vote: the full debate"
    assert youtube.author_name == "City Hall TV"
    assert vimeo.frame_url == "https://player.vimeo.com/video/76979871?app_id=122963&dnt=1"
    assert (vimeo.width, vimeo.height) == (640, 360)
    assert bluesky.frame_url == (
        "https://embed.bsky.app/embed/did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3l6oveex3ii2l"
    )
    assert datawrapper.frame_url == "https://datawrapper.dwcdn.net/Ot7sV/2/"
    assert datawrapper.height == 513
    for embed in embeds.values():
        assert embed.status == Embed.Status.OK and embed.error == ""
        assert "<script" not in embed.html and "style=" not in embed.html
    # Only iframes from the provider's own frame host survive sanitizing (YouTube's is www.youtube.com).
    assert "www.youtube.com/embed" not in youtube.html
    assert 'src="https://datawrapper.dwcdn.net/Ot7sV/2/"' in datawrapper.html
    assert "Embedded posts are here!" in bluesky.html


def test_a_fresh_embed_is_not_fetched_again(client, superuser, oembed):
    article = make_article(status=Status.DRAFT, body=body_with(RECORDED["youtube"]))
    save_in_admin(client, superuser, article)
    assert len(oembed) == 1

    save_in_admin(client, superuser, article)

    assert len(oembed) == 1 and Embed.objects.count() == 1


def test_an_unreachable_provider_warns_the_editor_and_the_article_is_saved(
    client, superuser, settings, closed_port
):
    settings.EMBED_OEMBED_ENDPOINTS = {"youtube": f"http://127.0.0.1:{closed_port}/oembed"}
    article = make_article(status=Status.DRAFT, body=body_with(RECORDED["youtube"]))
    data = change_form_data(article, headline="Budget night, updated")
    client.force_login(superuser)

    response = client.post(change_url(article), data, follow=True)

    assert response.status_code == 200
    [warning] = warnings(response)
    assert warning.startswith(f"Could not reach 127.0.0.1 to fetch the embed of {RECORDED['youtube']} (")
    assert "readers will see a link" in warning
    article.refresh_from_db()
    assert article.headline == "Budget night, updated"
    failed = Embed.objects.get()
    assert failed.status == Embed.Status.FAILED and failed.error and not failed.frame_url


def test_a_provider_that_hangs_up_warns_the_editor(client, superuser, settings, oembed, oembed_server):
    settings.EMBED_OEMBED_ENDPOINTS = {"vimeo": f"{oembed_server}/hang-up"}
    article = make_article(status=Status.DRAFT, body=body_with(RECORDED["vimeo"]))

    response = save_in_admin(client, superuser, article)

    [warning] = warnings(response)
    assert warning.startswith(f"Could not reach 127.0.0.1 to fetch the embed of {RECORDED['vimeo']} (")
    assert Embed.objects.get().status == Embed.Status.FAILED


def test_a_provider_that_does_not_know_the_url_warns_the_editor(client, superuser, oembed):
    missing = "https://www.youtube.com/watch?v=deleted0000"
    article = make_article(status=Status.DRAFT, body=body_with(missing))

    response = save_in_admin(client, superuser, article)

    [warning] = warnings(response)
    assert warning.startswith(f"Could not embed {missing}: 127.0.0.1 answered HTTP 404.")
    assert Embed.objects.get().status == Embed.Status.FAILED


def test_a_form_with_errors_fetches_nothing(client, superuser, oembed):
    article = make_article(status=Status.DRAFT, body=body_with(RECORDED["youtube"]))
    client.force_login(superuser)

    response = client.post(change_url(article), change_form_data(article, headline=""))

    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert oembed == [] and not Embed.objects.exists()
