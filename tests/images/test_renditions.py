"""Renditions: the planned widths and formats, never upscaled, a focal-point social card, made once."""

import io
import re
import sys
import threading

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from PIL import Image as PILImage
from PIL import ImageDraw, features

from images import processing
from images.ingest import image_from_file, regenerate
from images.models import Image, Rendition
from tests.images.conftest import encode, photo, stored_files, upload

pytestmark = pytest.mark.django_db

FORMATS = {"jpeg", "webp"} | ({"avif"} if features.check("avif") else set())
PIL_FORMATS = {"jpeg": "JPEG", "webp": "WEBP", "avif": "AVIF"}


def open_stored(name):
    with default_storage.open(name) as fileobj:
        image = PILImage.open(io.BytesIO(fileobj.read()))
        image.load()
        return image


def width_renditions(image):
    return {(r.width, r.format): r for r in image.renditions.all() if r.kind == "width"}


def test_a_large_photo_gets_every_width_in_every_format_with_the_right_sizes():
    image = image_from_file(upload(encode(photo((2400, 1600)), "JPEG")), alt="x")

    renditions = width_renditions(image)
    assert set(renditions) == {(w, f) for w in (320, 640, 960, 1280, 1920) for f in FORMATS}
    for (width, format), rendition in renditions.items():
        stored = open_stored(rendition.file.name)
        assert stored.format == PIL_FORMATS[format]
        assert stored.size == (width, round(1600 * width / 2400)) == (rendition.width, rendition.height)
        assert rendition.file_size == default_storage.size(rendition.file.name)


def test_avif_is_offered_exactly_when_pillow_can_encode_it():
    assert ("avif" in processing.rendition_formats()) == features.check("avif")


@pytest.mark.parametrize(
    "size, widths",
    [((700, 400), {320, 640}), ((1920, 1080), {320, 640, 960, 1280, 1920}), ((200, 150), {200})],
)
def test_renditions_are_never_upscaled(size, widths):
    image = image_from_file(upload(encode(photo(size), "PNG"), "a.png"), alt="x")

    assert {w for w, _ in width_renditions(image)} == widths
    card = image.social_card()
    assert card.width <= min(1200, size[0]) and card.height <= size[1]


def test_the_social_card_is_1200_by_630():
    image = image_from_file(upload(encode(photo((3000, 2000)), "JPEG")), alt="x")

    card = image.social_card()
    assert (card.width, card.height, card.format) == (1200, 630, "jpeg")
    assert open_stored(card.file.name).size == (1200, 630)


def marked_panorama():
    """3000×1000 grey with a pure red square around x=2700: outside a centred 1200:630 crop."""
    image = PILImage.new("RGB", (3000, 1000), (128, 128, 128))
    ImageDraw.Draw(image).rectangle([2650, 450, 2750, 550], fill=(255, 0, 0))
    return encode(image, "PNG")


def has_red(image):
    colours = image.convert("RGB").getcolors(maxcolors=image.width * image.height)
    return any(r > 200 and g < 60 and b < 60 for _, (r, g, b) in colours)


def test_the_social_card_crop_keeps_the_focal_point_in_frame():
    centred = image_from_file(upload(marked_panorama(), "p.png"), alt="x")
    focused = image_from_file(upload(marked_panorama(), "p.png"), alt="x", focal=(0.9, 0.5))

    assert not has_red(open_stored(centred.social_card().file.name))
    assert has_red(open_stored(focused.social_card().file.name))


@pytest.mark.parametrize(
    "size, focal, box",
    [
        ((3000, 1000), (None, None), (548, 0, 2453, 1000)),
        ((3000, 1000), (0.9, 0.5), (1095, 0, 3000, 1000)),
        ((3000, 1000), (0.0, 0.0), (0, 0, 1905, 1000)),
        ((1000, 1000), (0.5, 0.1), (0, 0, 1000, 525)),
        ((1000, 1000), (0.5, 0.8), (0, 475, 1000, 1000)),
    ],
)
def test_the_social_crop_box_is_centred_on_the_focal_point_within_the_edges(size, focal, box):
    assert processing.social_crop_box(size, *focal) == box


def test_moving_the_focal_point_replaces_the_social_card_at_a_new_url(
    media, django_capture_on_commit_callbacks
):
    image = image_from_file(upload(marked_panorama(), "p.png"), alt="x")
    old = image.social_card()

    image.focal_x, image.focal_y = 0.9, 0.5
    image.save()
    with django_capture_on_commit_callbacks(execute=True):
        regenerate(image, social_only=True)

    new = Image.objects.with_renditions().get(pk=image.pk).social_card()
    assert new.file.name != old.file.name
    assert has_red(open_stored(new.file.name))
    assert not (media / old.file.name).exists()
    assert image.renditions.filter(kind="social").count() == 1


def test_storing_the_same_renditions_again_writes_nothing(media):
    image = image_from_file(upload(encode(photo((1300, 800)), "JPEG")), alt="x")
    files = stored_files(media)
    count = image.renditions.count()
    with default_storage.open(image.file.name) as fileobj:
        data = fileobj.read()
    again = processing.render_stored(
        data, widths=processing.planned_widths(1300), formats=processing.rendition_formats()
    )

    assert image.store_renditions(again) == 0  # every key exists: nothing rendered is stored twice
    assert image.renditions.count() == count
    assert stored_files(media) == files


def test_renditions_command_fills_in_what_is_missing_and_is_idempotent(capsys):
    images = [image_from_file(upload(encode(photo((1000, 700)), "JPEG")), alt=f"{n}") for n in range(3)]
    per_image = images[0].renditions.count()
    Rendition.objects.filter(image=images[1], format="webp").delete()
    Rendition.objects.filter(image=images[2], kind="social").delete()

    call_command("renditions", "--missing", "--workers", "2")
    # 3 widths (320, 640, 960) in WebP, and one social card
    assert capsys.readouterr().out.strip() == "3 images, 4 renditions written, 0 failed"
    assert [i.renditions.count() for i in images] == [per_image] * 3

    call_command("renditions")
    assert capsys.readouterr().out.strip() == "3 images, 0 renditions written, 0 failed"


def test_check_files_re_renders_renditions_whose_files_are_gone(capsys, media):
    image = image_from_file(upload(encode(photo((1000, 700)), "JPEG")), alt="x")
    lost = image.renditions.filter(format="webp").order_by("width")
    names = [r.file.name for r in lost]
    for name in names:
        (media / name).unlink()

    call_command("renditions", "--missing")  # rows are trusted: nothing to do
    assert capsys.readouterr().out.strip() == "1 images, 0 renditions written, 0 failed"

    call_command("renditions", "--missing", "--check-files", "--executor", "threads")
    assert capsys.readouterr().out.strip() == f"1 images, {len(names)} renditions written, 0 failed"
    for rendition in image.renditions.filter(format="webp"):
        assert (media / rendition.file.name).exists()
    assert image.renditions.filter(format="webp").count() == len(names)


def test_renditions_all_rerenders_every_image(capsys, media, django_capture_on_commit_callbacks):
    image = image_from_file(upload(encode(photo((2400, 1600)), "JPEG")), alt="x")
    before = {r.pk: r.file.name for r in image.renditions.all()}

    with django_capture_on_commit_callbacks(execute=True):
        call_command("renditions", "--all", "--executor", "threads", "--quiet")

    out = capsys.readouterr()
    assert out.out.startswith("1 images, ")
    assert out.err == ""  # no progress bar when stderr is not a terminal
    after = {r.pk: r.file.name for r in image.renditions.all()}
    assert set(after) == set(before)  # rows updated in place
    for name in after.values():
        assert (media / name).exists()
    gone = set(before.values()) - set(after.values())
    assert all(not (media / name).exists() for name in gone)


def test_renditions_command_reports_an_unreadable_original_and_goes_on(capsys, media):
    broken = image_from_file(upload(encode(photo((800, 600)), "JPEG")), alt="broken")
    fine = image_from_file(upload(encode(photo((800, 600)), "JPEG")), alt="fine")
    (media / broken.file.name).unlink()
    broken.renditions.all().delete()
    fine.renditions.filter(format="jpeg").delete()

    with pytest.raises(CommandError, match="1 images failed"):
        call_command("renditions", stderr=sys.stderr)

    assert f"image {broken.pk}: cannot read {broken.file.name}" in capsys.readouterr().err
    assert fine.renditions.filter(format="jpeg").count() == 3


def test_deleting_an_image_deletes_its_files(media, django_capture_on_commit_callbacks):
    image = image_from_file(upload(encode(photo((800, 600)), "JPEG")), alt="x")
    assert len(stored_files(media)) == 1 + image.renditions.count()

    with django_capture_on_commit_callbacks(execute=True):
        image.delete()

    assert stored_files(media) == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_store_each_missing_rendition_once(media):
    images = [image_from_file(upload(encode(photo((1000, 700)), "JPEG")), alt=f"{n}") for n in range(3)]
    expected = Rendition.objects.count()
    Rendition.objects.all().delete()  # autocommit here: their files go too
    outputs = []

    def run():
        out = io.StringIO()
        call_command("renditions", "--executor", "threads", "--quiet", stdout=out)
        outputs.append(out.getvalue())
        connection.close()

    runs = [threading.Thread(target=run) for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join()

    written = [int(re.search(r"(\d+) renditions written", out).group(1)) for out in outputs]
    assert sum(written) == expected == Rendition.objects.count()
    assert len(stored_files(media)) == len(images) + expected  # no orphan from the losing run


@pytest.mark.parametrize("format, name", [("PNG", "logo.png"), ("GIF", "logo.gif")])
def test_transparency_survives_in_webp_and_avif_and_jpeg_is_flattened_on_white(format, name):
    logo = PILImage.new("P", (700, 400), 0)
    logo.putpalette([0, 0, 0, 200, 0, 0] + [0] * 762)  # index 0: black, and transparent
    ImageDraw.Draw(logo).rectangle([200, 100, 500, 300], fill=1)
    image = image_from_file(upload(encode(logo, format, transparency=0), name), alt="Logo")

    renditions = {(r.width, r.format): r for r in image.renditions.all()}
    webp = open_stored(renditions[(640, "webp")].file.name)
    assert webp.mode == "RGBA"
    assert webp.getpixel((5, 5))[3] == 0 and webp.getpixel((320, 180))[3] == 255
    jpeg = open_stored(renditions[(640, "jpeg")].file.name)
    assert jpeg.getpixel((5, 5)) == (255, 255, 255)
