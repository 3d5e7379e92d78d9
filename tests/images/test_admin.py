"""The image library in the admin: list with thumbnails, search, focal point picker, usage, autocompletes."""

import re

import pytest
from django.contrib.auth import get_user_model

from images.ingest import image_from_file
from images.models import Image
from tests.factories import make_article, make_author
from tests.images.conftest import encode, photo, upload

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/images/image/"


def make_image(size=(900, 600), **fields):
    fields.setdefault("alt", "A photo")
    return image_from_file(upload(encode(photo(size), "JPEG")), **fields)


def test_the_list_shows_thumbnails_in_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries):
    for n in range(8):
        make_image(alt=f"Photo {n}", caption=f"Caption {n}", credit="Agency")

    with django_assert_max_num_queries(8):
        response = admin_client.get(LIST_URL)

    assert response.status_code == 200
    thumbnails = re.findall(
        r'<img src="([^"]+)" width="80" height="53" alt="" loading="lazy">', response.text
    )
    assert len(thumbnails) == 8
    assert all(re.search(r"/w320-[0-9a-f]{8}\.webp$", url) for url in thumbnails)


@pytest.mark.parametrize("query", ["harbour", "Reuters", "fishing boats"])
def test_search_finds_images_by_caption_credit_and_alt(admin_client, query):
    make_image(alt="Fishing boats at dawn", caption="The harbour before the storm.", credit="Reuters")
    make_image(alt="A council meeting", caption="Budget night.", credit="Staff")

    response = admin_client.get(LIST_URL, {"q": query})

    assert response.context["cl"].result_count == 1
    assert "Fishing boats at dawn" in response.text and "A council meeting" not in response.text


def test_the_change_form_has_the_focal_point_picker_with_our_script_under_the_csp_nonce(admin_client):
    image = make_image()

    response = admin_client.get(f"{LIST_URL}{image.pk}/change/")

    assert response.status_code == 200
    html = response.text
    assert "data-focal-picker" in html and 'class="focal-marker"' in html
    assert 'data-focal="x"' in html and 'data-focal="y"' in html
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert re.search(rf'<script src="/static/images/focal_point\.js" nonce="{re.escape(nonce)}"', html)
    assert re.search(rf'<link href="/static/images/focal_point\.css"[^>]* nonce="{re.escape(nonce)}"', html)
    assert "cdn" not in html.lower()


def test_the_change_form_shows_where_the_image_is_used(admin_client):
    image = make_image()
    article = make_article("Harbour storm", lead_image=image)
    author = make_author("Ellen Mitchell", photo=image)

    html = admin_client.get(f"{LIST_URL}{image.pk}/change/").text

    assert f'<a href="/admin/articles/article/{article.pk}/change/">Lead image of “Harbour storm”</a>' in html
    assert f'<a href="/admin/authors/author/{author.pk}/change/">Photo of Ellen Mitchell</a>' in html


def test_setting_the_focal_point_in_the_admin_replaces_the_social_card(
    admin_client, worker, django_capture_on_commit_callbacks
):
    image = make_image(size=(3000, 1000))
    old_card = image.social_card().file.name

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"{LIST_URL}{image.pk}/change/",
            {"alt_text": "A photo", "caption": "", "credit": "", "focal_x": "0.9", "focal_y": "0.5"},
        )

    assert response.status_code == 302
    worker()  # the new social card is the worker's task
    image.refresh_from_db()
    assert (image.focal_x, image.focal_y) == (0.9, 0.5)
    assert image.social_card().file.name != old_card


def test_a_focal_point_needs_both_coordinates_in_range(admin_client):
    image = make_image()

    response = admin_client.post(
        f"{LIST_URL}{image.pk}/change/", {"alt_text": "A photo", "focal_x": "1.5", "focal_y": ""}
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["focal_x"] == ["Ensure this value is less than or equal to 1."]

    response = admin_client.post(f"{LIST_URL}{image.pk}/change/", {"alt_text": "A photo", "focal_x": "0.5"})

    assert response.context["adminform"].form.non_field_errors() == [
        "Set both focal point coordinates, or neither (the centre is used)."
    ]


def test_article_and_author_forms_pick_images_by_autocomplete(admin_client):
    image = make_image(alt="Fishing boats at dawn")
    article = make_article("Harbour storm")
    author = make_author("Ellen Mitchell")

    article_form = admin_client.get(f"/admin/articles/article/{article.pk}/change/").text
    author_form = admin_client.get(f"/admin/authors/author/{author.pk}/change/").text
    found = admin_client.get(
        "/admin/autocomplete/",
        {"term": "fishing", "app_label": "articles", "model_name": "article", "field_name": "lead_image"},
    ).json()

    assert re.search(r'<select name="lead_image"[^>]*class="admin-autocomplete', article_form)
    assert re.search(r'<select name="photo"[^>]*class="admin-autocomplete', author_form)
    assert found["results"] == [{"id": str(image.pk), "text": "Fishing boats at dawn"}]


def test_uploading_records_the_uploader_and_lands_on_the_list(
    admin_client, worker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"{LIST_URL}add/",
            {"file": upload(encode(photo((700, 500)), "JPEG")), "alt_text": "Street", "credit": "Me"},
        )

    assert response.status_code == 302 and response["Location"] == LIST_URL
    image = Image.objects.get()
    assert image.uploaded_by == get_user_model().objects.get(username="admin")
    assert not image.renditions.exists()  # the request stored the cleaned original only
    worker()
    assert image.renditions.exists()


@pytest.mark.browser
def test_clicking_the_photo_sets_the_focal_point(live_server, page, admin_user):
    image = make_image(size=(1200, 800))
    page.goto(f"{live_server.url}/admin/login/?next=/admin/images/image/{image.pk}/change/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    picture = page.locator("[data-focal-picker] img")
    box = picture.bounding_box()

    picture.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.75})

    assert float(page.input_value("#id_focal_x")) == pytest.approx(0.25, abs=0.01)
    assert float(page.input_value("#id_focal_y")) == pytest.approx(0.75, abs=0.01)
    assert page.locator(".focal-marker").is_visible()
    page.click("input[name=_continue]")
    image.refresh_from_db()
    assert image.focal_x == pytest.approx(0.25, abs=0.01)
