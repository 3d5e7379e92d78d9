"""Uploads are accepted or refused by their content and limits, with a clear form error and nothing stored."""

import random

import pytest
from PIL import Image as PILImage

from images.ingest import InvalidImage, image_from_file
from images.models import Image
from tests.images.conftest import bomb_png, encode, photo, stored_files, upload

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/images/image/add/"


def post_upload(client, data, name, content_type="application/octet-stream"):
    fields = {"file": upload(data, name, content_type), "alt_text": "A test photo", "credit": ""}
    return client.post(ADD_URL, fields)


def form_errors(response):
    return [str(e) for e in response.context["adminform"].form.errors.get("file", [])]


@pytest.mark.parametrize(
    "format, name, options",
    [
        ("JPEG", "a.jpg", {"quality": 85}),
        ("PNG", "a.png", {}),
        ("WEBP", "a.webp", {"quality": 80}),
        ("GIF", "a.gif", {}),
    ],
)
def test_the_four_web_formats_are_accepted_over_the_admin(
    admin_client, media, format, name, options, worker, django_capture_on_commit_callbacks
):
    data = encode(photo((800, 600)).convert("P") if format == "GIF" else photo((800, 600)), format, **options)

    with django_capture_on_commit_callbacks(execute=True):
        response = post_upload(admin_client, data, name)
    worker()  # renditions are made by the worker

    assert response.status_code == 302, form_errors(response)
    image = Image.objects.get()
    assert (image.format, image.width, image.height) == (format, 800, 600)
    assert image.renditions.count() > 0
    assert image.uploaded_by.username == "admin"


def test_a_png_named_jpg_is_accepted_as_a_png(admin_client):
    response = post_upload(admin_client, encode(photo((640, 480)), "PNG"), "holiday.jpg", "image/jpeg")

    assert response.status_code == 302
    image = Image.objects.get()
    assert image.format == "PNG"
    assert image.file.name.endswith("/original.png")


@pytest.mark.parametrize(
    "data, name",
    [
        (b"Just some words, not a picture at all.\n" * 10, "notes.jpg"),
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n", "scan.jpg"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "a.svg"),
        (encode(photo((64, 64)), "TIFF"), "photo.jpg"),
        (encode(photo((64, 64)), "BMP"), "photo.png"),
    ],
    ids=["text", "pdf", "svg", "tiff", "bmp"],
)
def test_other_content_is_refused_whatever_its_name(admin_client, media, data, name):
    response = post_upload(admin_client, data, name)

    assert response.status_code == 200
    assert form_errors(response) == [
        "The file is not a JPEG, PNG, WebP or GIF image (judged by its content, not its name)."
    ]
    assert not Image.objects.exists()
    assert stored_files(media) == []


def test_a_decompression_bomb_is_a_form_error_not_a_500(admin_client, media):
    # 10 gigapixels promised by a 100-byte file, against the default 50-megapixel limit.
    response = post_upload(admin_client, bomb_png(100_000, 100_000), "innocent.png")

    assert response.status_code == 200
    [error] = form_errors(response)
    assert "too many pixels" in error and "50 megapixels" in error
    assert not Image.objects.exists()
    assert stored_files(media) == []


def test_an_image_just_over_the_pixel_limit_is_refused(admin_client, settings):
    settings.IMAGE_MAX_PIXELS = 1_000_000

    response = post_upload(admin_client, encode(photo((1200, 900)), "PNG"), "big.png")

    [error] = form_errors(response)
    assert error == "The image is 1200×900 pixels (1.1 megapixels); the limit is 1 megapixels."


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(admin_client, settings):
    settings.IMAGE_MAX_UPLOAD_BYTES = 1024 * 1024
    noise = PILImage.frombytes("RGB", (1000, 1000), random.Random(1).randbytes(3_000_000))

    response = post_upload(admin_client, encode(noise, "PNG"), "big.png")

    [error] = form_errors(response)
    assert error == "The file is 2.9 MB; the limit is 1.0 MB."
    assert not Image.objects.exists()


def test_a_truncated_jpeg_is_refused_with_a_clear_message(admin_client, media):
    data = encode(photo((1600, 1200)), "JPEG", quality=90)

    response = post_upload(admin_client, data[: len(data) // 2], "cut.jpg")

    [error] = form_errors(response)
    assert error.startswith("The image is corrupt or truncated and cannot be read")
    assert stored_files(media) == []


def test_a_png_with_corrupt_data_is_refused(admin_client):
    data = bytearray(encode(photo((300, 200)), "PNG"))
    start = data.index(b"IDAT") + 20
    data[start : start + 40] = bytes(40)  # the chunk's CRC no longer matches

    response = post_upload(admin_client, bytes(data), "broken.png")

    [error] = form_errors(response)
    assert error.startswith("The image is corrupt or truncated and cannot be read")


def test_alt_text_is_required(admin_client):
    data = encode(photo((300, 200)), "PNG")

    response = admin_client.post(ADD_URL, {"file": upload(data, "a.png"), "alt_text": ""})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["alt_text"] == ["This field is required."]
    assert not Image.objects.exists()


def test_refusals_outside_the_admin_raise_invalid_image(media):
    with pytest.raises(InvalidImage, match="not a JPEG, PNG, WebP or GIF"):
        image_from_file(upload(b"hello", "a.jpg"), alt="x")
    with pytest.raises(InvalidImage, match="The file is empty"):
        image_from_file(upload(b"", "a.jpg"), alt="x")
    assert stored_files(media) == []


def test_a_multi_picture_jpeg_from_a_phone_is_stored_as_a_plain_jpeg_of_its_first_picture(media):
    first, second = photo((640, 480)), PILImage.new("RGB", (640, 480), (0, 0, 255))
    data = encode(first, "MPO", save_all=True, append_images=[second])

    image = image_from_file(upload(data, "phone.jpg"), alt="x")

    assert (image.format, image.width, image.height) == ("JPEG", 640, 480)
    with image.file.open("rb") as fileobj, PILImage.open(fileobj) as stored:
        assert (stored.format, getattr(stored, "n_frames", 1)) == ("JPEG", 1)
